-- Loyalty counts beside the ledger. A balance may not go below zero, so a refund cannot always
-- take back in the ledger what a sale earned; the tier metric and the count towards a tier's
-- reward must still drop by all of it. `loyalty_counts` is their own append-only journal: one
-- row per sale that earned (and per refund, per reward issued or voided), with the time the
-- units count from in a rolling window (the order's time, not the time it was posted).
-- Coupons remember the sale that issued them and the ledger entry that paid for them, so that a
-- refund can void the unused ones. An account keeps when its tier was last (re-)qualified: the
-- tier is kept that long after the latest qualification, not the first.
CREATE TABLE loyalty_counts (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  tier_units INTEGER NOT NULL,
  reward_units INTEGER NOT NULL,
  counts_at INTEGER NOT NULL,
  order_id INTEGER,
  source_id INTEGER,
  ledger_entry_id INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id),
  FOREIGN KEY (business_id, order_id) REFERENCES orders(business_id, id),
  FOREIGN KEY (business_id, source_id) REFERENCES loyalty_counts(business_id, id),
  FOREIGN KEY (business_id, ledger_entry_id) REFERENCES ledger_entries(business_id, id)
);
CREATE INDEX loyalty_counts_by_customer ON loyalty_counts (business_id, customer_id, counts_at);
CREATE INDEX loyalty_counts_by_order ON loyalty_counts (business_id, order_id) WHERE order_id IS NOT NULL;
-- The earned-units metric so far: every sale's earn entry and the reversals of those entries.
INSERT INTO loyalty_counts (business_id, customer_id, tier_units, reward_units, counts_at, order_id, ledger_entry_id,
                            reason, created_at)
SELECT e.business_id, e.customer_id, e.amount, 0, e.created_at, e.order_id, e.id, 'migrated', e.created_at
FROM ledger_entries e
WHERE e.kind = 1 OR (e.kind = 5 AND e.amount < 0 AND EXISTS (
  SELECT 1 FROM ledger_entries r WHERE r.business_id = e.business_id AND r.id = e.related_id AND r.kind = 1))
ORDER BY e.id;

ALTER TABLE coupons ADD COLUMN order_id INTEGER REFERENCES orders(id);
ALTER TABLE coupons ADD COLUMN ledger_entry_id INTEGER REFERENCES ledger_entries(id);
CREATE INDEX coupons_by_order ON coupons (business_id, order_id) WHERE order_id IS NOT NULL;

ALTER TABLE loyalty_accounts ADD COLUMN tier_qualified_at INTEGER;
UPDATE loyalty_accounts SET tier_qualified_at = tier_reached_at;
