-- What an imported customer list says about a customer's past (visits, spend, first and last
-- visit, points, tier) kept as one opening record per customer and source: the totals are folded
-- into the customer's visit statistics once, and the record says where they came from, so that a
-- second import of the same list adds nothing. No order is invented for them.
CREATE TABLE customer_opening_balances (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  source TEXT NOT NULL,
  visit_count INTEGER NOT NULL,
  total_spend INTEGER NOT NULL,
  first_visit_at INTEGER,
  last_visit_at INTEGER,
  points INTEGER NOT NULL,
  tier TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, customer_id, source),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);

-- Who or what wrote a note when no staff member did: 'import' for a memo column of a customer list.
ALTER TABLE notes ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- A phone number that a customer list gives to more than one person: a family on one phone (a
-- separate customer), or a second name of the same person (an alias). Phones stay unique per
-- business on the customers row, so that a lookup by phone finds one customer (the first holder);
-- the others are linked to the number here.
CREATE TABLE customer_phone_shares (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  holder_id INTEGER NOT NULL,
  phone_e164 TEXT NOT NULL,
  relation INTEGER NOT NULL CHECK (relation IN (1, 2)),
  alias TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, customer_id, phone_e164, alias),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE,
  FOREIGN KEY (business_id, holder_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_phone_shares_phone ON customer_phone_shares (business_id, phone_e164);
CREATE INDEX customer_phone_shares_holder ON customer_phone_shares (business_id, holder_id);

-- What a customer list holds beyond the fields Dangol knows (a "Country", a "직업" column): kept as
-- key and value per customer, shown on the profile, instead of being dropped.
CREATE TABLE customer_attributes (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, customer_id, key),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);
