-- Create "goal_cells" table
CREATE TABLE `goal_cells` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `territory_id` integer NOT NULL, `lever_id` integer NOT NULL, `units` integer NOT NULL);
-- Set sequence for "goal_cells" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("goal_cells", 90194313216);
-- Create index "goalcell_territory_id_lever_id" to table: "goal_cells"
CREATE UNIQUE INDEX `goalcell_territory_id_lever_id` ON `goal_cells` (`territory_id`, `lever_id`);
-- Add pk ranges for ('goal_cells') tables
INSERT INTO `ent_types` (`type`) VALUES ('goal_cells');
