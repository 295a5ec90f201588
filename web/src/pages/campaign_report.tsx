// A campaign's report (/office/campaigns/{id}): delivery progress (queued, sent, delivered,
// failed, suppressed), the exclusions by reason, and treated against control over a window of
// days: visits, buyers, revenue and coupon redemptions, the differences with their 95 % intervals,
// and the incremental revenue minus the message cost, with a chart. Loaded on demand with Chart.js.
import { useEffect, useState } from "preact/hooks";
import { api, errorKey } from "../api";
import {
  MESSAGE_STATUSES,
  type Campaign,
  type CampaignReport,
  type Difference,
} from "../api_campaigns";
import { dateTime, number, t, won, type MessageKey } from "../i18n";
import { linkClick, navigate } from "../router";
import { StatusLine, useWrite, type Notice } from "../components/ui";
import { GroupedBarChart } from "../components/charts";
import { CampaignStatusBadge, channelLabel, exclusionLabel, MessageStatusBadge } from "../components/campaign_bits";

const WINDOWS = [7, 14, 30, 60, 90];

const perHundred = (count: number, customers: number) => (customers ? Math.round((1000 * count) / customers) / 10 : 0);

function formatDifference(d: Difference | null, format: (value: number) => string) {
  if (!d) return <span class="muted">—</span>;
  const sign = d.difference > 0 ? "+" : "";
  return (
    <span>
      {sign}
      {format(d.difference)} <span class="muted small">[{format(d.low)}, {format(d.high)}]</span>
    </span>
  );
}

const share = (value: number) => `${(value * 100).toFixed(1)}%p`;
const decimal = (value: number) => value.toFixed(2);
const money = (value: number) => won(Math.round(value));

