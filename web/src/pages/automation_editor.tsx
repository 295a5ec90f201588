// The automation editor: the trigger and its parameters, a message (send hour, channel and
// fallback, purpose, template with variables, optional coupon, frequency cap, control share) or a
// staff task, saved with POST or PUT /automations and switched on or off. The template is shown
// as it will go out, composed by the campaign preview (the legal advertising form, its length
// against the channel's limit); when that cannot be had, the raw template and its byte length.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, errorKey, type CouponTemplate, type Page, type Staff } from "../api";
import {
  automationChannels,
  blankAutomation,
  messageBytes,
  smsByteLimit,
  triggerKinds,
  triggersWithDays,
  type Automation,
  type AutomationChannel,
  type AutomationInput,
} from "../api_automations";
import { hasMessage, t } from "../i18n";
import { linkClick, navigate } from "../router";
import { isManager, useSession } from "../session";
import { Field, StatusLine, useWrite, type Notice } from "../components/ui";
import { StateBadge } from "./automations";

const variables = ["#{이름}", "#{쿠폰코드}", "#{포인트}", "#{등급}", "#{다음보상}", "#{수신거부}"];

// The campaign preview's answer, the part the editor shows.
interface ComposedMessage {
  channel: string;
  subject: string;
  body: string;
  length: number;
  limit: number | null;
  violations: { rule: string; code: string; message: string }[];
}

// The campaign routes name the brand message "brand_message".
const campaignChannel = (channel: AutomationChannel) => (channel === "brand" ? "brand_message" : channel);

// Only the fields the API takes: an automation read back also carries its id, state and times.
function toInput(draft: AutomationInput): AutomationInput {
  return {
    name: draft.name.trim(),
    trigger: draft.trigger,
    action: draft.action,
    send_hour: draft.send_hour,
    channel: draft.channel,
    fallback_channel: draft.fallback_channel,
    purpose: draft.purpose,
    template: draft.template,
    coupon_template_id: draft.coupon_template_id,
    frequency_cap_days: draft.frequency_cap_days,
    control_share_permille: draft.control_share_permille,
    task: draft.action === "task" ? (draft.task ?? { title: "", assignee: "none" }) : null,
  };
}

