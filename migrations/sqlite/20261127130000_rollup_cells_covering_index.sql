-- Roll-ups read one sector and lever of a few territories, both kinds: the unique index of
-- the cells now leads with those columns.
DROP INDEX `rollupcell_ancestor_id_kind_sector_id_lever_id_status`;
-- Create index "rollupcell_ancestor_id_sector_id_lever_id_kind_status" to table: "rollup_cells"
CREATE UNIQUE INDEX `rollupcell_ancestor_id_sector_id_lever_id_kind_status` ON `rollup_cells` (`ancestor_id`, `sector_id`, `lever_id`, `kind`, `status`);