export function CampaignReportPage({ id }: { id: number }) {
  const [report, setReport] = useState<CampaignReport | null>(null);
  const [windowDays, setWindowDays] = useState(14);
  const [notice, setNotice] = useState<Notice>(null);
  const write = useWrite();

  const load = () =>
    api
      .get<CampaignReport>(`/campaigns/${id}/report?window_days=${windowDays}`)
      .then((answer) => {
        setReport(answer);
        setNotice(null);
      })
      .catch((error) => setNotice({ kind: "error", text: t(errorKey(error)) }));
  useEffect(() => {
    load();
  }, [id, windowDays]);

  if (!report) return <StatusLine notice={notice ?? { kind: "info", text: t("app.loading") }} />;
  const c: Campaign = report.campaign;
  const { treated, control, uplift } = report;
  const cancellable = ["draft", "scheduled", "queued", "sending"].includes(c.status);

  const cancel = async () => {
    const done = await write.run((options) => api.post<Campaign>(`/campaigns/${id}/cancel`, {}, options));
    if (done) load();
  };

  const total = MESSAGE_STATUSES.reduce((sum, s) => sum + (report.messages[s] ?? 0), 0);
  const exclusions = Object.entries(report.exclusions).filter(([, n]) => n > 0);
  return (
    <div class="office campaign-report">
      <p>
        <a href="/office/campaigns" onClick={linkClick}>
          ← {t("campaigns.back")}
        </a>
      </p>
      <div class="dash-head">
        <h1>
          {c.name} <CampaignStatusBadge status={c.status} />
        </h1>
        <div class="form-buttons">
          {c.status === "draft" ? (
            <button class="button" type="button" onClick={() => navigate(`/office/campaigns/${id}/edit`)}>
              {t("report.edit")}
            </button>
          ) : null}
          {cancellable ? (
            <button class="button ghost" type="button" disabled={write.busy} onClick={cancel} data-testid="cancel-campaign">
              {t("composer.cancelCampaign")}
            </button>
          ) : null}
          <a class="button" href={`/office/outbox?campaign_id=${id}`} onClick={linkClick}>
            {t("report.outbox")}
          </a>
        </div>
      </div>
      <p class="muted">
        {channelLabel(c.channel)} · {t(`purpose.${c.purpose}`)} · {t("report.sendAt", { time: dateTime(c.scheduled_at ?? c.queued_at) })}
      </p>
      <StatusLine notice={write.notice ?? notice} />
      <section class="card" aria-labelledby="delivery-title" data-testid="delivery">
        <h2 id="delivery-title">{t("report.delivery")}</h2>
        <p>
          {t(`report.progress.${report.progress}` as MessageKey)} ·{" "}
          {t("report.recipients", { treated: number(c.counts.treated), control: number(c.counts.control), excluded: number(c.counts.excluded) })}
        </p>
        <div class="progress-bar" role="img" aria-label={t("report.delivery")}>
          {MESSAGE_STATUSES.map((s) =>
            report.messages[s] ? (
              <span key={s} class={`progress-part message-${s}`} style={{ flexGrow: report.messages[s] }} title={t(`message.status.${s}`)} />
            ) : null,
          )}
        </div>
        <ul class="status-counts">
          {MESSAGE_STATUSES.map((s) => (
            <li key={s} data-testid={`messages-${s}`}>
              <MessageStatusBadge status={s} /> {number(report.messages[s] ?? 0)}
            </li>
          ))}
          <li>
            {t("report.totalMessages")} {number(total)}
          </li>
        </ul>
        {exclusions.length ? (
          <>
            <h3>{t("preview.exclusions")}</h3>
            <table class="table" data-testid="report-exclusions">
              <tbody>
                {exclusions.map(([reason, n]) => (
                  <tr key={reason}>
                    <td>{exclusionLabel(reason)}</td>
                    <td class="num">{number(n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
      </section>
      <section class="card" aria-labelledby="uplift-title" data-testid="uplift">
        <div class="dash-head">
          <h2 id="uplift-title">{t("report.uplift")}</h2>
          <label class="field inline">
            <span class="field-label">{t("report.window")}</span>
            <select name="window" value={String(windowDays)} onChange={(e) => setWindowDays(Number(e.currentTarget.value))}>
              {WINDOWS.map((d) => (
                <option value={String(d)} key={d}>{t("report.windowDays", { n: d })}</option>
              ))}
            </select>
          </label>
        </div>
        <p class="muted">
          {t("report.windowLine", { start: dateTime(report.window.start), end: dateTime(report.window.end), asOf: dateTime(report.as_of) })}
        </p>
        <div class="dash-split">
          <GroupedBarChart
            label={t("report.chart")}
            labels={[t("report.visitsPer100"), t("report.buyersPer100"), t("report.redemptionsPer100")]}
            series={[
              { label: t("report.treated"), values: [perHundred(treated.visits, treated.customers), perHundred(treated.buyers, treated.customers), perHundred(treated.redemptions, treated.customers)] },
              { label: t("report.control"), values: [perHundred(control.visits, control.customers), perHundred(control.buyers, control.customers), perHundred(control.redemptions, control.customers)] },
            ]}
          />
          <table class="table" data-testid="groups">
            <thead>
              <tr>
                <th />
                <th class="num">{t("report.treated")}</th>
                <th class="num">{t("report.control")}</th>
              </tr>
            </thead>
            <tbody>
              {(["customers", "visits", "buyers", "revenue", "redemptions"] as const).map((k) => (
                <tr key={k} data-testid={`group-${k}`}>
                  <th scope="row">{t(`report.${k}`)}</th>
                  <td class="num">{k === "revenue" ? won(treated[k]) : number(treated[k])}</td>
                  <td class="num">{k === "revenue" ? won(control[k]) : number(control[k])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h3>{t("report.differences")}</h3>
        <table class="table" data-testid="differences">
          <tbody>
            <tr>
              <th scope="row">{t("report.visitsPerCustomer")}</th>
              <td>{formatDifference(uplift.visits_per_customer, decimal)}</td>
            </tr>
            <tr>
              <th scope="row">{t("report.buyerShare")}</th>
              <td>{formatDifference(uplift.buyer_share, share)}</td>
            </tr>
            <tr>
              <th scope="row">{t("report.revenuePerCustomer")}</th>
              <td>{formatDifference(uplift.revenue_per_customer, money)}</td>
            </tr>
            <tr>
              <th scope="row">{t("report.redemptionShare")}</th>
              <td>{formatDifference(uplift.redemption_share, share)}</td>
            </tr>
            <tr>
              <th scope="row">{t("report.incremental")}</th>
              <td data-testid="incremental">{won(uplift.incremental_revenue)}</td>
            </tr>
            <tr>
              <th scope="row">{t("report.cost")}</th>
              <td>{won(uplift.message_cost)}</td>
            </tr>
            <tr>
              <th scope="row">{t("report.net")}</th>
              <td data-testid="net"><strong>{won(uplift.net)}</strong></td>
            </tr>
          </tbody>
        </table>
        <p class="muted small">{t("report.intervalNote")}</p>
      </section>
    </div>
  );
}
