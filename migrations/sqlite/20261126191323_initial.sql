-- Create "api_keys" table
CREATE TABLE `api_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `prefix` text NOT NULL, `secret_hash` blob NOT NULL, `organisation` text NOT NULL, `role` text NOT NULL, `created_at` datetime NOT NULL, `revoked_at` datetime NULL, `territory_id` integer NOT NULL, CONSTRAINT `api_keys_territories_territory` FOREIGN KEY (`territory_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION);
-- Create index "api_keys_prefix_key" to table: "api_keys"
CREATE UNIQUE INDEX `api_keys_prefix_key` ON `api_keys` (`prefix`);
-- Create "actions" table
CREATE TABLE `actions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `title` text NOT NULL, `description` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('PLANNED'), `start_year` integer NOT NULL, `end_year` integer NULL, `budget` real NOT NULL DEFAULT (0), `funding_sources` json NULL, `effect_ktco2e` real NULL, `effect_physical` real NULL, `cop_edition` integer NULL, `links` json NULL, `synthetic` bool NOT NULL DEFAULT (false), `version` integer NOT NULL DEFAULT (1), `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `territory_id` integer NOT NULL, `lever_id` integer NULL, `sector_id` integer NULL, CONSTRAINT `actions_territories_territory` FOREIGN KEY (`territory_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION, CONSTRAINT `actions_levers_lever` FOREIGN KEY (`lever_id`) REFERENCES `levers` (`id`) ON DELETE SET NULL, CONSTRAINT `actions_sectors_sector` FOREIGN KEY (`sector_id`) REFERENCES `sectors` (`id`) ON DELETE SET NULL);
-- Set sequence for "actions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("actions", 4294967296);
-- Create index "action_territory_id" to table: "actions"
CREATE INDEX `action_territory_id` ON `actions` (`territory_id`);
-- Create index "action_updated_at" to table: "actions"
CREATE INDEX `action_updated_at` ON `actions` (`updated_at`);
-- Create index "action_sector_id" to table: "actions"
CREATE INDEX `action_sector_id` ON `actions` (`sector_id`);
-- Create "ancestries" table
CREATE TABLE `ancestries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `weight` real NOT NULL, `depth` integer NOT NULL, `territory_id` integer NOT NULL, `ancestor_id` integer NOT NULL, CONSTRAINT `ancestries_territories_territory` FOREIGN KEY (`territory_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION, CONSTRAINT `ancestries_territories_ancestor` FOREIGN KEY (`ancestor_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION);
-- Set sequence for "ancestries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("ancestries", 8589934592);
-- Create index "ancestry_territory_id_ancestor_id" to table: "ancestries"
CREATE UNIQUE INDEX `ancestry_territory_id_ancestor_id` ON `ancestries` (`territory_id`, `ancestor_id`);
-- Create index "ancestry_ancestor_id_territory_id" to table: "ancestries"
CREATE INDEX `ancestry_ancestor_id_territory_id` ON `ancestries` (`ancestor_id`, `territory_id`);
-- Create "audit_entries" table
CREATE TABLE `audit_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `at` datetime NOT NULL, `actor` text NOT NULL, `operation` text NOT NULL, `entity` text NOT NULL, `entity_id` integer NOT NULL, `before` text NULL, `after` text NOT NULL);
-- Set sequence for "audit_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("audit_entries", 12884901888);
-- Create index "auditentry_entity_entity_id" to table: "audit_entries"
CREATE INDEX `auditentry_entity_entity_id` ON `audit_entries` (`entity`, `entity_id`);
-- Create index "auditentry_at" to table: "audit_entries"
CREATE INDEX `auditentry_at` ON `audit_entries` (`at`);
-- Create "commitments" table
CREATE TABLE `commitments` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `ktco2e` real NULL, `physical` real NULL, `target_year` integer NOT NULL DEFAULT (2030), `status` text NOT NULL DEFAULT ('DRAFT'), `cop_edition` integer NULL, `note` text NOT NULL DEFAULT (''), `synthetic` bool NOT NULL DEFAULT (false), `version` integer NOT NULL DEFAULT (1), `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `territory_id` integer NOT NULL, `lever_id` integer NULL, `sector_id` integer NULL, CONSTRAINT `commitments_territories_territory` FOREIGN KEY (`territory_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION, CONSTRAINT `commitments_levers_lever` FOREIGN KEY (`lever_id`) REFERENCES `levers` (`id`) ON DELETE SET NULL, CONSTRAINT `commitments_sectors_sector` FOREIGN KEY (`sector_id`) REFERENCES `sectors` (`id`) ON DELETE SET NULL);
-- Set sequence for "commitments" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("commitments", 17179869184);
-- Create index "commitment_territory_id" to table: "commitments"
CREATE INDEX `commitment_territory_id` ON `commitments` (`territory_id`);
-- Create index "commitment_updated_at" to table: "commitments"
CREATE INDEX `commitment_updated_at` ON `commitments` (`updated_at`);
-- Create index "commitment_status" to table: "commitments"
CREATE INDEX `commitment_status` ON `commitments` (`status`);
-- Create "commitment_events" table
CREATE TABLE `commitment_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `from` text NULL, `to` text NOT NULL, `actor` text NOT NULL, `at` datetime NOT NULL, `commitment_id` integer NOT NULL, CONSTRAINT `commitment_events_commitments_commitment` FOREIGN KEY (`commitment_id`) REFERENCES `commitments` (`id`) ON DELETE NO ACTION);
-- Set sequence for "commitment_events" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("commitment_events", 21474836480);
-- Create "cops" table
CREATE TABLE `cops` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `edition` integer NOT NULL, `title` text NOT NULL DEFAULT (''), `region_id` integer NOT NULL, CONSTRAINT `cops_territories_region` FOREIGN KEY (`region_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION);
-- Set sequence for "cops" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("cops", 25769803776);
-- Create index "cop_region_id_edition" to table: "cops"
CREATE UNIQUE INDEX `cop_region_id_edition` ON `cops` (`region_id`, `edition`);
-- Create "cop_documents" table
CREATE TABLE `cop_documents` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `title` text NOT NULL, `url` text NOT NULL, `step` text NULL, `cop_id` integer NOT NULL, CONSTRAINT `cop_documents_cops_cop` FOREIGN KEY (`cop_id`) REFERENCES `cops` (`id`) ON DELETE NO ACTION);
-- Set sequence for "cop_documents" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("cop_documents", 30064771072);
-- Create "cop_participants" table
CREATE TABLE `cop_participants` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `organisation` text NOT NULL, `kind` text NOT NULL, `cop_id` integer NOT NULL, `territory_id` integer NULL, CONSTRAINT `cop_participants_cops_cop` FOREIGN KEY (`cop_id`) REFERENCES `cops` (`id`) ON DELETE NO ACTION, CONSTRAINT `cop_participants_territories_territory` FOREIGN KEY (`territory_id`) REFERENCES `territories` (`id`) ON DELETE SET NULL);
-- Set sequence for "cop_participants" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("cop_participants", 34359738368);
-- Create "cop_steps" table
CREATE TABLE `cop_steps` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `status` text NOT NULL DEFAULT ('PLANNED'), `starts_on` datetime NULL, `ends_on` datetime NULL, `cop_id` integer NOT NULL, CONSTRAINT `cop_steps_cops_cop` FOREIGN KEY (`cop_id`) REFERENCES `cops` (`id`) ON DELETE NO ACTION);
-- Set sequence for "cop_steps" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("cop_steps", 38654705664);
-- Create index "copstep_cop_id_kind" to table: "cop_steps"
CREATE UNIQUE INDEX `copstep_cop_id_kind` ON `cop_steps` (`cop_id`, `kind`);
-- Create "idempotency_keys" table
CREATE TABLE `idempotency_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `key` text NOT NULL, `actor` text NOT NULL, `operation` text NOT NULL, `request_hash` text NOT NULL, `entity_id` integer NOT NULL, `created_at` datetime NOT NULL);
-- Set sequence for "idempotency_keys" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("idempotency_keys", 42949672960);
-- Create index "idempotencykey_actor_key" to table: "idempotency_keys"
CREATE UNIQUE INDEX `idempotencykey_actor_key` ON `idempotency_keys` (`actor`, `key`);
-- Create "levers" table
CREATE TABLE `levers` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `code` text NOT NULL, `name` text NOT NULL, `physical_unit` text NULL, `extensive` bool NOT NULL DEFAULT (false), `description` text NOT NULL DEFAULT (''), `lever_sector` integer NOT NULL, `lever_theme` integer NOT NULL, CONSTRAINT `levers_sectors_sector` FOREIGN KEY (`lever_sector`) REFERENCES `sectors` (`id`) ON DELETE NO ACTION, CONSTRAINT `levers_themes_theme` FOREIGN KEY (`lever_theme`) REFERENCES `themes` (`id`) ON DELETE NO ACTION);
-- Set sequence for "levers" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("levers", 47244640256);
-- Create index "levers_code_key" to table: "levers"
CREATE UNIQUE INDEX `levers_code_key` ON `levers` (`code`);
-- Create "memberships" table
CREATE TABLE `memberships` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `weight` real NOT NULL, `child_id` integer NOT NULL, `parent_id` integer NOT NULL, CONSTRAINT `memberships_territories_child` FOREIGN KEY (`child_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION, CONSTRAINT `memberships_territories_parent` FOREIGN KEY (`parent_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION);
-- Set sequence for "memberships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("memberships", 51539607552);
-- Create index "membership_child_id_parent_id" to table: "memberships"
CREATE UNIQUE INDEX `membership_child_id_parent_id` ON `memberships` (`child_id`, `parent_id`);
-- Create index "membership_parent_id" to table: "memberships"
CREATE INDEX `membership_parent_id` ON `memberships` (`parent_id`);
-- Create "objectives" table
CREATE TABLE `objectives` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `metric` text NOT NULL, `unit` text NOT NULL, `baseline_year` integer NOT NULL, `baseline_value` real NOT NULL, `target_year` integer NOT NULL, `target_value` real NOT NULL, `source` text NOT NULL, `derived` bool NOT NULL DEFAULT (false), `breakdown_key` text NULL, `updated_at` datetime NOT NULL, `territory_id` integer NOT NULL, `lever_id` integer NULL, `sector_id` integer NULL, `derived_from_id` integer NULL, CONSTRAINT `objectives_territories_territory` FOREIGN KEY (`territory_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION, CONSTRAINT `objectives_levers_lever` FOREIGN KEY (`lever_id`) REFERENCES `levers` (`id`) ON DELETE SET NULL, CONSTRAINT `objectives_sectors_sector` FOREIGN KEY (`sector_id`) REFERENCES `sectors` (`id`) ON DELETE SET NULL, CONSTRAINT `objectives_objectives_derivatives` FOREIGN KEY (`derived_from_id`) REFERENCES `objectives` (`id`) ON DELETE SET NULL);
-- Set sequence for "objectives" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("objectives", 55834574848);
-- Create index "objective_territory_id_lever_id_metric" to table: "objectives"
CREATE INDEX `objective_territory_id_lever_id_metric` ON `objectives` (`territory_id`, `lever_id`, `metric`);
-- Create index "objective_derived_from_id" to table: "objectives"
CREATE INDEX `objective_derived_from_id` ON `objectives` (`derived_from_id`);
-- Create index "objective_source" to table: "objectives"
CREATE INDEX `objective_source` ON `objectives` (`source`);
-- Create "observations" table
CREATE TABLE `observations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `metric` text NOT NULL, `unit` text NOT NULL, `year` integer NOT NULL, `value` real NOT NULL, `source` text NOT NULL DEFAULT (''), `updated_at` datetime NOT NULL, `territory_id` integer NOT NULL, `lever_id` integer NULL, `sector_id` integer NULL, CONSTRAINT `observations_territories_territory` FOREIGN KEY (`territory_id`) REFERENCES `territories` (`id`) ON DELETE NO ACTION, CONSTRAINT `observations_levers_lever` FOREIGN KEY (`lever_id`) REFERENCES `levers` (`id`) ON DELETE SET NULL, CONSTRAINT `observations_sectors_sector` FOREIGN KEY (`sector_id`) REFERENCES `sectors` (`id`) ON DELETE SET NULL);
-- Set sequence for "observations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("observations", 60129542144);
-- Create index "observation_territory_id_lever_id_sector_id_metric_year" to table: "observations"
CREATE INDEX `observation_territory_id_lever_id_sector_id_metric_year` ON `observations` (`territory_id`, `lever_id`, `sector_id`, `metric`, `year`);
-- Create "rollup_cells" table
CREATE TABLE `rollup_cells` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `ancestor_id` integer NOT NULL, `kind` text NOT NULL, `sector_id` integer NOT NULL DEFAULT (0), `lever_id` integer NOT NULL DEFAULT (0), `status` text NOT NULL, `count` integer NOT NULL DEFAULT (0), `share` real NOT NULL DEFAULT (0), `budget` real NOT NULL DEFAULT (0), `ktco2e` real NOT NULL DEFAULT (0));
-- Set sequence for "rollup_cells" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("rollup_cells", 64424509440);
-- Create index "rollupcell_ancestor_id_kind_sector_id_lever_id_status" to table: "rollup_cells"
CREATE UNIQUE INDEX `rollupcell_ancestor_id_kind_sector_id_lever_id_status` ON `rollup_cells` (`ancestor_id`, `kind`, `sector_id`, `lever_id`, `status`);
-- Create "sectors" table
CREATE TABLE `sectors` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `code` text NOT NULL, `name` text NOT NULL, `sector_subsectors` integer NULL, CONSTRAINT `sectors_sectors_subsectors` FOREIGN KEY (`sector_subsectors`) REFERENCES `sectors` (`id`) ON DELETE SET NULL);
-- Set sequence for "sectors" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("sectors", 68719476736);
-- Create index "sectors_code_key" to table: "sectors"
CREATE UNIQUE INDEX `sectors_code_key` ON `sectors` (`code`);
-- Create "territories" table
CREATE TABLE `territories` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `level` text NOT NULL, `code` text NOT NULL, `name` text NOT NULL, `population` integer NOT NULL DEFAULT (0), `nature` text NULL, `siren` text NULL, `postal_codes` json NULL, `search_key` text NOT NULL DEFAULT (''));
-- Set sequence for "territories" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("territories", 73014444032);
-- Create index "territory_level_code" to table: "territories"
CREATE UNIQUE INDEX `territory_level_code` ON `territories` (`level`, `code`);
-- Create index "territory_population" to table: "territories"
CREATE INDEX `territory_population` ON `territories` (`population`);
-- Create index "territory_name" to table: "territories"
CREATE INDEX `territory_name` ON `territories` (`name`);
-- Create "themes" table
CREATE TABLE `themes` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `code` text NOT NULL, `name` text NOT NULL);
-- Set sequence for "themes" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("themes", 77309411328);
-- Create index "themes_code_key" to table: "themes"
CREATE UNIQUE INDEX `themes_code_key` ON `themes` (`code`);
-- Create "ent_types" table
CREATE TABLE `ent_types` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `type` text NOT NULL);
-- Create index "ent_types_type_key" to table: "ent_types"
CREATE UNIQUE INDEX `ent_types_type_key` ON `ent_types` (`type`);
-- Add pk ranges for ('api_keys'),('actions'),('ancestries'),('audit_entries'),('commitments'),('commitment_events'),('cops'),('cop_documents'),('cop_participants'),('cop_steps'),('idempotency_keys'),('levers'),('memberships'),('objectives'),('observations'),('rollup_cells'),('sectors'),('territories'),('themes') tables
INSERT INTO `ent_types` (`type`) VALUES ('api_keys'), ('actions'), ('ancestries'), ('audit_entries'), ('commitments'), ('commitment_events'), ('cops'), ('cop_documents'), ('cop_participants'), ('cop_steps'), ('idempotency_keys'), ('levers'), ('memberships'), ('objectives'), ('observations'), ('rollup_cells'), ('sectors'), ('territories'), ('themes');
