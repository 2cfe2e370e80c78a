-- Sums of objectives are kept in nano-units of a ktCO2e (planning.SumDecimals = 9), no
-- longer in ten-thousandths: the goal cells written before are scaled, exactly.
UPDATE goal_cells SET units = units * 100000;
