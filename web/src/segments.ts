// The RFM segments (docs/analytics.md) and their names, shared by the dashboard and the composer.
import { t, type MessageKey } from "./i18n";

export const SEGMENTS = [
  "champions",
  "loyal_customers",
  "potential_loyalists",
  "new_customers",
  "promising",
  "need_attention",
  "about_to_sleep",
  "at_risk",
  "cannot_lose_them",
  "hibernating",
  "lost",
] as const;
export type Segment = (typeof SEGMENTS)[number];

export const segmentLabel = (segment: string) => t(`segment.${segment}` as MessageKey);
