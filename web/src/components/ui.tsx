// Small shared pieces: the status line under a form, a stage badge, a loyalty slot.
import type { ComponentChildren } from "preact";
import { t } from "../i18n";
import type { Stage } from "../api";

export type Notice = { kind: "ok" | "error" | "info"; text: string } | null;

export function StatusLine({ notice }: { notice: Notice }) {
  if (!notice) return null;
  return (
    <p class={`notice notice-${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"} data-testid="notice">
      {notice.text}
    </p>
  );
}

export function StageBadge({ stage }: { stage: Stage }) {
  return <span class={`badge stage-${stage}`}>{t(`stage.${stage}`)}</span>;
}

// Where the loyalty parts (tier, balance, earn and redeem) go when the loyalty API lands. Until
// then it renders nothing: the UI never shows made-up numbers.
export function LoyaltySlot(_props: { customerId?: number; part: "tier" | "balance" | "actions" }) {
  return null;
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint ? <span class="field-hint">{hint}</span> : null}
    </label>
  );
}
