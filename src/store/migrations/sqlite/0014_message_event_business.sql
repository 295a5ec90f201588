-- A message's status events carry the business of their message, like every other tenant table,
-- so that a business's backup holds them and no query needs the join to find a business's rows.
ALTER TABLE message_events ADD COLUMN business_id INTEGER NOT NULL DEFAULT 0;
UPDATE message_events SET business_id = (SELECT business_id FROM outbox_messages m WHERE m.id = message_events.message_id);
CREATE INDEX message_events_business ON message_events (business_id, id);
