// The owner's loyalty settings: start from a preset, edit the main fields and the tiers, save with
// PUT /loyalty/program; a 400 lists every bad field, and each message is shown next to its field. Below, the
// coupon templates and a form for a new one.
import { useEffect, useState } from "preact/hooks";
import {
  api,
  ApiError,
  errorKey,
  type CouponTemplate,
  type FieldProblem,
  type Page,
  type Preset,
  type Program,
  type Tier,
} from "../api";
import { date, t, type MessageKey } from "../i18n";
import { Field, StatusLine, useWrite, type Notice } from "../components/ui";
import { couponValue, loadProgram } from "../components/loyalty";

type FieldErrors = Record<string, string>;

const shownFields =
  /^(name|rate_permille|stamps_per_reward|reward_value|min_order_amount|min_balance_to_redeem|max_redeem_percent|expiry_months|visit_rule|visit_day_start_hour|tiers|tiers\[\d+\]\.(name|threshold|earn_multiplier_percent))$/;

// A field's problem in the staff's words, from the reason code and figures the server sent.
function explainField(problem: FieldProblem): string {
  const figures = problem.figures ?? {};
  switch (problem.reason) {
    case "out_of_range": {
      const [min, max] = [figures.min ?? 0, figures.max ?? 0];
      // The rate is edited in percent, stored in tenths of a percent.
      if (problem.field === "rate_permille") return t("settings.range", { min: `${min / 10}%`, max: `${max / 10}%` });
      return t("settings.range", { min, max });
    }
    case "not_rising":
      return t("settings.rising");
    case "first_tier_not_zero":
      return t("settings.firstZero");
    case "required":
    case "length":
      return t("settings.required");
  }
  return t("error.invalid");
}

// Every problem of a refused save: the answer's list, or its one field.
function problemsOf(error: ApiError): FieldProblem[] {
  if (error.errors.length) return error.errors;
  return error.field ? [{ field: error.field, message: error.message, reason: error.reason, figures: error.figures }] : [];
}

function FieldError({ errors, name }: { errors: FieldErrors; name: string }) {
  const text = errors[name];
  if (!text) return null;
  return (
    <span class="field-error" role="alert" data-testid={`error-${name}`}>
      {text}
    </span>
  );
}

function NumberInput(props: { name: string; value: number; step?: string; onChange: (v: number) => void; invalid?: boolean }) {
  return (
    <input
      name={props.name}
      type="number"
      inputMode="decimal"
      step={props.step ?? "1"}
      value={String(props.value)}
      aria-invalid={props.invalid ? "true" : undefined}
      onInput={(e) => {
        const v = Number(e.currentTarget.value);
        if (Number.isFinite(v)) props.onChange(v);
      }}
    />
  );
}

