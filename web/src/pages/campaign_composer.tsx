// The campaign composer (/office/campaigns/new, /office/campaigns/{id}/edit): whom (a saved
// segment, an RFM segment, the at-risk or overdue list, a customer-list filter or pasted ids),
// through which channel, advertising or informational, the template with its variables, an
// optional coupon, the control share and the send time. Every change asks the server for a preview
// (POST /campaigns/preview); the draft is saved, test-sent to staff phones, scheduled or cancelled.
// The address may preset the audience: ?audience=at_risk, ?audience=segment&value=3.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, errorKey, type CouponTemplate, type Page } from "../api";
import {
  AUDIENCE_KINDS,
  CAMPAIGN_CHANNELS,
  TEMPLATE_VARIABLES,
  type AudienceKind,
  type Campaign,
  type CampaignChannel,
  type CampaignInput,
  type CampaignPreview,
  type Purpose,
  type SavedSegment,
  type SenderNumber,
} from "../api_campaigns";
import { t, type MessageKey } from "../i18n";
import { navigate, searchParam } from "../router";
import { useSession } from "../session";
import { Field, StatusLine, useWrite } from "../components/ui";
import { channelLabel, isoToLocalInput, localInputToIso } from "../components/campaign_bits";
import { PreviewPanel } from "../components/campaign_preview";
import { SEGMENTS, segmentLabel } from "../segments";

interface Form {
  name: string;
  purpose: Purpose;
  channel: CampaignChannel;
  audienceKind: AudienceKind;
  audienceValue: string;
  subject: string;
  body: string;
  sender: string;
  couponTemplate: string;
  controlPercent: string;
  sendAt: string; // datetime-local in the business's time zone; empty: now
  nightPolicy: "refuse" | "night_consent_only";
}

function presetForm(): Form {
  const kind = searchParam("audience") as AudienceKind | null;
  return {
    name: "",
    purpose: "advertising",
    channel: "sms",
    audienceKind: kind && AUDIENCE_KINDS.includes(kind) ? kind : "at_risk",
    audienceValue: searchParam("value") ?? "",
    subject: "",
    body: "#{이름}님, ",
    sender: "",
    couponTemplate: "",
    controlPercent: "10",
    sendAt: "",
    nightPolicy: "refuse",
  };
}

function formOf(c: Campaign, offset: number): Form {
  return {
    name: c.name,
    purpose: c.purpose,
    channel: c.channel === "lms" ? "sms" : c.channel,
    audienceKind: c.audience.kind,
    audienceValue: c.audience.value,
    subject: c.subject,
    body: c.body,
    sender: c.sender_number,
    couponTemplate: c.coupon_template_id ? String(c.coupon_template_id) : "",
    controlPercent: String(c.control_share_permille / 10),
    sendAt: isoToLocalInput(c.scheduled_at, offset),
    nightPolicy: c.night_policy,
  };
}

function inputOf(form: Form, offset: number): CampaignInput {
  const percent = Number(form.controlPercent);
  return {
    name: form.name.trim(),
    purpose: form.purpose,
    channel: form.channel,
    audience: { kind: form.audienceKind, value: form.audienceValue.trim() },
    subject: form.subject,
    body: form.body,
    sender_number: form.sender.trim(),
    coupon_template_id: form.couponTemplate ? Number(form.couponTemplate) : null,
    scheduled_at: form.sendAt ? localInputToIso(form.sendAt, offset) : null,
    night_policy: form.nightPolicy,
    control_share_permille: Number.isFinite(percent) ? Math.round(percent * 10) : 100,
  };
}

// The sentence for a refusal: the rule's own name when the server named one ("ADV-03 …").
export function refusalText(error: unknown): string {
  if (!(error instanceof ApiError)) return t(errorKey(error));
  const rule = error.message.match(/\b(ADV|MSG|PIPA)-\d+\b/)?.[0];
  const key = `rule.${error.reason}` as MessageKey;
  const translated = t(key);
  if (translated !== key) return rule ? `${rule} · ${translated}` : translated;
  const field = error.field ? ` (${error.field})` : "";
  return `${t(errorKey(error))}${field}`;
}

