// The customer-facing tablet: the guest keys a mobile number; a known guest is checked in, a new
// one accepts the terms and privacy items (required) and the marketing items (optional) one at a
// time, and joins. It shows nobody else's data and no staff controls, and starts over after a
// while without a touch (?timeout=SECONDS; 60 by default). It runs under the kiosk device's own
// credential (kioskApi), never a staff session: a manager enables the tablet once (KioskSetup).
import { useEffect, useRef, useState } from "preact/hooks";
import {
  api,
  ApiError,
  errorKey,
  kioskApi,
  kioskDevice,
  newIdempotencyKey,
  type Channel,
  type KioskDevice,
  type KioskNotice,
  type KioskStanding,
  type LoyaltyAccount,
  type Program,
} from "../api";
import { t, type MessageKey } from "../i18n";
import { searchParam } from "../router";
import { LoyaltySummary } from "../components/loyalty";
import { LangSwitch } from "../app";

interface ConsentItem {
  id: "terms" | "privacy" | Channel;
  required: boolean;
}

// Each item is its own consent (PIPA Art. 22): required ones first, then the optional marketing.
const items: ConsentItem[] = [
  { id: "terms", required: true },
  { id: "privacy", required: true },
  { id: "sms", required: false },
  { id: "kakao", required: false },
  { id: "night", required: false },
];

type Step = { at: "phone" } | { at: "consent"; index: number } | { at: "done"; known: boolean };

function timeoutMs(): number {
  const seconds = Number(searchParam("timeout"));
  return (Number.isFinite(seconds) && seconds >= 1 ? seconds : 60) * 1000;
}

