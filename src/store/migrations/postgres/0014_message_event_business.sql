-- A message's status events carry the business of their message, like every other tenant table,
-- so that a business's backup holds them and no query needs the join to find a business's rows.
ALTER TABLE message_events ADD COLUMN business_id BIGINT REFERENCES businesses(id);
UPDATE message_events e SET business_id = m.business_id FROM outbox_messages m WHERE m.id = e.message_id;
ALTER TABLE message_events ALTER COLUMN business_id SET NOT NULL;
CREATE INDEX message_events_business ON message_events (business_id, id);
