-- A business's currency (ISO 4217 code): imports read amounts with its decimals (KRW 0, GBP 2)
-- unless told otherwise. Businesses made before keep the won.
ALTER TABLE businesses ADD COLUMN currency TEXT NOT NULL DEFAULT 'KRW';
