-- Merging duplicate customers: every merge with who made it, the per-field choices and a snapshot
-- of what it changed (enough to undo it), and the candidate pairs a manager dismissed from the
-- review queue. A merged profile keeps its row, emptied of personal data and marked with the
-- customer it was merged into, so that its id is never given to anyone else (SQLite would reuse
-- the highest id of a deleted row) and undo can fill it again; every customer query skips it.
ALTER TABLE customers ADD COLUMN merged_into INTEGER;

CREATE TABLE customer_merges (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  survivor_id INTEGER NOT NULL,
  merged_id INTEGER NOT NULL,
  actor_staff_id INTEGER,
  actor_token_id INTEGER,
  choices TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  undone_at INTEGER,
  undone_by_staff_id INTEGER,
  undone_by_token_id INTEGER,
  UNIQUE (business_id, id)
);
CREATE INDEX customer_merges_merged ON customer_merges (business_id, merged_id);
CREATE INDEX customer_merges_survivor ON customer_merges (business_id, survivor_id);

CREATE TABLE duplicate_dismissals (
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  first_id INTEGER NOT NULL,
  second_id INTEGER NOT NULL,
  dismissed_by_staff_id INTEGER,
  dismissed_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, first_id, second_id),
  CHECK (first_id < second_id)
);