export function AutomationEditor({ id }: { id: number | null }) {
  const { me } = useSession();
  const manager = isManager(me);
  const [draft, setDraft] = useState<AutomationInput>(blankAutomation);
  const [saved, setSaved] = useState<Automation | null>(null);
  const [coupons, setCoupons] = useState<CouponTemplate[]>([]);
  const [staff, setStaff] = useState<Staff[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const [fieldError, setFieldError] = useState<{ field: string; text: string } | null>(null);
  const write = useWrite();

  useEffect(() => {
    if (id !== null) {
      api
        .get<Automation>(`/automations/${id}`)
        .then((automation) => {
          setSaved(automation);
          setDraft({ ...blankAutomation(), ...automation });
        })
        .catch((error) => setNotice({ kind: "error", text: t(errorKey(error)) }));
    }
    api.get<Page<CouponTemplate>>("/coupon-templates").then((page) => setCoupons(page.items.filter((c) => c.active)), () => {});
    api.get<Page<Staff>>("/staff").then((page) => setStaff(page.items.filter((s) => s.active)), () => {});
  }, [id]);

  const set = (patch: Partial<AutomationInput>) => setDraft({ ...draft, ...patch });
  const setTrigger = (patch: Partial<AutomationInput["trigger"]>) => set({ trigger: { ...draft.trigger, ...patch } });

  const save = async (event: Event) => {
    event.preventDefault();
    setFieldError(null);
    setNotice(null);
    const body = toInput(draft);
    try {
      const result =
        id === null
          ? await api.post<Automation>("/automations", body)
          : await api.put<Automation>(`/automations/${id}`, body);
      setSaved(result);
      setNotice({ kind: "ok", text: t("common.saved") });
      if (id === null) navigate(`/office/automations/${result.id}`, true);
    } catch (error) {
      if (error instanceof ApiError && error.field) setFieldError({ field: error.field, text: explainRefusal(error) });
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  const switchState = async (verb: "activate" | "pause") => {
    if (!saved) return;
    const changed = await write.run((options) => api.post<Automation>(`/automations/${saved.id}/${verb}`, {}, options));
    if (changed) setSaved(changed);
  };
  const fieldProblem = (name: string) =>
    fieldError && (fieldError.field === name || fieldError.field.startsWith(`${name}.`)) ? (
      <span class="field-error" role="alert" data-testid={`error-${name}`}>
        {fieldError.text}
      </span>
    ) : null;

  const hasDays = triggersWithDays.includes(draft.trigger.kind);
  return (
    <form class="office automation-editor" onSubmit={save} data-testid="automation-editor">
      <p>
        <a href="/office/automations" onClick={linkClick}>
          ← {t("auto.title")}
        </a>
      </p>
      <div class="dash-head">
        <h1>{id === null ? t("auto.new") : draft.name || t("auto.edit")}</h1>
        {saved ? <StateBadge state={saved.state} /> : null}
      </div>
      <StatusLine notice={notice} />
      <section class="card">
        <h2>{t("auto.section.when")}</h2>
        <div class="row">
          <Field label={t("auto.field.name")}>
            <input required value={draft.name} onInput={(e) => set({ name: e.currentTarget.value })} />
            {fieldProblem("name")}
          </Field>
          <Field label={t("auto.field.trigger")}>
            <select
              value={draft.trigger.kind}
              onChange={(e) => setTrigger({ kind: e.currentTarget.value as AutomationInput["trigger"]["kind"] })}
            >
              {triggerKinds.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`auto.kind.${kind}`)}
                </option>
              ))}
            </select>
            {fieldProblem("trigger.kind")}
          </Field>
          {hasDays ? (
            <Field label={t(draft.trigger.kind === "birthday" || draft.trigger.kind === "anniversary" ? "auto.field.daysBefore" : "auto.field.days")}>
              <input
                type="number"
                min="0"
                max="3650"
                value={String(draft.trigger.days ?? 0)}
                onInput={(e) => setTrigger({ days: Number(e.currentTarget.value) })}
              />
              {fieldProblem("trigger.days")}
            </Field>
          ) : null}
          {draft.trigger.kind === "churn_risk" ? (
            <Field label={t("auto.field.threshold")} hint={t("auto.field.thresholdHint")}>
              <input
                type="number"
                min="1"
                max="99"
                value={String(Math.round((draft.trigger.threshold ?? 0.7) * 100))}
                onInput={(e) => setTrigger({ threshold: Number(e.currentTarget.value) / 100 })}
              />
              {fieldProblem("trigger.threshold")}
            </Field>
          ) : null}
          {draft.trigger.kind === "tier_promotion" ? (
            <Field label={t("auto.field.tier")} hint={t("auto.field.tierHint")}>
              <input value={draft.trigger.tier ?? ""} onInput={(e) => setTrigger({ tier: e.currentTarget.value.trim() || null })} />
              {fieldProblem("trigger.tier")}
            </Field>
          ) : null}
          <Field label={t("auto.field.sendHour")} hint={t("auto.field.sendHourHint")}>
            <select value={String(draft.send_hour)} onChange={(e) => set({ send_hour: Number(e.currentTarget.value) })}>
              {Array.from({ length: 24 }, (_, hour) => (
                <option key={hour} value={String(hour)}>
                  {t("auto.atHour", { hour })}
                </option>
              ))}
            </select>
            {fieldProblem("send_hour")}
          </Field>
        </div>
        <fieldset class="row choice">
          <legend class="field-label">{t("auto.field.action")}</legend>
          {(["message", "task"] as const).map((action) => (
            <label class="check" key={action}>
              <input type="radio" name="action" checked={draft.action === action} onChange={() => set({ action })} />{" "}
              {t(`auto.action.${action}`)}
            </label>
          ))}
        </fieldset>
      </section>
      {draft.action === "message" ? (
        <MessageSection draft={draft} set={set} coupons={coupons} fieldProblem={fieldProblem} />
      ) : (
        <section class="card">
          <h2>{t("auto.section.task")}</h2>
          <div class="row">
            <Field label={t("auto.field.taskTitle")} hint={t("auto.field.taskTitleHint")}>
              <input
                required
                value={draft.task?.title ?? ""}
                onInput={(e) => set({ task: { assignee: "none", ...draft.task, title: e.currentTarget.value } })}
              />
              {fieldProblem("task.title")}
            </Field>
            <Field label={t("auto.field.assignee")}>
              <select
                value={String(draft.task?.assignee ?? "none")}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  const assignee = value === "none" || value === "author" ? value : Number(value);
                  set({ task: { title: draft.task?.title ?? "", assignee } });
                }}
              >
                <option value="none">{t("auto.assignee.none")}</option>
                <option value="author">{t("auto.assignee.author")}</option>
                {staff.map((s) => (
                  <option key={s.id} value={String(s.id)}>
                    {s.display_name || s.email}
                  </option>
                ))}
              </select>
              {fieldProblem("task.assignee")}
            </Field>
          </div>
        </section>
      )}
      {manager ? (
        <div class="form-buttons">
          <button class="button primary" type="submit">
            {t("common.save")}
          </button>
          {saved?.state === "paused" ? (
            <button class="button" type="button" disabled={write.busy} onClick={() => switchState("activate")}>
              {t("auto.activate")}
            </button>
          ) : null}
          {saved?.state === "active" ? (
            <button class="button" type="button" disabled={write.busy} onClick={() => switchState("pause")}>
              {t("auto.pause")}
            </button>
          ) : null}
          {saved ? (
            <>
              <a class="button ghost" href={`/office/automations/${saved.id}/dry-run`} onClick={linkClick}>
                {t("auto.dryRun")}
              </a>
              <a class="button ghost" href={`/office/automations/${saved.id}/report`} onClick={linkClick}>
                {t("auto.report")}
              </a>
            </>
          ) : null}
        </div>
      ) : null}
      <StatusLine notice={write.notice} />
    </form>
  );
}

