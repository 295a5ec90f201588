-- The personal-data access log is kept for a business-set number of days (PIPA-06: at least one
-- year, two for 50,000 customers or more); the daily retention job deletes the entries past it.
-- The index serves that deletion and the audit export of a time range.
ALTER TABLE businesses ADD COLUMN access_log_days BIGINT NOT NULL DEFAULT 730;
CREATE INDEX access_log_at ON access_log (business_id, at);
