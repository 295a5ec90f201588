-- The message outbox (one row per message, queued in the same transaction as its cause) and the
-- full status history of each message (korea.md MSG-08). Enum columns keep the fixed values of
-- domain/message.h. due_at is when the row next needs a dispatcher: next_attempt_at while queued,
-- the lease expiry while sending; claim_token names the claim that may record the outcome.
-- campaign_id and automation_id refer to tables of the campaigns side, so they carry no foreign key.
CREATE TABLE outbox_messages (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  campaign_id INTEGER,
  automation_id INTEGER,
  customer_id INTEGER,
  channel INTEGER NOT NULL CHECK (channel BETWEEN 1 AND 6),
  purpose INTEGER NOT NULL CHECK (purpose IN (1, 2)),
  recipient TEXT NOT NULL,
  sender TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  html_body TEXT NOT NULL DEFAULT '',
  template_code TEXT NOT NULL DEFAULT '',
  fallback_channel INTEGER CHECK (fallback_channel IN (1, 2)),
  unsubscribe_url TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT NOT NULL,
  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 7),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  claim_token TEXT NOT NULL DEFAULT '',
  provider_message_id TEXT NOT NULL DEFAULT '',
  provider_status_code TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sent_at INTEGER,
  delivered_at INTEGER,
  UNIQUE (business_id, idempotency_key)
);
CREATE INDEX outbox_messages_due ON outbox_messages (due_at) WHERE status IN (1, 2);
CREATE INDEX outbox_messages_customer ON outbox_messages (business_id, customer_id, id);
CREATE INDEX outbox_messages_campaign ON outbox_messages (business_id, campaign_id, status)
  WHERE campaign_id IS NOT NULL;

CREATE TABLE message_events (
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES outbox_messages(id) ON DELETE CASCADE,
  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 7),
  attempt INTEGER NOT NULL,
  provider_status_code TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX message_events_message ON message_events (message_id, id);
