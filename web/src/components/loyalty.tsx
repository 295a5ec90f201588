// The loyalty parts shared by the counter, the customer page and the kiosk: a customer's balance,
// tier and the way to the next one, units about to expire, usable coupons, spending units, and
// what an order earned (with a banner when it reached a new tier).
import { useEffect, useState } from "preact/hooks";
import {
  api,
  ApiError,
  type Coupon,
  type LedgerWrite,
  type LoyaltyAccount,
  type Program,
  type SaleLoyalty,
  type Unit,
} from "../api";
import { date, number, t, won, type MessageKey } from "../i18n";
import { Field, StatusLine, useWrite, type Notice } from "./ui";

// "1,234 포인트" / "1,234 points"; a visit-ranks program has no unit and shows visits.
export function units(amount: number, unit: Unit | string): string {
  const key = `unit.${unit || "visits"}` as MessageKey;
  return t(key, { n: number(amount) });
}

// The program is the same for every customer: read it once per page load, again after a save.
let programCache: Promise<Program | null> | null = null;
export function loadProgram(fresh = false): Promise<Program | null> {
  if (!programCache || fresh) {
    programCache = api.get<Program>("/loyalty/program").catch((error) => {
      programCache = null;
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    });
  }
  return programCache;
}

// The customer's loyalty view, read again whenever `version` changes. null: no program (or the
// view could not be read) — then nothing is shown, never made-up numbers.
export function useLoyalty(customerId: number | null, version: unknown, refresh: unknown = 0) {
  const [account, setAccount] = useState<LoyaltyAccount | null>(null);
  const [program, setProgram] = useState<Program | null>(null);
  useEffect(() => {
    if (customerId === null) {
      setAccount(null);
      return;
    }
    let live = true;
    Promise.all([api.get<LoyaltyAccount>(`/customers/${customerId}/loyalty`), loadProgram().catch(() => null)])
      .then(([view, prog]) => {
        if (!live) return;
        setAccount(view.program ? view : null);
        setProgram(prog);
      })
      .catch(() => live && setAccount(null));
    return () => {
      live = false;
    };
  }, [customerId, version, refresh]);
  return { account, program };
}

// "3번 더 방문하면 과장" / "5,000원 더 쓰면 …" / "12 별 더 모으면 Gold".
export function toNextTier(account: LoyaltyAccount, program: Program | null): string | null {
  if (!account.next_tier) return null;
  const metric = program?.tier_metric ?? "earned";
  if (metric === "visits") return t("loyalty.toNext.visits", { n: number(account.to_next_tier), tier: account.next_tier });
  if (metric === "spend") return t("loyalty.toNext.spend", { amount: won(account.to_next_tier), tier: account.next_tier });
  return t("loyalty.toNext.units", { amount: units(account.to_next_tier, account.unit), tier: account.next_tier });
}

// A coupon's expires_at is the first moment it no longer works (midnight after its last day):
// the guest is told the last day it can be used.
export function couponLastDay(coupon: { expires_at: string }): string {
  return date(new Date(Date.parse(coupon.expires_at) - 1).toISOString());
}

export function couponValue(coupon: { kind: Coupon["kind"]; value: number }): string {
  if (coupon.kind === "percent_off") return t("coupon.percentOff", { n: coupon.value });
  if (coupon.kind === "amount_off") return t("coupon.amountOff", { amount: won(coupon.value) });
  return coupon.value > 0 ? t("coupon.freeItemUpTo", { amount: won(coupon.value) }) : t("coupon.freeItem");
}

// Balance, tier, the way to the next tier and what expires soon: the top of every loyalty view.
export function LoyaltySummary({ account, program }: { account: LoyaltyAccount; program: Program | null }) {
  const next = toNextTier(account, program);
  const hasBalance = account.unit !== "";
  return (
    <div class="loyalty" data-testid="loyalty">
      <div class="loyalty-main">
        {hasBalance ? (
          <p class="loyalty-balance" data-testid="loyalty-balance">
            <span class="loyalty-label">{t("loyalty.balance")}</span>
            <strong>{units(account.balance, account.unit)}</strong>
          </p>
        ) : null}
        {account.tier ? (
          <p class="loyalty-tier" data-testid="loyalty-tier">
            <span class="loyalty-label">{t("loyalty.tier")}</span>
            <span class="badge tier-badge">{account.tier}</span>
          </p>
        ) : null}
      </div>
      {next ? (
        <p class="loyalty-next" data-testid="loyalty-next">
          {next}
        </p>
      ) : null}
      {account.expiring_within_30_days > 0 ? (
        <p class="loyalty-expiring" data-testid="loyalty-expiring">
          {t("loyalty.expiring", {
            amount: units(account.expiring_within_30_days, account.unit),
            date: date(account.next_expiry),
          })}
        </p>
      ) : null}
    </div>
  );
}

// A usable coupon with a one-tap "use".
function CouponRow(props: { coupon: Coupon; customerId: number; branchId: number | null; onUsed: (text: string) => void }) {
  const { coupon } = props;
  const write = useWrite(couponError);
  const use = async () => {
    if (props.branchId === null) return;
    const body = { code: coupon.code, customer_id: props.customerId, branch_id: props.branchId };
    const used = await write.run((options) =>
      api.post<{ coupon: Coupon; discount: number }>("/coupons/redeem", body, options),
    );
    if (used) props.onUsed(t("coupon.used", { name: used.coupon.name }));
  };
  return (
    <li class="coupon" data-testid="coupon">
      <span class="coupon-name">{coupon.name}</span>
      <span class="coupon-meta muted small">
        {couponValue(coupon)} · {t("coupon.until", { date: couponLastDay(coupon) })}
      </span>
      <button class="button small primary" type="button" disabled={write.busy} onClick={use}>
        {t("coupon.use")}
      </button>
      <StatusLine notice={write.notice} />
    </li>
  );
}