export function LoyaltySettings() {
  const [presets, setPresets] = useState<Preset[]>([]);
  const [saved, setSaved] = useState<Program | null | undefined>(undefined);
  const [draft, setDraft] = useState<Program | null>(null);
  const [preset, setPreset] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<Notice>(null);
  // A 400 is explained next to its field; one about a field this form does not show is explained here.
  const write = useWrite((error) => {
    if (!(error instanceof ApiError) || error.status !== 400) return null;
    const hidden = problemsOf(error).filter((problem) => !shownFields.test(problem.field));
    if (!hidden.length) return t("settings.fixMarked", { count: problemsOf(error).length });
    return hidden.map((problem) => `${t("settings.fieldError", { field: problem.field })} — ${explainField(problem)}`).join(" · ");
  });

  useEffect(() => {
    api
      .get<Page<Preset>>("/loyalty/presets")
      .then((page) => setPresets(page.items))
      .catch(() => setPresets([]));
    loadProgram(true)
      .then((program) => {
        setSaved(program);
        setDraft(program);
      })
      .catch((error) => setNotice({ kind: "error", text: t(errorKey(error)) }));
  }, []);

  const choosePreset = (name: string) => {
    setPreset(name);
    setErrors({});
    const found = presets.find((p) => p.preset === name);
    setDraft(found ? structuredClone(found.program) : saved ?? null);
  };

  const set = <K extends keyof Program>(key: K, value: Program[K]) => {
    if (!draft) return;
    setDraft({ ...draft, [key]: value });
    setErrors((e) => ({ ...e, [key as string]: "" }));
  };
  const setTier = (index: number, change: Partial<Tier>) => {
    if (!draft) return;
    setDraft({ ...draft, tiers: draft.tiers.map((tier, i) => (i === index ? { ...tier, ...change } : tier)) });
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!draft) return;
    setErrors({});
    setNotice(null);
    // The whole program goes back, so fields this form does not show keep their values.
    const { unit: _unit, ...body } = draft;
    const gacha = (draft.gacha as { label: string; weight: number; points: number }[] | undefined) ?? [];
    const payload: Record<string, unknown> = {
      ...body,
      gacha: gacha.map(({ label, weight, points }) => ({ label, weight, points })),
    };
    if (preset) payload.preset = preset;
    let failure: unknown = null;
    const result = await write.run((options) =>
      api.put<Program>("/loyalty/program", payload, options).catch((error) => {
        failure = error;
        throw error;
      }),
    );
    if (result) {
      setSaved(result);
      setDraft(result);
      setPreset("");
      loadProgram(true).catch(() => undefined);
      setNotice({ kind: "ok", text: t("settings.saved") });
    } else if (failure instanceof ApiError && failure.status === 400) {
      const marked: FieldErrors = {};
      for (const problem of problemsOf(failure)) marked[problem.field] ??= explainField(problem);
      setErrors(marked);
    }
  };

  if (saved === undefined && !notice) return <p class="loading">{t("app.loading")}</p>;

  const kind = draft?.kind;
  const err = (name: string) => Boolean(errors[name]);
  return (
    <div class="office loyalty-settings">
      <h1>{t("settings.title")}</h1>
      <StatusLine notice={notice} />
      <form class="card" onSubmit={save} aria-labelledby="program-title" data-testid="program-form">
        <h2 id="program-title">{saved ? `${t("settings.current")}: ${saved.name}` : t("settings.noProgram")}</h2>
        <Field label={t("settings.preset")} hint={t("settings.presetHint")}>
          <select name="preset" value={preset} onChange={(e) => choosePreset(e.currentTarget.value)}>
            <option value="">{saved ? t("settings.presetKeep") : "—"}</option>
            {presets.map((p) => (
              <option value={p.preset} key={p.preset}>
                {t(`settings.kind.${p.program.kind}` as MessageKey)} · {p.program.name}
              </option>
            ))}
          </select>
        </Field>
        {draft ? (
          <>
            <p class="muted">
              {t("settings.kind")}: <strong>{t(`settings.kind.${draft.kind}` as MessageKey)}</strong>
            </p>
            <Field label={t("settings.name")}>
              <input name="name" value={draft.name} aria-invalid={err("name") ? "true" : undefined} onInput={(e) => set("name", e.currentTarget.value)} />
              <FieldError errors={errors} name="name" />
            </Field>
            <div class="row">
              {kind === "points" ? (
                <Field label={t("settings.rate")} hint={t("settings.rateHint")}>
                  <NumberInput
                    name="rate"
                    step="0.1"
                    value={draft.rate_permille / 10}
                    invalid={err("rate_permille")}
                    onChange={(v) => set("rate_permille", Math.round(v * 10))}
                  />
                  <FieldError errors={errors} name="rate_permille" />
                </Field>
              ) : null}
              {kind === "stamps" ? (
                <Field label={t("settings.stampsPerReward")}>
                  <NumberInput name="stamps_per_reward" value={draft.stamps_per_reward} invalid={err("stamps_per_reward")} onChange={(v) => set("stamps_per_reward", v)} />
                  <FieldError errors={errors} name="stamps_per_reward" />
                </Field>
              ) : null}
              {kind === "stamps" || kind === "stars" ? (
                <Field label={t("settings.rewardValue")}>
                  <NumberInput name="reward_value" value={draft.reward_value} invalid={err("reward_value")} onChange={(v) => set("reward_value", v)} />
                  <FieldError errors={errors} name="reward_value" />
                </Field>
              ) : null}
              {kind === "points" ? (
                <Field label={t("settings.minOrder")}>
                  <NumberInput name="min_order_amount" value={draft.min_order_amount} invalid={err("min_order_amount")} onChange={(v) => set("min_order_amount", v)} />
                  <FieldError errors={errors} name="min_order_amount" />
                </Field>
              ) : null}
            </div>
            {kind !== "visit_ranks" ? (
              <div class="row">
                <Field label={t("settings.minBalance")}>
                  <NumberInput name="min_balance_to_redeem" value={draft.min_balance_to_redeem} invalid={err("min_balance_to_redeem")} onChange={(v) => set("min_balance_to_redeem", v)} />
                  <FieldError errors={errors} name="min_balance_to_redeem" />
                </Field>
                <Field label={t("settings.maxRedeem")}>
                  <NumberInput name="max_redeem_percent" value={draft.max_redeem_percent} invalid={err("max_redeem_percent")} onChange={(v) => set("max_redeem_percent", v)} />
                  <FieldError errors={errors} name="max_redeem_percent" />
                </Field>
                <Field label={t("settings.expiry")}>
                  <NumberInput name="expiry_months" value={draft.expiry_months} invalid={err("expiry_months")} onChange={(v) => set("expiry_months", v)} />
                  <FieldError errors={errors} name="expiry_months" />
                </Field>
              </div>
            ) : null}
            <div class="row">
              <Field label={t("settings.visitRule")} hint={t("settings.visitRuleHint")}>
                <select
                  name="visit_rule"
                  value={draft.visit_rule}
                  aria-invalid={err("visit_rule") ? "true" : undefined}
                  onChange={(e) => set("visit_rule", e.currentTarget.value as Program["visit_rule"])}
                >
                  {(["per_branch_day", "per_day", "every_order"] as const).map((rule) => (
                    <option value={rule} key={rule}>
                      {t(`settings.visitRule.${rule}`)}
                    </option>
                  ))}
                </select>
                <FieldError errors={errors} name="visit_rule" />
              </Field>
              <Field label={t("settings.visitDayStart")} hint={t("settings.visitDayStartHint")}>
                <NumberInput
                  name="visit_day_start_hour"
                  value={draft.visit_day_start_hour}
                  invalid={err("visit_day_start_hour")}
                  onChange={(v) => set("visit_day_start_hour", v)}
                />
                <FieldError errors={errors} name="visit_day_start_hour" />
              </Field>
            </div>
            <TiersTable draft={draft} errors={errors} setTier={setTier} setDraft={setDraft} />
            <StatusLine notice={write.notice} />
            <button class="button primary big" type="submit" disabled={write.busy}>
              {t("settings.save")}
            </button>
          </>
        ) : null}
      </form>
      <CouponTemplates />
    </div>
  );
}

