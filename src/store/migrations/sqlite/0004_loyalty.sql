-- Loyalty: one program per business, each customer's account (stored balance and tier standing,
-- checked against the ledger by `dangol ledger verify`), the append-only ledger, tier changes,
-- coupons, referrals, gacha draws and idempotency keys of counter and POS writes.
CREATE TABLE loyalty_programs (
  business_id INTEGER PRIMARY KEY REFERENCES businesses(id),
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3, 4)),
  settings TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE loyalty_accounts (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  balance INTEGER NOT NULL DEFAULT 0,
  tier_index INTEGER NOT NULL DEFAULT 0,
  tier_reached_at INTEGER,
  referral_code TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, customer_id),
  UNIQUE (business_id, referral_code),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id)
);
CREATE TABLE ledger_entries (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3, 4, 5)),
  amount INTEGER NOT NULL CHECK (amount <> 0),
  expires_at INTEGER,
  order_id INTEGER,
  related_id INTEGER,
  staff_id INTEGER,
  branch_id INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id),
  FOREIGN KEY (business_id, order_id) REFERENCES orders(business_id, id),
  FOREIGN KEY (business_id, related_id) REFERENCES ledger_entries(business_id, id),
  FOREIGN KEY (business_id, branch_id) REFERENCES branches(business_id, id)
);
CREATE INDEX ledger_by_customer ON ledger_entries (business_id, customer_id, id);
CREATE INDEX ledger_by_order ON ledger_entries (business_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX ledger_expiring ON ledger_entries (business_id, expires_at) WHERE expires_at IS NOT NULL;
-- An award expires once: the expire entry names it.
CREATE UNIQUE INDEX ledger_expired_award ON ledger_entries (business_id, related_id) WHERE kind = 3;
CREATE TABLE tier_changes (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  from_index INTEGER NOT NULL,
  to_index INTEGER NOT NULL,
  tier_name TEXT NOT NULL,
  order_id INTEGER,
  created_at INTEGER NOT NULL,
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id)
);
CREATE INDEX tier_changes_by_customer ON tier_changes (business_id, customer_id, id);
CREATE TABLE coupon_templates (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  name TEXT NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
  value INTEGER NOT NULL,
  validity INTEGER NOT NULL CHECK (validity IN (1, 2, 3)),
  valid_days INTEGER NOT NULL DEFAULT 0,
  valid_from TEXT,
  valid_until TEXT,
  per_customer_limit INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  UNIQUE (business_id, id)
);
CREATE TABLE coupons (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  template_id INTEGER,
  customer_id INTEGER NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
  value INTEGER NOT NULL,
  source INTEGER NOT NULL,
  status INTEGER NOT NULL CHECK (status IN (1, 2, 3)),
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  issued_by INTEGER,
  redeemed_at INTEGER,
  redeemed_branch_id INTEGER,
  redeemed_order_id INTEGER,
  UNIQUE (business_id, id),
  UNIQUE (business_id, code),
  FOREIGN KEY (business_id, template_id) REFERENCES coupon_templates(business_id, id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id),
  FOREIGN KEY (business_id, redeemed_order_id) REFERENCES orders(business_id, id)
);
CREATE INDEX coupons_by_customer ON coupons (business_id, customer_id, id);
CREATE TABLE referrals (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  referrer_id INTEGER NOT NULL,
  rewarded_order_id INTEGER,
  friend_entry_id INTEGER,
  referrer_entry_id INTEGER,
  created_at INTEGER NOT NULL,
  rewarded_at INTEGER,
  PRIMARY KEY (business_id, customer_id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id),
  FOREIGN KEY (business_id, referrer_id) REFERENCES customers(business_id, id)
);
CREATE INDEX referrals_by_referrer ON referrals (business_id, referrer_id);
CREATE TABLE gacha_draws (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  seed TEXT NOT NULL,
  draw INTEGER NOT NULL,
  total_weight INTEGER NOT NULL,
  prize_index INTEGER NOT NULL,
  prize_label TEXT NOT NULL,
  points INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (business_id, customer_id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id)
);
CREATE TABLE idempotency_keys (
  business_id INTEGER NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  response TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, idem_key)
);
