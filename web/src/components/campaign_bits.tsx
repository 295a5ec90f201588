// Small pieces the campaign pages share: the status badge, channel and exclusion names, the
// "send a message or coupon to these" button, and the times of the business's own time zone.
import { t, type MessageKey } from "../i18n";
import { linkClick } from "../router";
import type { CampaignStatus, MessageStatus } from "../api_campaigns";

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return (
    <span class={`badge campaign-${status}`} data-testid="campaign-status">
      {t(`campaign.status.${status}`)}
    </span>
  );
}

export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  return <span class={`badge message-${status}`}>{t(`message.status.${status}`)}</span>;
}

export const channelLabel = (channel: string) => t(`channel.${channel}` as MessageKey);

export const exclusionLabel = (reason: string) => t(`exclusion.${reason}` as MessageKey);

// Opens the composer with the audience preset.
export function SendToButton({ href, label }: { href: string; label?: string }) {
  return (
    <a class="button small" href={href} onClick={linkClick} data-testid="send-to">
      {label ?? t("campaigns.sendTo")}
    </a>
  );
}

// "2026-12-08T11:00" typed in the business's time zone (UTC offset in minutes) as an ISO instant.
export function localInputToIso(value: string, offsetMinutes: number): string | null {
  const match = value.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi) - offsetMinutes * 60_000).toISOString();
}

// The reverse: an ISO instant as the datetime-local value of the business's time zone.
export function isoToLocalInput(iso: string | null, offsetMinutes: number): string {
  if (!iso) return "";
  const shifted = new Date(new Date(iso).getTime() + offsetMinutes * 60_000);
  return shifted.toISOString().slice(0, 16);
}
