-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_memberships" table
CREATE TABLE `new_memberships` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `weight` real NOT NULL, `child_level` text NOT NULL, `child_id` integer NOT NULL, `parent_id` integer NOT NULL, CONSTRAINT `memberships_territories_child` FOREIGN KEY (`child_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION, CONSTRAINT `memberships_territories_parent` FOREIGN KEY (`parent_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION);
-- Set sequence for "new_memberships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_memberships", 51539607552);
-- Copy rows from old table "memberships" to new temporary table "new_memberships", with each child's level
INSERT INTO `new_memberships` (`id`, `weight`, `child_level`, `child_id`, `parent_id`) SELECT `id`, `weight`, (SELECT `level` FROM `territories` WHERE `territories`.`id` = `memberships`.`child_id`), `child_id`, `parent_id` FROM `memberships`;
-- Drop "memberships" table after copying rows
DROP TABLE `memberships`;
-- Rename temporary table "new_memberships" to "memberships"
ALTER TABLE `new_memberships` RENAME TO `memberships`;
-- Create index "membership_child_id_parent_id" to table: "memberships"
CREATE UNIQUE INDEX `membership_child_id_parent_id` ON `memberships` (`child_id`, `parent_id`);
-- Create index "membership_parent_id_child_level" to table: "memberships"
CREATE INDEX `membership_parent_id_child_level` ON `memberships` (`parent_id`, `child_level`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
