-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_ancestries" table
CREATE TABLE `new_ancestries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `weight` real NOT NULL, `depth` integer NOT NULL, `territory_level` text NOT NULL, `territory_id` integer NOT NULL, `ancestor_id` integer NOT NULL, CONSTRAINT `ancestries_territories_territory` FOREIGN KEY (`territory_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION, CONSTRAINT `ancestries_territories_ancestor` FOREIGN KEY (`ancestor_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION);
-- Set sequence for "new_ancestries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_ancestries", 8589934592);
-- Copy rows from old table "ancestries" to new temporary table "new_ancestries", with each territory's level
INSERT INTO `new_ancestries` (`id`, `weight`, `depth`, `territory_level`, `territory_id`, `ancestor_id`) SELECT `id`, `weight`, `depth`, (SELECT `level` FROM `territories` WHERE `territories`.`id` = `ancestries`.`territory_id`), `territory_id`, `ancestor_id` FROM `ancestries`;
-- Drop "ancestries" table after copying rows
DROP TABLE `ancestries`;
-- Rename temporary table "new_ancestries" to "ancestries"
ALTER TABLE `new_ancestries` RENAME TO `ancestries`;
-- Create index "ancestry_territory_id_ancestor_id" to table: "ancestries"
CREATE UNIQUE INDEX `ancestry_territory_id_ancestor_id` ON `ancestries` (`territory_id`, `ancestor_id`);
-- Create index "ancestry_ancestor_id_territory_id" to table: "ancestries"
CREATE INDEX `ancestry_ancestor_id_territory_id` ON `ancestries` (`ancestor_id`, `territory_id`);
-- Create index "ancestry_ancestor_id_territory_level" to table: "ancestries"
CREATE INDEX `ancestry_ancestor_id_territory_level` ON `ancestries` (`ancestor_id`, `territory_level`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
