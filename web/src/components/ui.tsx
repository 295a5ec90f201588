// Small shared pieces: the status line under a form, a stage badge, a field, and the write hook.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import { errorKey, newIdempotencyKey, NetworkError, type Stage } from "../api";

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
  return (
    <span class={`badge stage-${stage}`} title={t("customers.stage")}>
      {t(`stage.${stage}`)}
    </span>
  );
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

// Runs a write with an Idempotency-Key that stays the same until it succeeds, so pressing again
// after a dropped connection repeats the same request rather than making a second one.
export function useWrite(explain?: (error: unknown) => string | null) {
  const key = useRef(newIdempotencyKey());
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const run = async <T,>(write: (options: { idempotencyKey: string; onRetry: (n: number) => void }) => Promise<T>) => {
    setBusy(true);
    setNotice(null);
    try {
      const result = await write({
        idempotencyKey: key.current,
        onRetry: (attempt) => setNotice({ kind: "info", text: t("error.retrying", { attempt }) }),
      });
      key.current = newIdempotencyKey();
      setNotice(null);
      return result;
    } catch (error) {
      setNotice({
        kind: "error",
        text: error instanceof NetworkError ? t("error.retryFailed") : (explain?.(error) ?? t(errorKey(error))),
      });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, notice, setNotice, run };
}

