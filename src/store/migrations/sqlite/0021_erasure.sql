-- Erasure (PIPA-03): an erased customer keeps its row as an anonymous tombstone, so that its orders
-- and ledger entries still add up, with every personal field emptied and the time of the erasure.
-- Every customer query skips it, as it skips a merged profile. A business may also set how many
-- months after the last visit an inactive customer is kept (0: kept until erased by hand); a daily
-- job erases those past it.
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
ALTER TABLE businesses ADD COLUMN retention_months INTEGER NOT NULL DEFAULT 0;
