// The shapes of the automation and task routes (docs/automations.md): what the back office's
// automation pages, the tasks page and the counter card read and send.

export type TriggerKind =
  | "first_visit"
  | "days_after_visit"
  | "no_second_visit"
  | "birthday"
  | "anniversary"
  | "overdue"
  | "churn_risk"
  | "tier_promotion"
  | "points_expiring"
  | "referral_reward"
  | "prospect_not_converted";

export const triggerKinds: TriggerKind[] = [
  "first_visit",
  "days_after_visit",
  "no_second_visit",
  "birthday",
  "anniversary",
  "overdue",
  "churn_risk",
  "tier_promotion",
  "points_expiring",
  "referral_reward",
  "prospect_not_converted",
];

// The triggers that take a number of days (for a birthday or anniversary: days before; 0 = on the day).
export const triggersWithDays: TriggerKind[] = [
  "days_after_visit",
  "no_second_visit",
  "birthday",
  "anniversary",
  "points_expiring",
  "prospect_not_converted",
];

export type AutomationChannel = "sms" | "alimtalk" | "brand" | "email";
export const automationChannels: AutomationChannel[] = ["sms", "alimtalk", "brand", "email"];
export type Purpose = "advertising" | "informational";
export type AutomationState = "active" | "paused";

export interface Trigger {
  kind: TriggerKind;
  days?: number | null;
  threshold?: number | null;
  tier?: string | null;
}

export interface TaskAction {
  title: string;
  assignee: "author" | "none" | number;
}

export interface AutomationInput {
  name: string;
  trigger: Trigger;
  action: "message" | "task";
  send_hour: number;
  channel: AutomationChannel;
  fallback_channel: AutomationChannel | null;
  purpose: Purpose;
  template: { body: string; subject?: string };
  coupon_template_id: number | null;
  frequency_cap_days: number;
  control_share_permille: number;
  task?: TaskAction | null;
  state?: AutomationState;
}

export interface Automation extends AutomationInput {
  id: number;
  state: AutomationState;
  preset: string | null;
  created_at: string;
  activated_at: string | null;
  last_run_at: string | null;
}

export interface AutomationPreset {
  key: "cafe" | "restaurant" | "salon" | string;
  name: string;
  automations: AutomationInput[];
}

// What applying a preset did: those it switched on, and those the business had already.
export interface PresetApplied {
  automations: Automation[];
  already_present: Automation[];
}

// Whether `stored` stands for the preset's item `item` (same preset, trigger and action: the
// server's rule for "already present", however the automation was renamed since).
export function isPresetItem(stored: Automation, presetKey: string, item: AutomationInput): boolean {
  return stored.preset === presetKey && stored.trigger.kind === item.trigger.kind && stored.action === item.action;
}

export interface DryRun {
  date: string;
  would_send: { customer_id: number; name: string; occurrence: string; send_at: string; channel: string }[];
  excluded: { customer_id: number; name: string; reason: string }[];
  counts: { would_send: number; excluded: Record<string, number> };
  churn_model: ChurnModel | null;
}

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface GroupFigures {
  customers: number;
  buyers: number;
  visits: number;
  revenue: number;
  redemptions: number;
}

// churn_risk only: whether the churn probabilities come from a fitted model.
export interface ChurnModel {
  status: "ready" | "fitting" | "insufficient_data";
  as_of: string | null;
  message?: string;
}

export interface Funnel {
  first: number;
  second: number;
  third: number;
}

export interface AutomationReport {
  sent: number;
  treated: GroupFigures;
  control: GroupFigures;
  // Null while a group is empty.
  difference: { buyers_share: Interval | null; revenue_per_customer: Interval | null };
  incremental_revenue: number;
  message_cost: number;
  funnel: { before: Funnel; after: Funnel; switched_on_at: string | null };
  churn_model: ChurnModel | null;
}

export type TaskStatus = "open" | "done" | "skipped";

export interface Task {
  id: number;
  // A prospect's follow-up names the prospect instead of a customer.
  customer_id: number | null;
  prospect_id?: number | null;
  customer_name: string;
  title: string;
  kind: "call" | "counter" | "follow_up";
  due_date: string;
  assignee_staff_id: number | null;
  source: "automation" | "prospect" | "manual";
  source_id: number | null;
  status: TaskStatus;
  note?: string;
  created_at: string;
  closed_at: string | null;
  closed_by: number | null;
}

// The bytes a text message takes, as the carriers count them: two per Korean or other non-ASCII
// character (CP949), one per ASCII character. Up to 90 is an SMS; above, an LMS.
export function messageBytes(text: string): number {
  let bytes = 0;
  for (const character of text) bytes += character.codePointAt(0)! < 0x80 ? 1 : 2;
  return bytes;
}

export const smsByteLimit = 90;

// A new automation as the editor starts it.
export function blankAutomation(): AutomationInput {
  return {
    name: "",
    trigger: { kind: "first_visit", days: null, threshold: null, tier: null },
    action: "message",
    send_hour: 11,
    channel: "sms",
    fallback_channel: null,
    purpose: "informational",
    template: { body: "", subject: "" },
    coupon_template_id: null,
    frequency_cap_days: 30,
    control_share_permille: 100,
    task: null,
  };
}
