// The customer list's filter form: choices apply at once, typed values when the form is submitted.
import { t } from "../i18n";
import type { Channel, Stage } from "../api";
import { Field } from "./ui";

export interface Filters {
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

export const noFilters: Filters = {
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

// The server's query parameters for the filters (without search, sort or paging).
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

interface Props {
  draft: Filters;
  setDraft: (next: Filters) => void;
  apply: (next: Filters) => void;
}

export function CustomerFilters({ draft, setDraft, apply }: Props) {
  const choose = (name: keyof Filters) => (event: Event) => {
    const next = { ...draft, [name]: (event.currentTarget as HTMLSelectElement).value };
    setDraft(next);
    apply(next);
  };
  const type = (name: keyof Filters) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  const number = (name: keyof Filters, label: string) => (
    <Field label={label}>
      <input name={name} inputMode="numeric" value={draft[name]} onInput={type(name)} />
    </Field>
  );
  return (
    <details class="filters-box card" open>
      <summary>{t("customers.filters")}</summary>
      <form
        class="filters"
        aria-label={t("customers.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          apply({ ...draft });
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
        {number("minVisits", t("customers.minVisits"))}
        {number("maxVisits", t("customers.maxVisits"))}
        {number("minSpend", t("customers.minSpend"))}
        {number("maxSpend", t("customers.maxSpend"))}
        <button class="button primary" type="submit">
          {t("customers.apply")}
        </button>
      </form>
    </details>
  );
}