function MessageSection(props: {
  draft: AutomationInput;
  set: (patch: Partial<AutomationInput>) => void;
  coupons: CouponTemplate[];
  fieldProblem: (name: string) => preact.JSX.Element | null;
}) {
  const { draft, set, fieldProblem } = props;
  const body = useRef<HTMLTextAreaElement>(null);
  const insert = (variable: string) => {
    const area = body.current;
    const text = draft.template.body;
    const at = area ? area.selectionStart : text.length;
    const end = area ? area.selectionEnd : text.length;
    set({ template: { ...draft.template, body: text.slice(0, at) + variable + text.slice(end) } });
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(at + variable.length, at + variable.length);
    });
  };
  return (
    <section class="card">
      <h2>{t("auto.section.message")}</h2>
      <div class="row">
        <Field label={t("auto.field.channel")}>
          <select
            value={draft.channel}
            onChange={(e) => {
              const channel = e.currentTarget.value as AutomationChannel;
              set({ channel, fallback_channel: channel === "alimtalk" ? draft.fallback_channel : null });
            }}
          >
            {automationChannels.map((channel) => (
              <option key={channel} value={channel}>
                {t(`auto.channel.${channel}`)}
              </option>
            ))}
          </select>
          {fieldProblem("channel")}
        </Field>
        {draft.channel === "alimtalk" ? (
          // Only AlimTalk falls back, and only to a text message.
          <Field label={t("auto.field.fallback")}>
            <select
              value={draft.fallback_channel ?? ""}
              onChange={(e) => set({ fallback_channel: e.currentTarget.value === "sms" ? "sms" : null })}
            >
              <option value="">{t("common.none")}</option>
              <option value="sms">{t("auto.channel.sms")}</option>
            </select>
            {fieldProblem("fallback_channel")}
          </Field>
        ) : null}
        <Field label={t("auto.field.purpose")}>
          <select value={draft.purpose} onChange={(e) => set({ purpose: e.currentTarget.value as AutomationInput["purpose"] })}>
            <option value="informational">{t("auto.purpose.informational")}</option>
            <option value="advertising">{t("auto.purpose.advertising")}</option>
          </select>
          {fieldProblem("purpose")}
        </Field>
      </div>
      {draft.channel === "email" ? (
        <Field label={t("auto.field.subject")}>
          <input
            value={draft.template.subject ?? ""}
            onInput={(e) => set({ template: { ...draft.template, subject: e.currentTarget.value } })}
          />
          {fieldProblem("template.subject")}
        </Field>
      ) : null}
      <div class="grid-2 template-grid">
        <div>
          <Field label={t("auto.field.body")}>
            <textarea
              ref={body}
              rows={6}
              required
              value={draft.template.body}
              onInput={(e) => set({ template: { ...draft.template, body: e.currentTarget.value } })}
              data-testid="template-body"
            />
            {fieldProblem("template")}
          </Field>
          <div class="chips variables" aria-label={t("auto.variables")}>
            {variables.map((variable) => (
              <button class="button small" type="button" key={variable} onClick={() => insert(variable)}>
                {variable}
              </button>
            ))}
          </div>
        </div>
        <TemplatePreview draft={draft} />
      </div>
      <div class="row">
        <Field label={t("auto.field.coupon")}>
          <select
            value={draft.coupon_template_id === null ? "" : String(draft.coupon_template_id)}
            onChange={(e) => set({ coupon_template_id: e.currentTarget.value ? Number(e.currentTarget.value) : null })}
          >
            <option value="">{t("common.none")}</option>
            {props.coupons.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
          {fieldProblem("coupon_template_id")}
        </Field>
        <Field label={t("auto.field.cap")} hint={t("auto.field.capHint")}>
          <input
            type="number"
            min="0"
            max="365"
            value={String(draft.frequency_cap_days)}
            onInput={(e) => set({ frequency_cap_days: Number(e.currentTarget.value) })}
          />
          {fieldProblem("frequency_cap_days")}
        </Field>
        <Field label={t("auto.field.control")} hint={t("auto.field.controlHint")}>
          <input
            type="number"
            min="0"
            max="90"
            step="0.1"
            value={String(draft.control_share_permille / 10)}
            onInput={(e) => set({ control_share_permille: Math.round(Number(e.currentTarget.value) * 10) })}
          />
          {fieldProblem("control_share_permille")}
        </Field>
      </div>
    </section>
  );
}

