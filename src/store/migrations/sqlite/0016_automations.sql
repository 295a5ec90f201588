-- Automations (issue 14): the definitions, one row per occurrence that fired (unique per
-- business, automation, customer or prospect and occurrence key, so that nothing fires twice
-- whatever the number of servers or restarts), and the staff tasks they and people create. Enum
-- columns keep the fixed values of domain/automation.h.

CREATE TABLE automations (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  name TEXT NOT NULL,
  trigger_kind INTEGER NOT NULL CHECK (trigger_kind BETWEEN 1 AND 11),
  trigger_days INTEGER NOT NULL DEFAULT 0,
  trigger_threshold_permille INTEGER NOT NULL DEFAULT 700,
  trigger_tier TEXT NOT NULL DEFAULT '',
  action INTEGER NOT NULL CHECK (action IN (1, 2)),
  send_hour INTEGER NOT NULL CHECK (send_hour BETWEEN 0 AND 23),
  channel INTEGER NOT NULL CHECK (channel BETWEEN 1 AND 6),
  fallback_channel INTEGER CHECK (fallback_channel BETWEEN 1 AND 6),
  purpose INTEGER NOT NULL CHECK (purpose IN (1, 2)),
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  coupon_template_id INTEGER,
  frequency_cap_days INTEGER NOT NULL DEFAULT 30,
  control_share_permille INTEGER NOT NULL CHECK (control_share_permille BETWEEN 0 AND 900),
  seed INTEGER NOT NULL,
  task_title TEXT NOT NULL DEFAULT '',
  task_assignee INTEGER NOT NULL DEFAULT 1 CHECK (task_assignee IN (1, 2, 3)),
  task_staff_id INTEGER,
  task_kind INTEGER NOT NULL DEFAULT 1 CHECK (task_kind IN (1, 2, 3)),
  state INTEGER NOT NULL CHECK (state IN (1, 2)),
  preset TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  activated_at INTEGER,
  last_run_at INTEGER,
  last_run_day INTEGER,
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, coupon_template_id) REFERENCES coupon_templates(business_id, id)
);
CREATE INDEX automations_active ON automations (state, business_id) WHERE state = 2;

-- customer_id is 0 and prospect_id set for a prospect's occurrence; rows outlive an erased
-- customer's profile (they hold no personal data) so a birthday is never greeted twice.
CREATE TABLE automation_occurrences (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL,
  automation_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  prospect_id INTEGER NOT NULL DEFAULT 0,
  occurrence TEXT NOT NULL,
  grp INTEGER NOT NULL CHECK (grp IN (1, 2)),
  due_day INTEGER NOT NULL,
  fired_day INTEGER NOT NULL,
  fired_at INTEGER NOT NULL,
  message_id INTEGER,
  task_id INTEGER,
  coupon_id INTEGER,
  UNIQUE (business_id, automation_id, customer_id, prospect_id, occurrence),
  FOREIGN KEY (business_id, automation_id) REFERENCES automations(business_id, id) ON DELETE CASCADE
);
CREATE INDEX automation_occurrences_recent ON automation_occurrences (business_id, automation_id, fired_day);

CREATE TABLE staff_tasks (
  id INTEGER PRIMARY KEY,
  business_id INTEGER NOT NULL REFERENCES businesses(id),
  customer_id INTEGER,
  prospect_id INTEGER,
  title TEXT NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
  due_date TEXT NOT NULL,
  assignee_staff_id INTEGER,
  source INTEGER NOT NULL CHECK (source IN (1, 2, 3)),
  source_id INTEGER,
  status INTEGER NOT NULL CHECK (status IN (1, 2, 3)),
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  closed_at INTEGER,
  closed_by INTEGER,
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers(business_id, id) ON DELETE CASCADE,
  FOREIGN KEY (business_id, assignee_staff_id) REFERENCES staff(business_id, id)
);
CREATE INDEX staff_tasks_open ON staff_tasks (business_id, status, due_date);
CREATE INDEX staff_tasks_customer ON staff_tasks (business_id, customer_id, status);
