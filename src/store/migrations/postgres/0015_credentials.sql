-- Credentials that end when their holder changes: an API token remembers the staff member who
-- created it (NULL for the command line), so that disabling that person revokes it, and when it was
-- last used (updated at most once a minute), so that owners can tell stale tokens. Sessions are
-- found by staff member when a password, role or account state changes.
ALTER TABLE api_tokens ADD COLUMN created_by BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
CREATE INDEX sessions_by_staff ON sessions (business_id, staff_id);
