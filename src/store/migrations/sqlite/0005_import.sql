-- Import: the runs that were committed (with their content hash, so the same file is recognised),
-- the column mapping remembered per header, and the numbers other systems gave customers
-- (CustomerID in a POS export), so that re-importing an overlapping file doubles nothing.
CREATE TABLE import_runs (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  kind INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  file_hash TEXT NOT NULL,
  source TEXT NOT NULL,
  rows_read INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  rows_skipped INTEGER NOT NULL,
  customers_created INTEGER NOT NULL,
  customers_updated INTEGER NOT NULL,
  orders_created INTEGER NOT NULL,
  orders_existing INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  UNIQUE (business_id, id)
);
CREATE INDEX import_runs_hash ON import_runs (business_id, kind, file_hash);

CREATE TABLE import_mappings (
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  kind INTEGER NOT NULL,
  header_key TEXT NOT NULL,
  fields TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, kind, header_key)
);

CREATE TABLE customer_external_ids (
  business_id INTEGER NOT NULL,
  source TEXT NOT NULL,
  external_id TEXT NOT NULL,
  customer_id INTEGER NOT NULL,
  PRIMARY KEY (business_id, source, external_id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id)
);
CREATE INDEX customer_external_ids_customer ON customer_external_ids (business_id, customer_id);
