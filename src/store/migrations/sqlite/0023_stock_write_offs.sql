-- Stock written off: a line at price 0 with a negative quantity outside a cancellation invoice in a
-- POS export (damaged or lost goods). Kept apart from orders, so that no customer's refunds or
-- spend include it, and keyed by the line's content so that importing the file again adds nothing.
CREATE TABLE stock_write_offs (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  branch_id INTEGER NOT NULL,
  source TEXT NOT NULL,
  external_id TEXT NOT NULL,
  line_key TEXT NOT NULL,
  product TEXT NOT NULL,
  product_code TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  written_off_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  UNIQUE (business_id, source, line_key),
  FOREIGN KEY (business_id, branch_id) REFERENCES branches(business_id, id)
);
CREATE INDEX stock_write_offs_time ON stock_write_offs (business_id, written_off_at);
