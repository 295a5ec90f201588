-- Campaigns: the messaging settings of a business (sender numbers, the 080 opt-out number,
-- frequency cap, control-group share, unit prices, provider credentials sealed with the server
-- key), the consent history, the suppression list, campaigns and their recipients. Enum columns
-- keep the fixed values of their domain enums (domain/campaign.h, domain/consent.h).

CREATE TABLE messaging_settings (
  business_id INTEGER PRIMARY KEY REFERENCES businesses(id),
  frequency_cap_count INTEGER NOT NULL DEFAULT 2 CHECK (frequency_cap_count >= 0),
  frequency_cap_days INTEGER NOT NULL DEFAULT 7 CHECK (frequency_cap_days >= 1),
  control_share_permille INTEGER NOT NULL DEFAULT 100 CHECK (control_share_permille BETWEEN 0 AND 900),
  price_sms INTEGER NOT NULL DEFAULT 20,
  price_lms INTEGER NOT NULL DEFAULT 50,
  price_mms INTEGER NOT NULL DEFAULT 150,
  price_alimtalk INTEGER NOT NULL DEFAULT 8,
  price_brand INTEGER NOT NULL DEFAULT 20,
  price_email INTEGER NOT NULL DEFAULT 1,
  contact TEXT NOT NULL DEFAULT '',
  opt_out_number TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT 'fake',
  provider_credentials TEXT NOT NULL DEFAULT '',
  public_base_url TEXT NOT NULL DEFAULT '',
  opt_out_secret TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);

CREATE TABLE sender_numbers (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  number TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  registered_at INTEGER NOT NULL,
  UNIQUE (business_id, id),
  UNIQUE (business_id, number)
);

-- Every grant and withdrawal, appended; customer_consents keeps the latest per channel. The
-- triggers copy each change of customer_consents here, whichever code path made it.
CREATE TABLE consent_events (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  granted INTEGER NOT NULL,
  at INTEGER NOT NULL,
  source TEXT NOT NULL,
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_events_customer ON consent_events (business_id, customer_id, id);

CREATE TRIGGER consent_events_insert AFTER INSERT ON customer_consents
BEGIN
  INSERT INTO consent_events (business_id, customer_id, channel, granted, at, source)
  VALUES (NEW.business_id, NEW.customer_id, NEW.channel, NEW.granted, NEW.at, NEW.source);
END;

CREATE TRIGGER consent_events_update AFTER UPDATE ON customer_consents
WHEN OLD.granted <> NEW.granted OR OLD.at <> NEW.at
BEGIN
  INSERT INTO consent_events (business_id, customer_id, channel, granted, at, source)
  VALUES (NEW.business_id, NEW.customer_id, NEW.channel, NEW.granted, NEW.at, NEW.source);
END;

-- The notices the law asks for, one row per notice queued: the confirmation of a consent
-- decision within 14 days (ADV-04, kind 1) and the two-year reconfirmation (ADV-05, kind 2).
CREATE TABLE consent_notices (
  business_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
  consent_channel INTEGER NOT NULL,
  decided_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, customer_id, kind, consent_channel, decided_at),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE
);

-- Addresses (E.164 phone or lower-case e-mail) that receive no advertising: 080 opt-outs,
-- bounces, withdrawn members, erased customers, opt-outs from the page or the counter.
CREATE TABLE suppressions (
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  address TEXT NOT NULL,
  reason INTEGER NOT NULL CHECK (reason BETWEEN 1 AND 4),
  source TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (business_id, address)
);

CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  name TEXT NOT NULL,
  purpose INTEGER NOT NULL CHECK (purpose IN (1, 2)),
  channel INTEGER NOT NULL CHECK (channel BETWEEN 1 AND 6),
  fallback_channel INTEGER CHECK (fallback_channel BETWEEN 1 AND 6),
  audience_kind INTEGER NOT NULL CHECK (audience_kind BETWEEN 1 AND 6),
  audience_value TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  sender_number TEXT NOT NULL DEFAULT '',
  coupon_template_id INTEGER,
  scheduled_at INTEGER,
  night_policy INTEGER NOT NULL DEFAULT 1 CHECK (night_policy IN (1, 2)),
  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 6),
  control_share_permille INTEGER NOT NULL CHECK (control_share_permille BETWEEN 0 AND 900),
  seed INTEGER NOT NULL,
  audience_count INTEGER NOT NULL DEFAULT 0,
  treated_count INTEGER NOT NULL DEFAULT 0,
  control_count INTEGER NOT NULL DEFAULT 0,
  excluded_count INTEGER NOT NULL DEFAULT 0,
  cost_estimate INTEGER NOT NULL DEFAULT 0,
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  queued_at INTEGER,
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, coupon_template_id) REFERENCES coupon_templates(business_id, id)
);
CREATE INDEX campaigns_by_business ON campaigns (business_id, id);
CREATE INDEX campaigns_scheduled ON campaigns (status, scheduled_at) WHERE status = 2;

CREATE TABLE campaign_recipients (
  business_id INTEGER NOT NULL,
  campaign_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  grp INTEGER NOT NULL CHECK (grp IN (1, 2, 3)),
  exclusion INTEGER,
  channel INTEGER,
  coupon_id INTEGER,
  queued_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, campaign_id, customer_id),
  FOREIGN KEY (business_id, campaign_id) REFERENCES campaigns(business_id, id) ON DELETE CASCADE,
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE,
  FOREIGN KEY (business_id, coupon_id) REFERENCES coupons(business_id, id)
);
CREATE INDEX campaign_recipients_customer ON campaign_recipients (business_id, customer_id, queued_at);
CREATE INDEX campaign_recipients_coupon ON campaign_recipients (business_id, coupon_id) WHERE coupon_id IS NOT NULL;