export function Kiosk() {
  const [step, setStep] = useState<Step>({ at: "phone" });
  const [phone, setPhone] = useState("");
  const [answers, setAnswers] = useState<Record<string, boolean>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [standing, setStanding] = useState<KioskStanding | null>(null);
  const [notices, setNotices] = useState<KioskNotice[]>([]);
  const key = useRef(newIdempotencyKey());
  const timer = useRef<number | undefined>(undefined);

  const reset = () => {
    setStep({ at: "phone" });
    setPhone("");
    setAnswers({});
    setMessage(null);
    setStanding(null);
    key.current = newIdempotencyKey();
  };

  // The notices' current versions: what the guest accepts is recorded with them.
  useEffect(() => {
    kioskApi
      .get<{ items: KioskNotice[] }>("/kiosk/notices")
      .then((answer) => setNotices(answer.items))
      .catch((error) => setMessage(kioskError(error)));
  }, []);

  // Any touch or key restarts the countdown; when it runs out the screen starts over.
  useEffect(() => {
    const limit = timeoutMs();
    const arm = () => {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(reset, limit);
    };
    arm();
    window.addEventListener("pointerdown", arm);
    window.addEventListener("keydown", arm);
    return () => {
      window.clearTimeout(timer.current);
      window.removeEventListener("pointerdown", arm);
      window.removeEventListener("keydown", arm);
    };
  }, []);

  const digits = phone.replace(/\D/g, "");
  const validPhone = (text: string) => /^01\d{8,9}$/.test(text.replace(/\D/g, ""));
  // A refusal of the number goes away as soon as the number typed since is a valid one.
  const typePhone = (next: string) => {
    setPhone(next);
    if (message && validPhone(next)) setMessage(null);
  };

  const submitPhone = async () => {
    if (!validPhone(digits)) {
      setMessage(t("kiosk.invalidPhone"));
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const found = await kioskApi.get<KioskStanding>(`/kiosk/lookup?phone=${digits}`);
      if (found.known) {
        setStanding(found);
        setStep({ at: "done", known: true });
      } else {
        setStep({ at: "consent", index: 0 });
      }
    } catch (error) {
      setMessage(kioskError(error));
    } finally {
      setBusy(false);
    }
  };

  const answer = async (agree: boolean) => {
    if (step.at !== "consent") return;
    const item = items[step.index];
    if (item.required && !agree) {
      setMessage(t("kiosk.requiredNotice"));
      return;
    }
    setMessage(null);
    const next = { ...answers, [item.id]: agree };
    setAnswers(next);
    if (step.index + 1 < items.length) {
      setStep({ at: "consent", index: step.index + 1 });
      return;
    }
    setBusy(true);
    try {
      const consents = items
        .filter((i) => !i.required)
        .map((i) => ({ channel: i.id, granted: Boolean(next[i.id]) }));
      const agreements = notices
        .filter((notice) => next[notice.item])
        .map((notice) => ({ item: notice.item, version: notice.version }));
      const created = await kioskApi.post<KioskStanding>(
        "/kiosk/register",
        { phone: digits, agreements, consents },
        { idempotencyKey: key.current },
      );
      setStanding(created);
      setStep({ at: "done", known: false });
    } catch (error) {
      setMessage(kioskError(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="kiosk" data-testid="kiosk">
      <header class="kiosk-head">
        <span class="brand-mark" aria-hidden="true">
          단
        </span>
        <LangSwitch />
      </header>
      {step.at === "phone" ? (
        <PhoneStep phone={phone} setPhone={typePhone} onSubmit={submitPhone} busy={busy} />
      ) : step.at === "consent" ? (
        <ConsentStep index={step.index} onAnswer={answer} busy={busy} />
      ) : (
        <div class="kiosk-body kiosk-done">
          <h1>{t(step.known ? "kiosk.checkedIn" : "kiosk.done")}</h1>
          <KioskBalance standing={standing} />
          <p class="muted">{t("kiosk.resetSoon")}</p>
          <button class="button big" type="button" onClick={reset}>
            {t("kiosk.startOver")}
          </button>
        </div>
      )}
      {message ? (
        <p class="kiosk-message" role="alert">
          {message}
        </p>
      ) : null}
    </div>
  );
}

// A refusal in the guest's language; a disabled device says so instead of a generic error.
function kioskError(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return t("reason.kiosk_disabled");
  return t(errorKey(error));
}

// Only the guest's own balance and tier: no coupons' codes, no ledger, nothing of anyone else.
function KioskBalance({ standing }: { standing: KioskStanding | null }) {
  const loyalty = standing?.loyalty;
  if (!loyalty) return null;
  const account = { expiring_within_30_days: 0, coupons: [], ...loyalty } as LoyaltyAccount;
  const program = { tier_metric: (loyalty as { tier_by?: string }).tier_by ?? "earned" } as Program;
  return (
    <section class="kiosk-balance" aria-label={t("kiosk.balance")} data-testid="kiosk-balance">
      <h2>{t("kiosk.balance")}</h2>
      <LoyaltySummary account={account} program={program} />
    </section>
  );
}

// Turns this browser into a kiosk: a manager names the tablet, the server answers the device's
// credential, and the tablet keeps it. From then on no staff session is needed here.
export function KioskSetup(props: { canEnable: boolean; onEnabled: () => void }) {
  const [name, setName] = useState(t("kioskSetup.defaultName"));
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const enable = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const device = await api.post<KioskDevice>("/kiosk-devices", { name: name.trim() });
      kioskDevice.remember(device.token ?? "");
      props.onEnabled();
    } catch (error) {
      setMessage(t(errorKey(error)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="kiosk" data-testid="kiosk-setup">
      <form class="kiosk-body" onSubmit={enable}>
        <h1>{t("kioskSetup.title")}</h1>
        <p class="kiosk-lead">{t(props.canEnable ? "kioskSetup.lead" : "kioskSetup.askManager")}</p>
        {props.canEnable ? (
          <>
            <label class="field">
              <span class="field-label">{t("kioskSetup.name")}</span>
              <input name="device-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <button class="button primary huge" type="submit" disabled={busy}>
              {t("kioskSetup.enable")}
            </button>
          </>
        ) : null}
        {message ? (
          <p class="kiosk-message" role="alert">
            {message}
          </p>
        ) : null}
      </form>
    </div>
  );
}

function PhoneStep(props: { phone: string; setPhone: (v: string) => void; onSubmit: () => void; busy: boolean }) {
  const press = (key: string) => {
    if (key === "back") props.setPhone(props.phone.slice(0, -1));
    else if (key === "clear") props.setPhone("");
    else if (props.phone.replace(/\D/g, "").length < 11) props.setPhone(props.phone + key);
  };
  const shown = formatPhone(props.phone.replace(/\D/g, ""));
  return (
    <form
      class="kiosk-body"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      <h1>{t("kiosk.welcome")}</h1>
      <p class="kiosk-lead">{t("kiosk.enterPhone")}</p>
      <label class="sr-only" for="kiosk-phone">
        {t("kiosk.phoneLabel")}
      </label>
      <input
        id="kiosk-phone"
        class="kiosk-phone"
        type="tel"
        inputMode="numeric"
        autocomplete="off"
        value={shown}
        onInput={(e) => props.setPhone(e.currentTarget.value)}
      />
      <div class="keypad kiosk-keypad" role="group">
        {["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"].map((k) => (
          <button type="button" class={`key ${k.length > 1 ? "key-fn" : ""}`} key={k} onClick={() => press(k)} aria-label={k === "back" ? t("counter.backspace") : k === "clear" ? t("counter.clear") : k}>
            {k === "back" ? "⌫" : k === "clear" ? "C" : k}
          </button>
        ))}
      </div>
      <button class="button primary huge" type="submit" disabled={props.busy}>
        {t("kiosk.next")}
      </button>
    </form>
  );
}

function ConsentStep(props: { index: number; onAnswer: (agree: boolean) => void; busy: boolean }) {
  const item = items[props.index];
  const title = `kiosk.${item.id}.title` as MessageKey;
  const body = `kiosk.${item.id}.body` as MessageKey;
  return (
    <div class="kiosk-body" data-testid="consent-step">
      <p class="muted">{t("kiosk.step", { current: props.index + 1, total: items.length })}</p>
      <h1>
        <span class={`badge ${item.required ? "badge-required" : "badge-optional"}`}>
          {t(item.required ? "kiosk.required" : "kiosk.optional")}
        </span>{" "}
        {t(title)}
      </h1>
      <p class="consent-text">{t(body)}</p>
      <div class="kiosk-answers">
        <button class="button primary huge" type="button" disabled={props.busy} onClick={() => props.onAnswer(true)}>
          {t("kiosk.agree")}
        </button>
        <button class="button huge" type="button" disabled={props.busy} onClick={() => props.onAnswer(false)}>
          {t("kiosk.disagree")}
        </button>
      </div>
    </div>
  );
}

function formatPhone(digits: string): string {
  if (digits.length <= 3) return digits;
  if (digits.length <= 7) return `${digits.slice(0, 3)}-${digits.slice(3)}`;
  return `${digits.slice(0, 3)}-${digits.slice(3, digits.length - 4)}-${digits.slice(-4)}`;
}
