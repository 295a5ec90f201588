// The composer's live preview: the audience and who is left out by which rule, ten masked
// recipients, the cost per channel, and the composed message in a phone frame with its length
// against the channel's limit (SMS 90 / LMS 2,000 bytes of CP949, as the server counted them) and
// the rules it breaks, each named.
import { number, t, won, type MessageKey } from "../i18n";
import type { CampaignPreview, Violation } from "../api_campaigns";
import { channelLabel, exclusionLabel } from "./campaign_bits";

// "MSG-07 · 수신거부 080 번호가 없습니다" for a broken rule.
export function violationText(v: Pick<Violation, "rule" | "code" | "message">): string {
  const key = `rule.${v.code}` as MessageKey;
  const translated = t(key);
  return `${v.rule} · ${translated === key ? v.message : translated}`;
}

function unitOf(channel: string): string {
  if (channel === "sms" || channel === "lms" || channel === "mms" || channel === "email") return t("preview.bytes");
  return t("preview.characters");
}

export function PhoneFrame({ preview }: { preview: CampaignPreview["message"] }) {
  const over = preview.limit !== null && preview.length > preview.limit;
  return (
    <figure class="phone-frame" aria-label={t("preview.phone")}>
      <div class="phone-screen">
        <div class="phone-bubble" data-testid="preview-body">
          {preview.subject ? <strong class="phone-subject">{preview.subject}</strong> : null}
          {preview.body}
        </div>
      </div>
      <figcaption class={`byte-counter ${over ? "over" : ""}`} data-testid="byte-counter">
        {channelLabel(preview.channel)} · {preview.length < 0 ? "—" : number(preview.length)}
        {preview.limit !== null ? ` / ${number(preview.limit)}` : ""} {unitOf(preview.channel)}
      </figcaption>
    </figure>
  );
}

export function PreviewPanel({ preview }: { preview: CampaignPreview }) {
  const exclusions = Object.entries(preview.exclusions).filter(([, n]) => n > 0);
  return (
    <div class="preview" data-testid="preview">
      <dl class="preview-figures">
        <div>
          <dt>{t("preview.audience")}</dt>
          <dd data-testid="preview-audience">{number(preview.audience)}</dd>
        </div>
        <div>
          <dt>{t("preview.treated")}</dt>
          <dd data-testid="preview-treated">{number(preview.treated)}</dd>
        </div>
        <div>
          <dt>{t("preview.control")}</dt>
          <dd>{number(preview.control)}</dd>
        </div>
        <div>
          <dt>{t("preview.cost")}</dt>
          <dd data-testid="preview-cost">{won(preview.total_cost)}</dd>
        </div>
      </dl>
      {preview.message.violations.length ? (
        <ul class="violations" role="alert" data-testid="violations">
          {preview.message.violations.map((v, i) => (
            <li key={i}>{violationText(v)}</li>
          ))}
        </ul>
      ) : (
        <p class="notice notice-ok" data-testid="rules-ok">{t("preview.rulesOk")}</p>
      )}
      <div class="grid-2">
        <PhoneFrame preview={preview.message} />
        <div>
          <h3>{t("preview.exclusions")}</h3>
          {exclusions.length ? (
            <table class="table" data-testid="preview-exclusions">
              <tbody>
                {exclusions.map(([reason, n]) => (
                  <tr key={reason}>
                    <td>{exclusionLabel(reason)}</td>
                    <td class="num">{number(n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">{t("preview.noExclusions")}</p>
          )}
          <h3>{t("preview.costs")}</h3>
          <table class="table">
            <thead>
              <tr>
                <th>{t("campaigns.col.channel")}</th>
                <th class="num">{t("preview.messages")}</th>
                <th class="num">{t("preview.unitPrice")}</th>
                <th class="num">{t("preview.total")}</th>
              </tr>
            </thead>
            <tbody>
              {preview.costs.map((c) => (
                <tr key={c.channel}>
                  <td>{channelLabel(c.channel)}</td>
                  <td class="num">{number(c.messages)}</td>
                  <td class="num">{won(c.unit_price)}</td>
                  <td class="num">{won(c.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <h3>{t("preview.samples")}</h3>
      {preview.samples.length ? (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="preview-samples">
            <thead>
              <tr>
                <th>{t("customers.col.name")}</th>
                <th>{t("preview.address")}</th>
                <th>{t("campaigns.col.channel")}</th>
              </tr>
            </thead>
            <tbody>
              {preview.samples.map((s) => (
                <tr key={s.customer_id}>
                  <td>{s.name}</td>
                  <td>{s.address}</td>
                  <td>{channelLabel(s.channel)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">{t("preview.noSamples")}</p>
      )}
    </div>
  );
}