export function couponError(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  switch (error.reason) {
    case "coupon_not_found":
      return t("coupon.error.unknown");
    case "coupon_used":
      return t("coupon.error.used");
    case "coupon_voided":
      return t("coupon.error.voided");
    case "coupon_expired":
      return t("coupon.error.expired");
    case "coupon_other_customer":
      return t("coupon.error.other");
  }
  return null;
}

export function CouponList(props: {
  coupons: Coupon[];
  customerId: number;
  branchId: number | null;
  onUsed: (text: string) => void;
}) {
  if (!props.coupons.length) return null;
  return (
    <section class="card-section" aria-labelledby="coupons-title">
      <h3 id="coupons-title">{t("coupon.usable", { count: props.coupons.length })}</h3>
      <ul class="coupons">
        {props.coupons.map((c) => (
          <CouponRow key={c.id} coupon={c} customerId={props.customerId} branchId={props.branchId} onUsed={props.onUsed} />
        ))}
      </ul>
    </section>
  );
}

// Why a redemption was refused, in words the staff can tell the guest.
function redeemError(account: LoyaltyAccount, program: Program | null, amount: number, onRefused?: () => void) {
  return (error: unknown): string | null => {
    if (!(error instanceof ApiError) || error.status !== 409) return null;
    // The balance on screen may be old: read it again next to the reason.
    onRefused?.();
    // The answer's figures are the server's view at the refusal; the one on screen may be older.
    const figures = error.figures;
    switch (error.reason) {
      case "below_min_balance":
        return t("redeem.error.minBalance", { min: units(figures.min_balance ?? program?.min_balance_to_redeem ?? 0, account.unit) });
      case "insufficient_balance":
        return t("redeem.error.short", { balance: units(figures.balance ?? account.balance, account.unit) });
      case "over_redeem_share":
        return t("redeem.error.maxShare", { percent: figures.max_percent ?? program?.max_redeem_percent ?? 0 });
    }
    if (amount > account.balance) return t("redeem.error.short", { balance: units(account.balance, account.unit) });
    return null;
  };
}

export function RedeemForm(props: {
  account: LoyaltyAccount;
  program: Program | null;
  customerId: number;
  branchId: number | null;
  onCancel: () => void;
  onDone: (text: string) => void;
  onRefused?: () => void;
}) {
  const [amount, setAmount] = useState("");
  const value = Number(amount.replace(/[^\d]/g, ""));
  const write = useWrite(redeemError(props.account, props.program, value, props.onRefused));
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!value || props.branchId === null) {
      write.setNotice({ kind: "error", text: t("redeem.amountInvalid") });
      return;
    }
    const body = { amount: value, branch_id: props.branchId };
    const done = await write.run((options) => api.post<LedgerWrite>(`/customers/${props.customerId}/redeem`, body, options));
    if (done) {
      props.onDone(
        t("redeem.done", { amount: units(value, props.account.unit), balance: units(done.balance, props.account.unit) }),
      );
    }
  };
  const min = props.program?.min_balance_to_redeem ?? 0;
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="redeem-title">
      <h3 id="redeem-title">{t("redeem.title")}</h3>
      <Field
        label={t("redeem.amount", { unit: t(`unit.name.${props.account.unit || "visits"}` as MessageKey) })}
        hint={min > 0 ? t("redeem.hintMin", { min: units(min, props.account.unit) }) : undefined}
      >
        <input
          name="redeem"
          inputMode="numeric"
          autocomplete="off"
          required
          value={amount}
          onInput={(e) => setAmount(e.currentTarget.value)}
        />
      </Field>
      <StatusLine notice={write.notice} />
      <div class="form-buttons">
        <button class="button primary big" type="submit" disabled={write.busy}>
          {t("redeem.submit")}
        </button>
        <button class="button big" type="button" onClick={props.onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

// What the last order did to the customer's loyalty: earned, spent, the new balance, a promotion
// and any reward coupons. The promotion is a banner that cannot be missed.
export function SaleResult({ loyalty }: { loyalty: SaleLoyalty }) {
  const unit = loyalty.unit;
  return (
    <div class="sale-result" data-testid="sale-result">
      {loyalty.promoted_to ? (
        <div class="promotion" role="status" data-testid="promotion">
          <span class="promotion-burst" aria-hidden="true" />
          <p class="promotion-kicker">{t("sale.congrats")}</p>
          <p class="promotion-title">{t("sale.promoted", { tier: loyalty.promoted_to })}</p>
        </div>
      ) : null}
      {unit ? (
        <p class="sale-earned" data-testid="sale-earned">
          {loyalty.earned > 0 ? t("sale.earned", { amount: units(loyalty.earned, unit) }) : t("sale.nothingEarned")}
          {loyalty.redeemed > 0 ? ` · ${t("sale.redeemed", { amount: units(loyalty.redeemed, unit) })}` : ""}
          {" · "}
          {t("sale.balance", { amount: units(loyalty.balance, unit) })}
        </p>
      ) : loyalty.tier ? (
        <p class="sale-earned" data-testid="sale-earned">
          {t("sale.visitCounted", { tier: loyalty.tier })}
        </p>
      ) : null}
      {loyalty.rewards.length ? (
        <ul class="sale-rewards" data-testid="sale-rewards">
          {loyalty.rewards.map((c) => (
            <li key={c.id}>
              {t("sale.reward", { name: c.name, value: couponValue(c), date: couponLastDay(c) })}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export type { Notice };