export function CampaignComposer({ id }: { id?: number }) {
  const { me } = useSession();
  const offset = me.business.utc_offset_minutes;
  const [form, setForm] = useState<Form>(presetForm);
  const [campaignId, setCampaignId] = useState<number | null>(id ?? null);
  const [preview, setPreview] = useState<CampaignPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [segments, setSegments] = useState<SavedSegment[]>([]);
  const [senders, setSenders] = useState<SenderNumber[]>([]);
  const [coupons, setCoupons] = useState<CouponTemplate[]>([]);
  const [testPhones, setTestPhones] = useState("");
  const write = useWrite(refusalText);
  const sequence = useRef(0);

  useEffect(() => {
    api.get<Page<SavedSegment>>("/segments").then((p) => setSegments(p.items)).catch(() => setSegments([]));
    api
      .get<{ items: SenderNumber[] }>("/messaging/sender-numbers")
      .then((p) => {
        setSenders(p.items);
        if (p.items.length) setForm((f) => (f.sender ? f : { ...f, sender: p.items[0].number }));
      })
      .catch(() => setSenders([]));
    api.get<Page<CouponTemplate>>("/coupon-templates").then((p) => setCoupons(p.items)).catch(() => setCoupons([]));
    if (id) {
      api
        .get<Campaign>(`/campaigns/${id}`)
        .then((c) => setForm(formOf(c, offset)))
        .catch((error) => write.setNotice({ kind: "error", text: t(errorKey(error)) }));
    }
  }, [id]);

  // Ask for a preview a moment after the last change; an older answer never replaces a newer one.
  const body = JSON.stringify(inputOf(form, offset));
  useEffect(() => {
    // A refusal spoke of the content as it was; once it changes, the preview speaks instead.
    if (write.notice?.kind === "error") write.setNotice(null);
    const mine = ++sequence.current;
    const timer = setTimeout(async () => {
      const input = inputOf(form, offset);
      try {
        const answer = await api.post<CampaignPreview>("/campaigns/preview", { ...input, name: input.name || "-" });
        if (mine !== sequence.current) return;
        setPreview(answer);
        setPreviewError(null);
      } catch (error) {
        if (mine !== sequence.current) return;
        setPreview(null);
        setPreviewError(refusalText(error));
      }
    }, 350);
    return () => clearTimeout(timer);
  }, [body]);

  const set = (name: keyof Form) => (event: Event) =>
    setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value });
  const insertVariable = (name: string) => setForm({ ...form, body: `${form.body}#{${name}}` });

  const save = async (): Promise<number | undefined> => {
    const input = inputOf(form, offset);
    const saved = await write.run((options) =>
      campaignId
        ? api.put<Campaign>(`/campaigns/${campaignId}`, input, options)
        : api.post<Campaign>("/campaigns", input, options),
    );
    if (!saved) return undefined;
    setCampaignId(saved.id);
    if (!campaignId) history.replaceState(null, "", `/office/campaigns/${saved.id}/edit`);
    write.setNotice({ kind: "ok", text: t("composer.saved") });
    return saved.id;
  };

  const schedule = async () => {
    const saved = await save();
    if (!saved) return;
    const at = inputOf(form, offset).scheduled_at;
    const done = await write.run((options) =>
      api.post<Campaign>(`/campaigns/${saved}/schedule`, at ? { at } : {}, options),
    );
    if (done) navigate(`/office/campaigns/${saved}`);
  };

  const testSend = async () => {
    const saved = campaignId ?? (await save());
    if (!saved) return;
    const phones = testPhones.split(/[\s,]+/).filter(Boolean);
    const done = await write.run((options) =>
      api.post<{ queued: number }>(`/campaigns/${saved}/test`, { phones }, options),
    );
    if (done) write.setNotice({ kind: "ok", text: t("composer.testQueued", { n: done.queued }) });
  };

  const cancel = async () => {
    if (!campaignId) {
      navigate("/office/campaigns");
      return;
    }
    const done = await write.run((options) => api.post<Campaign>(`/campaigns/${campaignId}/cancel`, {}, options));
    if (done) navigate("/office/campaigns");
  };

  return (
    <div class="office composer">
      <h1>{t(campaignId ? "composer.editTitle" : "composer.title")}</h1>
      <div class="composer-grid">
        <form class="card" aria-label={t("composer.title")} onSubmit={(e) => e.preventDefault()}>
          <Field label={t("composer.name")}>
            <input name="name" required value={form.name} onInput={set("name")} />
          </Field>
          <fieldset class="field">
            <legend class="field-label">{t("composer.audience")}</legend>
            <select name="audienceKind" aria-label={t("composer.audienceKind")} value={form.audienceKind}
              onChange={(e) => setForm({ ...form, audienceKind: e.currentTarget.value as AudienceKind, audienceValue: "" })}>
              {AUDIENCE_KINDS.map((k) => (
                <option value={k} key={k}>{t(`audience.${k}`)}</option>
              ))}
            </select>
            <AudienceValue form={form} segments={segments} onChange={(value) => setForm({ ...form, audienceValue: value })} />
          </fieldset>
          <div class="row">
            <Field label={t("composer.channel")}>
              <select name="channel" value={form.channel} onChange={set("channel")}>
                {CAMPAIGN_CHANNELS.map((c) => (
                  <option value={c} key={c}>{channelLabel(c)}</option>
                ))}
              </select>
            </Field>
            <Field label={t("composer.purpose")}>
              <select name="purpose" value={form.purpose} onChange={set("purpose")}>
                <option value="advertising">{t("purpose.advertising")}</option>
                <option value="informational">{t("purpose.informational")}</option>
              </select>
            </Field>
          </div>
          <Field label={t("composer.sender")} hint={senders.length ? undefined : t("composer.noSenders")}>
            <input name="sender" list="sender-numbers" value={form.sender} onInput={set("sender")} />
          </Field>
          <datalist id="sender-numbers">
            {senders.map((s) => (
              <option value={s.number} key={s.id}>{s.label}</option>
            ))}
          </datalist>
          {form.channel === "email" || form.channel === "sms" ? (
            <Field label={t("composer.subject")} hint={t(form.channel === "email" ? "composer.subjectEmail" : "composer.subjectLms")}>
              <input name="subject" value={form.subject} onInput={set("subject")} />
            </Field>
          ) : null}
          <Field label={t("composer.body")} hint={t(form.purpose === "advertising" ? "composer.bodyHintAd" : "composer.bodyHint")}>
            <textarea name="body" rows={6} value={form.body} onInput={set("body")} />
          </Field>
          <div class="variables" role="group" aria-label={t("composer.variables")}>
            {TEMPLATE_VARIABLES.map((v) => (
              <button type="button" class="button small ghost" key={v} onClick={() => insertVariable(v)}>
                {`#{${v}}`}
              </button>
            ))}
          </div>
          <div class="row">
            <Field label={t("composer.coupon")}>
              <select name="coupon" value={form.couponTemplate} onChange={set("couponTemplate")}>
                <option value="">{t("composer.noCoupon")}</option>
                {coupons.filter((c) => c.active).map((c) => (
                  <option value={String(c.id)} key={c.id}>{c.name}</option>
                ))}
              </select>
            </Field>
            <Field label={t("composer.control")} hint={t("composer.controlHint")}>
              <input name="control" inputMode="decimal" value={form.controlPercent} onInput={set("controlPercent")} />
            </Field>
          </div>
          <div class="row">
            <Field label={t("composer.sendAt")} hint={t("composer.sendAtHint")}>
              <input name="sendAt" type="datetime-local" value={form.sendAt} onInput={set("sendAt")} />
            </Field>
            <Field label={t("composer.night")}>
              <select name="night" value={form.nightPolicy} onChange={set("nightPolicy")}>
                <option value="refuse">{t("composer.night.refuse")}</option>
                <option value="night_consent_only">{t("composer.night.night_consent_only")}</option>
              </select>
            </Field>
          </div>
          <StatusLine notice={write.notice} />
          <div class="form-buttons">
            <button class="button" type="button" disabled={write.busy} onClick={save} data-testid="save-draft">
              {t("composer.saveDraft")}
            </button>
            <button class="button primary" type="button" disabled={write.busy} onClick={schedule} data-testid="schedule">
              {t(form.sendAt ? "composer.schedule" : "composer.sendNow")}
            </button>
            <button class="button ghost" type="button" disabled={write.busy} onClick={cancel}>
              {t(campaignId ? "composer.cancelCampaign" : "common.cancel")}
            </button>
          </div>
          <div class="panel">
            <Field label={t("composer.testPhones")} hint={t("composer.testPhonesHint")}>
              <input name="testPhones" value={testPhones} onInput={(e) => setTestPhones(e.currentTarget.value)} />
            </Field>
            <button class="button small" type="button" disabled={write.busy || !testPhones.trim()} onClick={testSend}>
              {t("composer.testSend")}
            </button>
          </div>
        </form>
        <section class="card" aria-labelledby="preview-title" aria-live="polite">
          <h2 id="preview-title">{t("preview.title")}</h2>
          {previewError ? <p class="notice notice-error" data-testid="preview-error">{previewError}</p> : null}
          {preview ? <PreviewPanel preview={preview} /> : previewError ? null : <p class="loading">{t("app.loading")}</p>}
        </section>
      </div>
    </div>
  );
}

