-- Foundation schema: tenants, branches, staff, sessions, tokens, customers, orders, access log.
-- Every table carries business_id and every child references its parent through
-- (business_id, id), so a row can never point into another business.
-- Times are INTEGER microseconds since the Unix epoch, UTC. Money is INTEGER minor units.

CREATE TABLE businesses (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  utc_offset_minutes INTEGER NOT NULL DEFAULT 540,
  created_at INTEGER NOT NULL
);

CREATE TABLE branches (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  UNIQUE (business_id, name)
);

CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  email TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role INTEGER NOT NULL CHECK (role IN (1, 2, 3)),
  password_hash TEXT NOT NULL,
  daily_prospect_goal INTEGER NOT NULL DEFAULT 3,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  UNIQUE (business_id, email)
);
CREATE INDEX staff_email ON staff (email);

CREATE TABLE staff_branches (
  business_id INTEGER NOT NULL,
  staff_id INTEGER NOT NULL,
  branch_id INTEGER NOT NULL,
  PRIMARY KEY (business_id, staff_id, branch_id),
  FOREIGN KEY (business_id, staff_id) REFERENCES staff(business_id, id) ON DELETE CASCADE,
  FOREIGN KEY (business_id, branch_id) REFERENCES branches(business_id, id)
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  staff_id INTEGER NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  FOREIGN KEY (business_id, staff_id) REFERENCES staff(business_id, id) ON DELETE CASCADE
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  name TEXT NOT NULL,
  role INTEGER NOT NULL CHECK (role IN (1, 2, 3)),
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  UNIQUE (business_id, id)
);

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  name TEXT NOT NULL DEFAULT '',
  family_name TEXT NOT NULL DEFAULT '',
  given_name TEXT NOT NULL DEFAULT '',
  name_key TEXT NOT NULL DEFAULT '',
  given_key TEXT NOT NULL DEFAULT '',
  initials TEXT NOT NULL DEFAULT '',
  phone_e164 TEXT NOT NULL DEFAULT '',
  phone_last4 TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  birthday TEXT,
  birthday_calendar INTEGER NOT NULL DEFAULT 1,
  birthday_leap_month INTEGER NOT NULL DEFAULT 0,
  gender INTEGER NOT NULL DEFAULT 0,
  source INTEGER NOT NULL DEFAULT 1,
  referrer_id INTEGER,
  address TEXT NOT NULL DEFAULT '',
  visit_count INTEGER NOT NULL DEFAULT 0,
  visits_last_year INTEGER NOT NULL DEFAULT 0,
  total_spend INTEGER NOT NULL DEFAULT 0,
  first_visit_at INTEGER,
  last_visit_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, referrer_id) REFERENCES customers(business_id, id)
);
CREATE INDEX customers_last4 ON customers (business_id, phone_last4);
CREATE UNIQUE INDEX customers_phone ON customers (business_id, phone_e164) WHERE phone_e164 <> '';
CREATE INDEX customers_name_key ON customers (business_id, name_key);
CREATE INDEX customers_given_key ON customers (business_id, given_key);
CREATE INDEX customers_initials ON customers (business_id, initials);
CREATE INDEX customers_email ON customers (business_id, email) WHERE email <> '';

CREATE TABLE customer_tags (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (business_id, customer_id, tag),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);

CREATE TABLE customer_consents (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  granted INTEGER NOT NULL,
  at INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (business_id, customer_id, channel),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);

CREATE TABLE customer_anniversaries (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  label TEXT NOT NULL,
  date TEXT NOT NULL,
  PRIMARY KEY (business_id, customer_id, position),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);

CREATE TABLE preferences (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3, 4)),
  subject TEXT NOT NULL,
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);
CREATE INDEX preferences_customer ON preferences (business_id, customer_id);

CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  author_id INTEGER,
  branch_id INTEGER,
  text TEXT NOT NULL,
  pinned INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE,
  FOREIGN KEY (business_id, branch_id) REFERENCES branches(business_id, id)
);
CREATE INDEX notes_customer ON notes (business_id, customer_id);

CREATE TABLE prospects (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  staff_id INTEGER NOT NULL,
  branch_id INTEGER,
  name TEXT NOT NULL DEFAULT '',
  phone_e164 TEXT NOT NULL DEFAULT '',
  how_met TEXT NOT NULL DEFAULT '',
  liked TEXT NOT NULL DEFAULT '',
  customer_id INTEGER,
  created_at INTEGER NOT NULL,
  FOREIGN KEY (business_id, staff_id) REFERENCES staff(business_id, id),
  FOREIGN KEY (business_id, branch_id) REFERENCES branches(business_id, id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id)
);
CREATE INDEX prospects_day ON prospects (business_id, created_at);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  branch_id INTEGER NOT NULL,
  staff_id INTEGER,
  customer_id INTEGER,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
  original_order_id INTEGER,
  ordered_at INTEGER NOT NULL,
  total INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  external_source TEXT NOT NULL DEFAULT '',
  external_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, branch_id) REFERENCES branches(business_id, id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id),
  FOREIGN KEY (business_id, original_order_id) REFERENCES orders(business_id, id)
);
CREATE INDEX orders_customer ON orders (business_id, customer_id, ordered_at);
CREATE INDEX orders_original ON orders (business_id, original_order_id) WHERE original_order_id IS NOT NULL;
CREATE UNIQUE INDEX orders_external ON orders (business_id, external_source, external_id) WHERE external_id <> '';

CREATE TABLE order_lines (
  business_id INTEGER NOT NULL,
  order_id INTEGER NOT NULL,
  line_no INTEGER NOT NULL,
  product TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  quantity INTEGER NOT NULL,
  unit_price INTEGER NOT NULL,
  PRIMARY KEY (business_id, order_id, line_no),
  FOREIGN KEY (business_id, order_id) REFERENCES orders(business_id, id) ON DELETE CASCADE
);

CREATE TABLE access_log (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  at INTEGER NOT NULL,
  actor_staff_id INTEGER,
  actor_token_id INTEGER,
  customer_id INTEGER,
  action INTEGER NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_log_business ON access_log (business_id, id);
CREATE INDEX access_log_customer ON access_log (business_id, customer_id);
