-- Idempotency keys belong to the principal that first used them ("token:7", "staff:3",
-- "kiosk:2"); a row from before this migration has no owner and is answered to nobody. Saved
-- answers that held a new API token or kiosk credential in clear lose it.
--
-- Orders get a change sequence number per business, taken from a counter row in the same
-- transaction as the order: the counter's row lock is held until commit, so sequence numbers
-- become visible in the order they were taken and the analytics catch up by sequence without
-- missing an order that committed after a higher id (docs/analytics.md).
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT NOT NULL DEFAULT '';
UPDATE idempotency_keys SET response = '' WHERE response LIKE '%"token"%';

ALTER TABLE orders ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET change_seq = id;
CREATE INDEX orders_change_seq ON orders (business_id, change_seq);
CREATE TABLE order_change_counters (
  business_id BIGINT PRIMARY KEY REFERENCES businesses(id),
  last_seq BIGINT NOT NULL
);
INSERT INTO order_change_counters (business_id, last_seq)
  SELECT business_id, MAX(id) FROM orders GROUP BY business_id;
