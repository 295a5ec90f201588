// The back office's customer list. The API filters by tag; stage, consent, visits, spend and
// last visit are filtered here over the pages loaded so far (see docs/web.md).
import { useEffect, useState } from "preact/hooks";
import { api, errorKey, type Channel, type CustomerSummary, type Page, type Stage } from "../api";
import { date, number, t, won } from "../i18n";
import { linkClick } from "../router";
import { Field, StageBadge, StatusLine, type Notice } from "../components/ui";

interface Filters {
  stage: Stage | "";
  consent: Channel | "";
  minVisits: string;
  minSpend: string;
  lastVisit: "" | "30" | "90" | "over90";
}

const noFilters: Filters = { stage: "", consent: "", minVisits: "", minSpend: "", lastVisit: "" };

function matches(customer: CustomerSummary, f: Filters): boolean {
  if (f.stage && customer.stage !== f.stage) return false;
  if (f.consent && !customer.consents.some((c) => c.channel === f.consent && c.granted)) return false;
  if (f.minVisits && customer.visit_count < Number(f.minVisits)) return false;
  if (f.minSpend && customer.total_spend < Number(f.minSpend)) return false;
  if (f.lastVisit) {
    const days = customer.last_visit_at ? (Date.now() - new Date(customer.last_visit_at).getTime()) / 86_400_000 : Infinity;
    if (f.lastVisit === "over90" ? days <= 90 : days > Number(f.lastVisit)) return false;
  }
  return true;
}

export function Customers() {
  const [tag, setTag] = useState("");
  const [appliedTag, setAppliedTag] = useState("");
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [items, setItems] = useState<CustomerSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const load = async (from: string | null, tagValue: string) => {
    const params = new URLSearchParams({ limit: "200" });
    if (tagValue) params.set("tag", tagValue);
    if (from) params.set("cursor", from);
    try {
      const page = await api.get<Page<CustomerSummary>>(`/customers?${params}`);
      setItems((previous) => (from ? [...previous, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setNotice(null);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };

  useEffect(() => {
    load(null, appliedTag);
  }, [appliedTag]);

  const set = (name: keyof Filters) => (event: Event) =>
    setFilters({ ...filters, [name]: (event.currentTarget as HTMLInputElement).value });
  const shown = items.filter((c) => matches(c, filters));

  return (
    <div class="office">
      <h1>{t("customers.title")}</h1>
      <form
        class="filters card"
        aria-label={t("customers.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          setAppliedTag(tag.trim());
        }}
      >
        <Field label={t("customers.tag")}>
          <input name="tag" value={tag} onInput={(e) => setTag(e.currentTarget.value)} />
        </Field>
        <Field label={t("customers.stage")}>
          <select name="stage" value={filters.stage} onChange={set("stage")}>
            <option value="">{t("common.all")}</option>
            {(["prospect", "new", "regular", "loyal", "lapsed"] as const).map((s) => (
              <option value={s} key={s}>
                {t(`stage.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("customers.consent")}>
          <select name="consent" value={filters.consent} onChange={set("consent")}>
            <option value="">{t("common.all")}</option>
            {(["sms", "kakao", "email", "night"] as const).map((c) => (
              <option value={c} key={c}>
                {t(`consent.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("customers.lastVisit")}>
          <select name="lastVisit" value={filters.lastVisit} onChange={set("lastVisit")}>
            <option value="">{t("customers.lastVisit.any")}</option>
            <option value="30">{t("customers.lastVisit.30")}</option>
            <option value="90">{t("customers.lastVisit.90")}</option>
            <option value="over90">{t("customers.lastVisit.over90")}</option>
          </select>
        </Field>
        <Field label={t("customers.minVisits")}>
          <input name="minVisits" inputMode="numeric" value={filters.minVisits} onInput={set("minVisits")} />
        </Field>
        <Field label={t("customers.minSpend")}>
          <input name="minSpend" inputMode="numeric" value={filters.minSpend} onInput={set("minSpend")} />
        </Field>
        <button class="button primary" type="submit">
          {t("customers.apply")}
        </button>
      </form>
      <StatusLine notice={notice} />
      <p class="muted" data-testid="shown">
        {t("customers.shown", { shown: number(shown.length), loaded: number(items.length) })}
      </p>
      {shown.length === 0 ? (
        <p class="empty">{t("customers.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="customers-table">
            <thead>
              <tr>
                <th scope="col">{t("customers.col.name")}</th>
                <th scope="col">{t("customers.col.phone")}</th>
                <th scope="col">{t("customers.col.stage")}</th>
                <th scope="col" class="num">{t("customers.col.visits")}</th>
                <th scope="col" class="num">{t("customers.col.spend")}</th>
                <th scope="col">{t("customers.col.lastVisit")}</th>
                <th scope="col">{t("customers.col.tags")}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/office/customers/${c.id}`} onClick={linkClick}>
                      {c.name || t("counter.noName")}
                    </a>
                  </td>
                  <td>{c.phone_masked ?? "—"}</td>
                  <td>
                    <StageBadge stage={c.stage} />
                  </td>
                  <td class="num">{number(c.visit_count)}</td>
                  <td class="num">{won(c.total_spend)}</td>
                  <td>{date(c.last_visit_at)}</td>
                  <td>{c.tags.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? (
        <button class="button" type="button" onClick={() => load(cursor, appliedTag)}>
          {t("common.more")}
        </button>
      ) : null}
    </div>
  );
}
