-- Create "webhooks" table
CREATE TABLE `webhooks` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `url` text NOT NULL, `events` json NOT NULL, `secret` text NOT NULL, `created_at` datetime NOT NULL, `key_id` integer NOT NULL, CONSTRAINT `webhooks_api_keys_key` FOREIGN KEY (`key_id`) REFERENCES `api_keys` (`id`) ON DELETE NO ACTION);
-- Set sequence for "webhooks" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("webhooks", 81604378624);
-- Create index "webhook_key_id" to table: "webhooks"
CREATE INDEX `webhook_key_id` ON `webhooks` (`key_id`);
-- Create "webhook_deliveries" table
CREATE TABLE `webhook_deliveries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `event_id` text NOT NULL, `event` text NOT NULL, `payload` text NOT NULL, `status` text NOT NULL DEFAULT ('PENDING'), `attempts` integer NOT NULL DEFAULT (0), `next_attempt_at` datetime NOT NULL, `last_error` text NOT NULL DEFAULT (''), `last_status` integer NULL, `created_at` datetime NOT NULL, `delivered_at` datetime NULL, `webhook_id` integer NOT NULL, CONSTRAINT `webhook_deliveries_webhooks_deliveries` FOREIGN KEY (`webhook_id`) REFERENCES `webhooks` (`id`) ON DELETE CASCADE);
-- Set sequence for "webhook_deliveries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("webhook_deliveries", 85899345920);
-- Create index "webhookdelivery_status_next_attempt_at" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_status_next_attempt_at` ON `webhook_deliveries` (`status`, `next_attempt_at`);
-- Create index "webhookdelivery_webhook_id" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_webhook_id` ON `webhook_deliveries` (`webhook_id`);
-- Add pk ranges for ('webhooks'),('webhook_deliveries') tables
INSERT INTO `ent_types` (`type`) VALUES ('webhooks'), ('webhook_deliveries');
