// The back office's customer list. Every filter is applied by the server (GET /customers takes
// them as query parameters), so the list pages through the matching customers only; "Export CSV"
// downloads the same filtered list from GET /exports/customers.
import { useEffect, useState } from "preact/hooks";
import { api, errorKey, type Channel, type CustomerSummary, type Page, type Stage } from "../api";
import { date, number, t, won } from "../i18n";
import { linkClick } from "../router";
import { Field, StageBadge, StatusLine, type Notice } from "../components/ui";

interface Filters {
  tag: string;
  tier: string;
  stage: Stage | "";
  consent: Channel | "";
  minVisits: string;
  maxVisits: string;
  minSpend: string;
  maxSpend: string;
  lastVisit: "" | "30" | "90" | "over90";
}

const noFilters: Filters = {
  tag: "",
  tier: "",
  stage: "",
  consent: "",
  minVisits: "",
  maxVisits: "",
  minSpend: "",
  maxSpend: "",
  lastVisit: "",
};

const dayMs = 86_400_000;

// The server's query parameters for the filters (without paging).
export function filterParams(f: Filters, now: number = Date.now()): URLSearchParams {
  const params = new URLSearchParams();
  const put = (name: string, value: string) => {
    if (value.trim()) params.set(name, value.trim());
  };
  put("tag", f.tag);
  put("tier", f.tier);
  put("stage", f.stage);
  put("consent", f.consent);
  put("visits_min", f.minVisits);
  put("visits_max", f.maxVisits);
  put("spend_min", f.minSpend);
  put("spend_max", f.maxSpend);
  if (f.lastVisit === "over90") {
    params.set("last_visit_before", new Date(now - 90 * dayMs).toISOString());
  } else if (f.lastVisit) {
    params.set("last_visit_after", new Date(now - Number(f.lastVisit) * dayMs).toISOString());
  }
  return params;
}

export function Customers() {
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [applied, setApplied] = useState<Filters>(noFilters);
  const [mask, setMask] = useState(true);
  const [items, setItems] = useState<CustomerSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<Notice>(null);

  const load = async (from: string | null, filters: Filters) => {
    const params = filterParams(filters);
    params.set("limit", "200");
    if (from) params.set("cursor", from);
    setLoading(true);
    try {
      const page = await api.get<Page<CustomerSummary>>(`/customers?${params}`);
      setItems((previous) => (from ? [...previous, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setNotice(null);
    } catch (error) {
      if (!from) setItems([]);
      setCursor(null);
      setNotice({ kind: "error", text: t(errorKey(error)) });
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    load(null, applied);
  }, [applied]);

  // Choices apply at once; typed values when the form is submitted.
  const choose = (name: keyof Filters) => (event: Event) => {
    const next = { ...draft, [name]: (event.currentTarget as HTMLSelectElement).value };
    setDraft(next);
    setApplied(next);
  };
  const type = (name: keyof Filters) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });

  const exportParams = filterParams(applied);
  exportParams.set("format", "csv");
  exportParams.set("mask", String(mask));

  return (
    <div class="office">
      <h1>{t("customers.title")}</h1>
      <form
        class="filters card"
        aria-label={t("customers.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ ...draft });
        }}
      >
        <Field label={t("customers.tag")}>
          <input name="tag" value={draft.tag} onInput={type("tag")} />
        </Field>
        <Field label={t("customers.tier")}>
          <input name="tier" value={draft.tier} onInput={type("tier")} />
        </Field>
        <Field label={t("customers.stage")}>
          <select name="stage" value={draft.stage} onChange={choose("stage")}>
            <option value="">{t("common.all")}</option>
            {(["prospect", "new", "regular", "loyal", "lapsed"] as const).map((s) => (
              <option value={s} key={s}>
                {t(`stage.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("customers.consent")}>
          <select name="consent" value={draft.consent} onChange={choose("consent")}>
            <option value="">{t("common.all")}</option>
            {(["sms", "kakao", "email", "night"] as const).map((c) => (
              <option value={c} key={c}>
                {t(`consent.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("customers.lastVisit")}>
          <select name="lastVisit" value={draft.lastVisit} onChange={choose("lastVisit")}>
            <option value="">{t("customers.lastVisit.any")}</option>
            <option value="30">{t("customers.lastVisit.30")}</option>
            <option value="90">{t("customers.lastVisit.90")}</option>
            <option value="over90">{t("customers.lastVisit.over90")}</option>
          </select>
        </Field>
        <Field label={t("customers.minVisits")}>
          <input name="minVisits" inputMode="numeric" value={draft.minVisits} onInput={type("minVisits")} />
        </Field>
        <Field label={t("customers.maxVisits")}>
          <input name="maxVisits" inputMode="numeric" value={draft.maxVisits} onInput={type("maxVisits")} />
        </Field>
        <Field label={t("customers.minSpend")}>
          <input name="minSpend" inputMode="numeric" value={draft.minSpend} onInput={type("minSpend")} />
        </Field>
        <Field label={t("customers.maxSpend")}>
          <input name="maxSpend" inputMode="numeric" value={draft.maxSpend} onInput={type("maxSpend")} />
        </Field>
        <button class="button primary" type="submit">
          {t("customers.apply")}
        </button>
      </form>
      <div class="export-bar">
        <label class="check">
          <input type="checkbox" checked={mask} onChange={(e) => setMask(e.currentTarget.checked)} />{" "}
          {t("customers.export.mask")}
        </label>
        <a class="button" href={`/api/v1/exports/customers?${exportParams}`} download data-testid="export-csv">
          {t("customers.export.csv")}
        </a>
      </div>
      <StatusLine notice={notice} />
      <p class="muted" data-testid="shown" aria-live="polite">
        {loading ? t("customers.loading") : t("customers.shown", { shown: number(items.length) })}
      </p>
      {items.length === 0 ? (
        loading ? null : <p class="empty">{t("customers.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="customers-table" aria-busy={loading}>
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
              {items.map((c) => (
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
        <button class="button" type="button" onClick={() => load(cursor, applied)}>
          {t("common.more")}
        </button>
      ) : null}
    </div>
  );
}
