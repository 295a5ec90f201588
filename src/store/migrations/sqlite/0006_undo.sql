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
