-- Commitment events carry statuses: the status before a creation is NULL, no longer an empty string
UPDATE `commitment_events` SET `from` = NULL WHERE `from` = '';
