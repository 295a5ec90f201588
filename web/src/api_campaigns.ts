// The shapes of the campaign, messaging and outbox answers (docs/campaigns.md, docs/api.md), and
// the composer's link with an audience preset ("send a message or coupon to these").

export type CampaignChannel = "sms" | "lms" | "alimtalk" | "brand_message" | "email";
export type Purpose = "advertising" | "informational";
export type AudienceKind = "segment" | "rfm_segment" | "at_risk" | "overdue" | "filter" | "customer_ids";
export type CampaignStatus = "draft" | "scheduled" | "queued" | "sending" | "done" | "cancelled";
export type MessageStatus = "queued" | "sending" | "sent" | "delivered" | "failed" | "cancelled" | "suppressed";

export const AUDIENCE_KINDS: AudienceKind[] = ["segment", "rfm_segment", "at_risk", "overdue", "filter", "customer_ids"];
export const CAMPAIGN_CHANNELS: CampaignChannel[] = ["sms", "alimtalk", "brand_message", "email"];
export const MESSAGE_STATUSES: MessageStatus[] = ["queued", "sending", "sent", "delivered", "failed", "cancelled",
  "suppressed"];
// The template variables the server fills per recipient (docs/campaigns.md "Content").
export const TEMPLATE_VARIABLES = ["이름", "포인트", "등급", "다음보상", "쿠폰코드", "수신거부"] as const;

export interface CampaignInput {
  name: string;
  purpose: Purpose;
  channel: CampaignChannel;
  fallback_channel?: "sms" | "lms" | null;
  audience: { kind: AudienceKind; value: string };
  subject: string;
  body: string;
  sender_number: string;
  coupon_template_id: number | null;
  scheduled_at: string | null;
  night_policy: "refuse" | "night_consent_only";
  control_share_permille: number;
}

export interface Campaign extends CampaignInput {
  id: number;
  status: CampaignStatus;
  counts: { audience: number; treated: number; control: number; excluded: number };
  cost_estimate: number;
  created_at: string;
  queued_at: string | null;
  // In the list only: its outbox messages by status.
  messages?: Partial<Record<MessageStatus, number>>;
}

export interface Violation {
  rule: string;
  code: string;
  message: string;
}

export interface CampaignPreview {
  audience: number;
  eligible: number;
  treated: number;
  control: number;
  exclusions: Record<string, number>;
  samples: { customer_id: number; name: string; address: string; channel: CampaignChannel; body: string }[];
  costs: { channel: string; messages: number; unit_price: number; total: number }[];
  total_cost: number;
  message: {
    channel: CampaignChannel;
    subject: string;
    body: string;
    length: number;
    limit: number | null;
    violations: Violation[];
  };
}

export interface Difference {
  treated: number;
  control: number;
  difference: number;
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

export interface CampaignReport {
  campaign: Campaign;
  progress: "draft" | "scheduled" | "sending" | "done" | "cancelled";
  messages: Partial<Record<MessageStatus, number>>;
  exclusions: Record<string, number>;
  window: { start: string; end: string; days: number };
  treated: GroupFigures;
  control: GroupFigures;
  uplift: {
    visits_per_customer: Difference | null;
    buyer_share: Difference | null;
    revenue_per_customer: Difference | null;
    redemption_share: Difference | null;
    incremental_revenue: number;
    message_cost: number;
    net: number;
  };
  as_of: string;
}

export interface OutboxMessage {
  id: number;
  campaign_id: number | null;
  customer_id: number;
  channel: CampaignChannel | "mms";
  purpose: Purpose;
  status: MessageStatus;
  recipient: string;
  subject: string | null;
  body: string | null;
  attempts: number;
  provider_status_code: string;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
}

export interface MessageEvent {
  status: MessageStatus;
  attempt: number;
  provider_status_code: string;
  detail: string;
  at: string;
}

export interface CustomerMessage {
  campaign_id: number | null;
  campaign_name: string;
  group: "treated" | "control" | "excluded";
  exclusion: string | null;
  message: {
    id: number;
    channel: string;
    purpose: Purpose;
    status: MessageStatus;
    recipient: string;
    subject: string;
    body: string;
    created_at: string;
    sent_at: string | null;
    delivered_at: string | null;
  } | null;
  at: string;
}

export interface ConsentEvent {
  channel: "sms" | "kakao" | "email" | "night";
  granted: boolean;
  at: string;
  source: string;
}

export interface OptOutPage {
  business: string;
  customer: string;
  receiving: boolean;
}

export interface SavedSegment {
  id: number;
  name: string;
}

export interface SenderNumber {
  id: number;
  number: string;
  label: string;
}

// The composer's address with the audience preset: /office/campaigns/new?audience=at_risk.
export function composerLink(kind: AudienceKind, value = ""): string {
  const params = new URLSearchParams({ audience: kind });
  if (value) params.set("value", value);
  return `/office/campaigns/new?${params}`;
}