function TiersTable(props: {
  draft: Program;
  errors: FieldErrors;
  setTier: (index: number, change: Partial<Tier>) => void;
  setDraft: (program: Program) => void;
}) {
  const { draft, errors } = props;
  const metric = draft.tier_metric as "visits" | "spend" | "earned";
  // An error about the tiers as a whole ("tiers") or one not shown in a cell.
  const tierWide = errors["tiers"];
  return (
    <fieldset class="tiers">
      <legend>
        {t("settings.tiers")} <span class="muted small">· {t("settings.tierMetric")}: {t(`settings.tierMetric.${metric}` as MessageKey)}</span>
      </legend>
      {tierWide ? (
        <span class="field-error" role="alert" data-testid="error-tiers">
          {tierWide}
        </span>
      ) : null}
      {draft.tiers.length ? (
        <div class="table-wrap" tabIndex={0}>
          <table class="table tiers-table">
            <thead>
              <tr>
                <th>{t("settings.tierName")}</th>
                <th>{t("settings.tierThreshold")}</th>
                <th>{t("settings.tierMultiplier")}</th>
                <th>{t("settings.tierBenefit")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {draft.tiers.map((tier, i) => (
                <tr key={i}>
                  <td>
                    <input
                      aria-label={`${t("settings.tierName")} ${i + 1}`}
                      value={tier.name}
                      onInput={(e) => props.setTier(i, { name: e.currentTarget.value })}
                    />
                    <FieldError errors={errors} name={`tiers[${i}].name`} />
                  </td>
                  <td>
                    <input
                      aria-label={`${t("settings.tierThreshold")} ${i + 1}`}
                      type="number"
                      value={String(tier.threshold)}
                      aria-invalid={errors[`tiers[${i}].threshold`] ? "true" : undefined}
                      onInput={(e) => props.setTier(i, { threshold: Number(e.currentTarget.value) })}
                    />
                    <FieldError errors={errors} name={`tiers[${i}].threshold`} />
                  </td>
                  <td>
                    <input
                      aria-label={`${t("settings.tierMultiplier")} ${i + 1}`}
                      type="number"
                      value={String(tier.earn_multiplier_percent)}
                      onInput={(e) => props.setTier(i, { earn_multiplier_percent: Number(e.currentTarget.value) })}
                    />
                    <FieldError errors={errors} name={`tiers[${i}].earn_multiplier_percent`} />
                  </td>
                  <td>
                    <input
                      aria-label={`${t("settings.tierBenefit")} ${i + 1}`}
                      value={tier.benefit}
                      onInput={(e) => props.setTier(i, { benefit: e.currentTarget.value })}
                    />
                  </td>
                  <td>
                    <button
                      class="button small ghost"
                      type="button"
                      onClick={() => props.setDraft({ ...draft, tiers: draft.tiers.filter((_, j) => j !== i) })}
                    >
                      {t("settings.tierRemove")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">{t("settings.noTiers")}</p>
      )}
      <button
        class="button small"
        type="button"
        onClick={() => {
          const last = draft.tiers[draft.tiers.length - 1];
          const tier: Tier = {
            name: "",
            threshold: last ? last.threshold + 1 : 0,
            earn_multiplier_percent: 100,
            reward_every: 0,
            welcome_coupon_template: 0,
            benefit: "",
          };
          props.setDraft({ ...draft, tiers: [...draft.tiers, tier] });
        }}
      >
        {t("settings.tierAdd")}
      </button>
    </fieldset>
  );
}

function CouponTemplates() {
  const [templates, setTemplates] = useState<CouponTemplate[]>([]);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<CouponTemplate["kind"]>("amount_off");
  const [value, setValue] = useState("");
  const [validity, setValidity] = useState<CouponTemplate["validity"]>("days");
  const [days, setDays] = useState("30");
  const [from, setFrom] = useState("");
  const [until, setUntil] = useState("");
  const [limit, setLimit] = useState("0");
  const [done, setDone] = useState<Notice>(null);
  const write = useWrite((error) =>
    error instanceof ApiError && error.status === 400
      ? `${t("error.invalid")} (${error.field ?? ""}: ${problemsOf(error).map(explainField).join(", ")})`
      : null,
  );
  const load = () =>
    api
      .get<Page<CouponTemplate>>("/coupon-templates")
      .then((page) => setTemplates(page.items))
      .catch(() => setTemplates([]));
  useEffect(() => {
    load();
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    setDone(null);
    const body: Record<string, unknown> = {
      name: name.trim(),
      kind,
      value: Number(value) || 0,
      validity,
      per_customer_limit: Number(limit) || 0,
    };
    if (validity === "days") body.valid_days = Number(days) || 1;
    if (validity === "date_range") {
      body.valid_from = from;
      body.valid_until = until;
    }
    const created = await write.run((options) => api.post<CouponTemplate>("/coupon-templates", body, options));
    if (created) {
      setName("");
      setValue("");
      setDone({ kind: "ok", text: t("templates.created") });
      load();
    }
  };

  const validityText = (c: CouponTemplate) =>
    c.validity === "days"
      ? t("templates.daysValue", { n: c.valid_days })
      : c.validity === "date_range"
        ? `${date(c.valid_from)} – ${date(c.valid_until)}`
        : t("templates.validity.same_day");

  return (
    <section class="card" aria-labelledby="templates-title">
      <h2 id="templates-title">{t("templates.title")}</h2>
      {templates.length ? (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="templates">
            <thead>
              <tr>
                <th>{t("templates.name")}</th>
                <th>{t("templates.kind")}</th>
                <th>{t("templates.validity")}</th>
                <th class="num">{t("templates.limit")}</th>
              </tr>
            </thead>
            <tbody>
              {templates.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td>{couponValue(c)}</td>
                  <td>{validityText(c)}</td>
                  <td class="num">{c.per_customer_limit || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">{t("templates.empty")}</p>
      )}
      <form class="panel" onSubmit={create} aria-labelledby="template-new-title">
        <h3 id="template-new-title">{t("templates.new")}</h3>
        <div class="row">
          <Field label={t("templates.name")}>
            <input name="template-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label={t("templates.kind")}>
            <select name="template-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as CouponTemplate["kind"])}>
              {(["amount_off", "percent_off", "free_item"] as const).map((k) => (
                <option value={k} key={k}>
                  {t(`templates.kind.${k}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("templates.value")}>
            <input name="template-value" type="number" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          </Field>
        </div>
        <div class="row">
          <Field label={t("templates.validity")}>
            <select
              name="template-validity"
              value={validity}
              onChange={(e) => setValidity(e.currentTarget.value as CouponTemplate["validity"])}
            >
              {(["same_day", "days", "date_range"] as const).map((v) => (
                <option value={v} key={v}>
                  {t(`templates.validity.${v}`)}
                </option>
              ))}
            </select>
          </Field>
          {validity === "days" ? (
            <Field label={t("templates.validDays")}>
              <input name="template-days" type="number" value={days} onInput={(e) => setDays(e.currentTarget.value)} />
            </Field>
          ) : null}
          {validity === "date_range" ? (
            <>
              <Field label={t("templates.validFrom")}>
                <input name="template-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
              </Field>
              <Field label={t("templates.validUntil")}>
                <input name="template-until" type="date" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
              </Field>
            </>
          ) : null}
          <Field label={t("templates.limit")}>
            <input name="template-limit" type="number" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
          </Field>
        </div>
        <StatusLine notice={write.notice ?? done} />
        <button class="button primary" type="submit" disabled={write.busy}>
          {t("templates.create")}
        </button>
      </form>
    </section>
  );
}
