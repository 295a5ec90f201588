-- Undo of the counter's last action of the day. An action (a sale, a redemption, a coupon use, a
-- note, a preference) is undone at most once: the row here is both the record of who undid it
-- and the refusal of a second undo. Kinds are fixed values that never change:
-- 1 order, 2 redemption, 3 coupon use, 4 note, 5 preference.
CREATE TABLE undone_actions (
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3, 4, 5)),
  target_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  undone_by INTEGER,
  undone_at INTEGER NOT NULL,
  -- When the action was done. A note or preference is deleted by its undo, and SQLite may give
  -- its id to a later row: the undo of that later one replaces this row.
  target_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, kind, target_id)
);

-- Who used a coupon at the counter, so that only they (or a manager) can undo the use.
ALTER TABLE coupons ADD COLUMN redeemed_by INTEGER;

-- Kiosk devices: a tablet turned to the guests, enabled by a manager. Its credential (only the hash
-- is kept) may use the kiosk routes and nothing else.
CREATE TABLE kiosk_devices (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER,
  UNIQUE (business_id, id)
);

-- The terms and privacy notices a customer accepted: which item (fixed values: 1 terms, 2 privacy),
-- which version of its text, when, and where.
CREATE TABLE customer_agreements (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  item INTEGER NOT NULL CHECK (item IN (1, 2)),
  version TEXT NOT NULL,
  accepted_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (business_id, customer_id, item, version),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);