function AudienceValue({ form, segments, onChange }: {
  form: Form;
  segments: SavedSegment[];
  onChange: (value: string) => void;
}) {
  const value = form.audienceValue;
  switch (form.audienceKind) {
    case "segment":
      return (
        <select name="audienceValue" aria-label={t("audience.segment")} value={value}
          onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">{t("composer.pick")}</option>
          {segments.map((s) => (
            <option value={String(s.id)} key={s.id}>{s.name}</option>
          ))}
        </select>
      );
    case "rfm_segment":
      return (
        <select name="audienceValue" aria-label={t("audience.rfm_segment")} value={value}
          onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">{t("composer.pick")}</option>
          {SEGMENTS.map((s) => (
            <option value={s} key={s}>{segmentLabel(s)}</option>
          ))}
        </select>
      );
    case "filter":
      return (
        <input name="audienceValue" aria-label={t("audience.filter")} placeholder="stage=regular&consent=sms" value={value}
          onInput={(e) => onChange(e.currentTarget.value)} />
      );
    case "customer_ids":
      return (
        <textarea name="audienceValue" aria-label={t("audience.customer_ids")} rows={3} placeholder="12, 15, 31"
          value={value} onInput={(e) => onChange(e.currentTarget.value)} />
      );
    default:
      return <p class="muted small">{t(`audience.${form.audienceKind}.hint` as MessageKey)}</p>;
  }
}
