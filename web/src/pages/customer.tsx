// The back office's customer page: profile, consents (editable), preferences (add, remove),
// and a timeline of orders and notes.
import { useEffect, useState } from "preact/hooks";
import { api, errorKey, type Channel, type Customer, type Note, type Order, type Page } from "../api";
import { date, dateTime, number, t, won } from "../i18n";
import { linkClick } from "../router";
import { Field, LoyaltySlot, StageBadge, StatusLine, type Notice } from "../components/ui";
import { PreferenceForm } from "./counter";

type Entry = { at: string; kind: "order" | "refund" | "note"; text: string; key: string };

export function CustomerPage({ id }: { id: number }) {
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [notes, setNotes] = useState<Note[]>([]);
  const [orders, setOrders] = useState<Order[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState(false);

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
      <LoyaltySlot customerId={customer.id} part="tier" />
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
            <dd>{customer.birthday ? `${customer.birthday.date} (${customer.birthday.calendar})` : "—"}</dd>
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
          <LoyaltySlot customerId={customer.id} part="balance" />
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
