-- Saved segments: a named filter over customers (profile fields, lifecycle stage, consent, loyalty
-- tier, RFM segment, visit rhythm) that the back office lists and exports. One column per
-- criterion; NULL (or '' for the tag, 0 for the overdue flag) means "any". Enum columns keep the
-- fixed values of their domain enums.
CREATE TABLE saved_segments (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  name TEXT NOT NULL,
  rfm_segment INTEGER CHECK (rfm_segment BETWEEN 1 AND 11),
  stage INTEGER CHECK (stage BETWEEN 1 AND 5),
  tag TEXT NOT NULL DEFAULT '',
  consent_channel INTEGER CHECK (consent_channel BETWEEN 1 AND 4),
  min_tier_index INTEGER,
  min_visits INTEGER,
  min_spend INTEGER,
  visited_within_days INTEGER,
  not_visited_for_days INTEGER,
  overdue_only INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  UNIQUE (business_id, name)
);