// Rules of a campaign that an automation does not have (its own AlimTalk template code).
const notForAutomations = new Set(["missing_template"]);

// The template as it will go out. Asks the campaign preview (a manager's route) to compose it
// for a sample customer and an empty audience, a moment after the typing stops; shows the raw
// text and its length when the preview cannot answer, with the rule it refused.
function TemplatePreview({ draft }: { draft: AutomationInput }) {
  const [composed, setComposed] = useState<ComposedMessage | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  useEffect(() => {
    if (!draft.template.body.trim()) {
      setComposed(null);
      setRefusal(null);
      return undefined;
    }
    let current = true;
    setPending(true);
    const timer = setTimeout(() => {
      const campaign = {
        name: draft.name || "preview",
        purpose: draft.purpose,
        channel: campaignChannel(draft.channel),
        fallback_channel: draft.fallback_channel ? campaignChannel(draft.fallback_channel) : null,
        // An audience nobody is in: the preview then composes for a sample customer.
        audience: { kind: "filter", value: "visits_min=999999999" },
        subject: draft.template.subject ?? "",
        body: draft.template.body,
        coupon_template_id: draft.coupon_template_id,
      };
      api
        .post<{ message: ComposedMessage }>("/campaigns/preview", campaign)
        .then((answer) => {
          if (!current) return;
          setComposed(answer.message);
          setRefusal(null);
        })
        .catch((error) => {
          if (!current) return;
          setComposed(null);
          // A refused draft names its rule; a staff member without the preview sees the raw text.
          setRefusal(error instanceof ApiError && error.status === 400 ? explainRefusal(error) : null);
        })
        .finally(() => current && setPending(false));
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [draft.template.body, draft.template.subject, draft.channel, draft.fallback_channel, draft.purpose, draft.coupon_template_id]);

  const raw = draft.template.body;
  const bytes = messageBytes(raw);
  const warnings = composed?.violations.filter((v) => !notForAutomations.has(v.code)) ?? [];
  return (
    <div class="template-preview" aria-live="polite" data-testid="template-preview">
      <span class="field-label">{composed ? t("auto.preview.composed") : t("auto.preview.raw")}</span>
      <pre class="template-text">{composed ? composed.body : raw || t("auto.preview.empty")}</pre>
      <p class="muted small" data-testid="preview-length">
        {composed
          ? composed.limit
            ? t("auto.preview.lengthOf", { length: composed.length, limit: composed.limit })
            : t("auto.preview.length", { length: composed.length })
          : draft.channel === "sms"
            ? `${t("auto.preview.bytes", { bytes })} · ${bytes > smsByteLimit ? t("auto.preview.lms") : t("auto.preview.sms")}`
            : t("auto.preview.characters", { count: [...raw].length })}
        {pending ? ` · ${t("app.loading")}` : ""}
      </p>
      {refusal ? (
        <p class="field-error" role="alert" data-testid="preview-refusal">
          {refusal}
        </p>
      ) : null}
      {warnings.length ? (
        <div class="notice notice-info preview-warnings">
          <strong>{t("auto.preview.warnings")}</strong>
          <ul>
            {warnings.map((v) => (
              <li key={v.code}>
                {hasMessage(`auto.rule.${v.code}`) ? t(`auto.rule.${v.code}` as "auto.rule.no_contact") : v.message} ({v.rule})
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function explainRefusal(error: ApiError): string {
  const key = errorKey(error);
  return key === "error.invalid" ? error.message : t(key);
}
