-- Roll-up cells adding up every sector (sector_id and lever_id -1), from the per-sector
-- totals (lever_id -1): a roll-up without filter reads these, a few rows per territory.
INSERT INTO rollup_cells (ancestor_id, kind, sector_id, lever_id, status, count, share, budget, ktco2e)
SELECT ancestor_id, kind, -1, -1, status, SUM(count), SUM(share), SUM(budget), SUM(ktco2e)
FROM rollup_cells WHERE lever_id = -1 AND sector_id <> -1
GROUP BY ancestor_id, kind, status;
