// The back office's customer page: profile, consents (editable), preferences (add, remove),
// loyalty (balance, tier, coupons, referrals, the ledger page by page, manual adjustment for
// managers), the messages received and the consent history with the counter opt-out, and a
// timeline of orders, notes and tier changes.
import { useEffect, useState } from "preact/hooks";
import {
  api,
  ApiError,
  errorKey,
  type Channel,
  type Coupon,
  type Customer,
  type LedgerEntry,
  type LedgerWrite,
  type LoyaltyAccount,
  type Note,
  type Order,
  type Page,
  type TierChange,
} from "../api";
import { date, dateTime, number, t, won } from "../i18n";
import { linkClick } from "../router";
import { Field, StageBadge, StatusLine, useWrite, type Notice } from "../components/ui";
import { couponLastDay, couponValue, LoyaltySummary, units, useLoyalty } from "../components/loyalty";
import { isManager, useSession } from "../session";
import { CustomerAnalyticsCard } from "../components/customer_analytics";
import { PreferenceForm } from "./counter";
import { CustomerMessaging } from "../components/customer_messaging";

type Entry = { at: string; kind: "order" | "refund" | "note" | "tier"; text: string; key: string };

export function CustomerPage({ id }: { id: number }) {
  const session = useSession();
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [notes, setNotes] = useState<Note[]>([]);
  const [orders, setOrders] = useState<Order[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState(false);
  const [tierChanges, setTierChanges] = useState<TierChange[]>([]);
  // Bumped after a loyalty write so the loyalty parts read again.
  const [loyaltyVersion, setLoyaltyVersion] = useState(0);

  const load = async () => {
    try {
      const [c, n, o] = await Promise.all([
        api.get<Customer>(`/customers/${id}`),
        api.get<Page<Note>>(`/customers/${id}/notes`),
        api.get<Page<Order>>(`/customers/${id}/orders?limit=50`),
      ]);
      setCustomer(c);
      setNotes(n.items);
      setOrders(o.items);
      setTierChanges(
        await api
          .get<Page<TierChange>>(`/customers/${id}/tier-changes`)
          .then((page) => page.items)
          .catch(() => []),
      );
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  useEffect(() => {
    load();
  }, [id]);

  const setConsent = async (channel: Channel, granted: boolean) => {
    try {
      setCustomer(await api.patch<Customer>(`/customers/${id}`, { consents: [{ channel, granted, source: "staff" }] }));
      setNotice({ kind: "ok", text: t("common.saved") });
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };

  const removePreference = async (pid: number) => {
    try {
      await api.del(`/customers/${id}/preferences/${pid}`);
      await load();
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };

  if (!customer) return <StatusLine notice={notice ?? { kind: "info", text: t("app.loading") }} />;

  const timeline: Entry[] = [
    ...orders.map((o) => ({
      at: o.ordered_at,
      kind: o.kind === "refund" ? ("refund" as const) : ("order" as const),
      text: `${t(o.kind === "refund" ? "customer.timeline.refund" : "customer.timeline.order", { amount: won(o.total) })}${
        o.lines.length ? ` · ${o.lines.map((l) => `${l.product}×${l.quantity ?? 1}`).join(", ")}` : ""
      }`,
      key: `o${o.id}`,
    })),
    ...notes.map((n) => ({ at: n.created_at, kind: "note" as const, text: n.pinned ? `[${t("note.pinned")}] ${n.text}` : n.text, key: `n${n.id}` })),
    ...tierChanges.map((c, i) => ({
      at: c.created_at,
      kind: "tier" as const,
      text: t(c.promoted ? "tier.promoted" : "tier.demoted", { tier: c.tier_name }),
      key: `t${i}`,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));

  const consentOf = (channel: Channel) => customer.consents.find((c) => c.channel === channel);

  return (
    <div class="office customer-page">
      <p>
        <a href="/office/customers" onClick={linkClick}>
          ← {t("customer.back")}
        </a>
      </p>
      {customer.alerts.length ? (
        <div class="alerts" role="alert">
          {customer.alerts.map((a) => (
            <div class="alert-line" key={a.id}>
              <strong>⚠ {t(`pref.${a.kind}`)}</strong> {a.subject}
            </div>
          ))}
        </div>
      ) : null}
      <h1>
        {customer.name || t("counter.noName")} <StageBadge stage={customer.stage} />
      </h1>
      <StatusLine notice={notice} />
      <div class="grid-2">
        <section class="card">
          <h2>{t("customer.profile")}</h2>
          <dl class="defs">
            <dt>{t("customer.phone")}</dt>
            <dd>{customer.phone_masked ?? "—"}</dd>
            <dt>{t("customer.email")}</dt>
            <dd>{customer.email ?? "—"}</dd>
            <dt>{t("customer.birthday")}</dt>
            <dd>{customer.birthday ? `${customer.birthday.date} (${t(`birthday.${customer.birthday.calendar}`)})` : "—"}</dd>
            <dt>{t("customer.tags")}</dt>
            <dd>{customer.tags.join(", ") || "—"}</dd>
            <dt>{t("card.visits")}</dt>
            <dd>{number(customer.visit_count)}</dd>
            <dt>{t("card.spend")}</dt>
            <dd>{won(customer.total_spend)}</dd>
            <dt>{t("customer.firstVisit")}</dt>
            <dd>{date(customer.first_visit_at)}</dd>
            <dt>{t("card.lastVisit")}</dt>
            <dd>{date(customer.last_visit_at)}</dd>
            <dt>{t("customer.created")}</dt>
            <dd>{date(customer.created_at)}</dd>
          </dl>
          {editing ? (
            <ProfileForm
              customer={customer}
              onCancel={() => setEditing(false)}
              onSaved={(next) => {
                setCustomer(next);
                setEditing(false);
                setNotice({ kind: "ok", text: t("common.saved") });
              }}
              onError={(error) => setNotice({ kind: "error", text: t(errorKey(error)) })}
            />
          ) : (
            <button class="button" type="button" onClick={() => setEditing(true)}>
              {t("customer.edit")}
            </button>
          )}
        </section>
        {isManager(session.me) ? <CustomerAnalyticsCard id={id} /> : null}
        <section class="card">
          <h2>{t("customer.consents")}</h2>
          <ul class="consents">
            {(["sms", "kakao", "email", "night"] as const).map((channel) => {
              const consent = consentOf(channel);
              return (
                <li key={channel}>
                  <span>{t(`consent.${channel}`)}</span>
                  <span class={`consent-state ${consent ? (consent.granted ? "yes" : "no") : ""}`}>
                    {consent ? `${t(consent.granted ? "consent.granted" : "consent.denied")} · ${date(consent.at)}` : t("consent.unknown")}
                  </span>
                  <button class="button small" type="button" onClick={() => setConsent(channel, !consent?.granted)}>
                    {t(consent?.granted ? "consent.markDenied" : "consent.markGranted")}
                  </button>
                </li>
              );
            })}
          </ul>
          <h2>{t("customer.preferences")}</h2>
          <ul class="prefs">
            {customer.preferences.map((p) => (
              <li key={p.id}>
                <span class={`chip chip-${p.kind}`}>
                  {t(`pref.${p.kind}`)}: {p.subject}
                </span>
                <button class="button small ghost" type="button" onClick={() => removePreference(p.id)}>
                  {t("common.remove")}
                </button>
              </li>
            ))}
          </ul>
          {adding ? (
            <PreferenceForm
              customerId={customer.id}
              onCancel={() => setAdding(false)}
              onDone={(text) => {
                setAdding(false);
                setNotice({ kind: "ok", text });
                load();
              }}
            />
          ) : (
            <button class="button" type="button" onClick={() => setAdding(true)}>
              {t("common.add")}
            </button>
          )}
        </section>
      </div>
      <CustomerLoyalty
        customerId={customer.id}
        version={loyaltyVersion}
        onChanged={(text) => {
          setNotice({ kind: "ok", text });
          setLoyaltyVersion((v) => v + 1);
          load();
        }}
      />
      <CustomerMessaging customerId={customer.id} canSeeMessages={isManager(session.me)} onOptedOut={load} />
      <section class="card">
        <h2>{t("customer.timeline")}</h2>
        <ol class="timeline">
          {timeline.map((e) => (
            <li key={e.key} class={`tl-${e.kind}`}>
              <time dateTime={e.at}>{dateTime(e.at)}</time>
              <span>{e.text}</span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function ProfileForm(props: {
  customer: Customer;
  onCancel: () => void;
  onSaved: (customer: Customer) => void;
  onError: (error: unknown) => void;
}) {
  const [name, setName] = useState(props.customer.name);
  const [email, setEmail] = useState(props.customer.email ?? "");
  const [tags, setTags] = useState(props.customer.tags.join(", "));
  const [birthday, setBirthday] = useState(props.customer.birthday?.date ?? "");
  const submit = async (event: Event) => {
    event.preventDefault();
    const body = {
      name: name.trim() || null,
      email: email.trim() || null,
      tags: tags
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
      birthday: birthday ? { date: birthday, calendar: props.customer.birthday?.calendar ?? "solar" } : null,
    };
    try {
      props.onSaved(await api.patch<Customer>(`/customers/${props.customer.id}`, body));
    } catch (error) {
      props.onError(error);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label={t("customer.edit")}>
      <Field label={t("customer.name")}>
        <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field label={t("customer.email")}>
        <input name="email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </Field>
      <Field label={t("customer.tags")} hint={t("customer.tagsHint")}>
        <input name="tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </Field>
      <Field label={t("customer.birthday")}>
        <input name="birthday" type="date" value={birthday} onInput={(e) => setBirthday(e.currentTarget.value)} />
      </Field>
      <div class="form-buttons">
        <button class="button primary" type="submit">
          {t("common.save")}
        </button>
        <button class="button" type="button" onClick={props.onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function CustomerLoyalty(props: { customerId: number; version: number; onChanged: (text: string) => void }) {
  const { me } = useSession();
  const { account, program } = useLoyalty(props.customerId, props.version);
  const [coupons, setCoupons] = useState<Coupon[]>([]);
  useEffect(() => {
    api
      .get<Page<Coupon>>(`/customers/${props.customerId}/coupons`)
      .then((page) => setCoupons(page.items))
      .catch(() => setCoupons([]));
  }, [props.customerId, props.version]);
  if (!account) return null;
  const canAdjust = me.role === "owner" || me.role === "manager";
  const expired = (c: Coupon) => c.status === "issued" && new Date(c.expires_at).getTime() <= Date.now();
  return (
    <section class="card" aria-labelledby="loyalty-title" data-testid="customer-loyalty">
      <h2 id="loyalty-title">{t("loyalty.title")}</h2>
      <div class="grid-2">
        <div>
          <LoyaltySummary account={account} program={program} />
          <dl class="loyalty-defs">
            <dt>{t("loyalty.referralCode")}</dt>
            <dd data-testid="referral-code">{account.referral_code ?? "—"}</dd>
            <dt>{t("loyalty.referralCount")}</dt>
            <dd>{t("loyalty.referralCountValue", { n: number(account.referral_count) })}</dd>
          </dl>
          {canAdjust && account.unit ? <AdjustForm account={account} customerId={props.customerId} onDone={props.onChanged} /> : null}
        </div>
        <div>
          <h3>{t("coupon.all")}</h3>
          {coupons.length ? (
            <ul class="coupons" data-testid="customer-coupons">
              {coupons.map((c) => (
                <li key={c.id} class="coupon">
                  <span class="coupon-name">{c.name}</span>
                  <span class="coupon-meta muted small">
                    {couponValue(c)} · {t("coupon.until", { date: couponLastDay(c) })}
                  </span>
                  <span class={`badge coupon-${expired(c) ? "expired" : c.status}`}>
                    {t(`coupon.status.${expired(c) ? "expired" : c.status}` as "coupon.status.issued")}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{t("coupon.none")}</p>
          )}
        </div>
      </div>
      <Ledger customerId={props.customerId} unit={account.unit} version={props.version} />
    </section>
  );
}

function Ledger(props: { customerId: number; unit: LoyaltyAccount["unit"]; version: number }) {
  const [entries, setEntries] = useState<LedgerEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const loadPage = async (cursor: string | null) => {
    const page = await api.get<Page<LedgerEntry>>(
      `/customers/${props.customerId}/ledger?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    setEntries((before) => (cursor ? [...before, ...page.items] : page.items));
    setNext(page.next_cursor);
  };
  useEffect(() => {
    loadPage(null).catch(() => setEntries([]));
  }, [props.customerId, props.version]);
  return (
    <div class="ledger">
      <h3>{t("ledger.title")}</h3>
      {entries.length ? (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="ledger">
            <thead>
              <tr>
                <th>{t("ledger.when")}</th>
                <th>{t("ledger.kind")}</th>
                <th class="num">
                  {t("ledger.amount")} ({t(`unit.name.${props.unit || "visits"}` as "unit.name.points")})
                </th>
                <th>{t("ledger.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{dateTime(e.created_at)}</td>
                  <td>{t(`ledger.kind.${e.kind}`)}</td>
                  <td class={`num ${e.amount < 0 ? "minus" : "plus"}`}>
                    {e.amount > 0 ? "+" : ""}
                    {number(e.amount)}
                  </td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">{t("ledger.empty")}</p>
      )}
      {next ? (
        <button class="button" type="button" onClick={() => loadPage(next)}>
          {t("common.more")}
        </button>
      ) : null}
    </div>
  );
}

function AdjustForm(props: { account: LoyaltyAccount; customerId: number; onDone: (text: string) => void }) {
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const write = useWrite((error) =>
    error instanceof ApiError && error.status === 409 ? t("adjust.belowZero") : null,
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    const value = Number(amount.replace(/[^\d-]/g, ""));
    if (!Number.isInteger(value) || value === 0 || !reason.trim()) {
      write.setNotice({ kind: "error", text: t("adjust.invalid") });
      return;
    }
    const done = await write.run((options) =>
      api.post<LedgerWrite>(`/customers/${props.customerId}/adjust`, { amount: value, reason: reason.trim() }, options),
    );
    if (done) {
      setAmount("");
      setReason("");
      props.onDone(t("adjust.done", { balance: units(done.balance, props.account.unit) }));
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="adjust-title">
      <h3 id="adjust-title">{t("adjust.title")}</h3>
      <div class="row">
        <Field label={t("adjust.amount")}>
          <input name="adjust-amount" inputMode="numeric" required value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
        </Field>
        <Field label={t("adjust.reason")}>
          <input name="adjust-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
      </div>
      <StatusLine notice={write.notice} />
      <button class="button primary" type="submit" disabled={write.busy}>
        {t("adjust.submit")}
      </button>
    </form>
  );
}
