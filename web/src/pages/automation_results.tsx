// What an automation does: the dry run (who would receive it on a chosen date, and why each of the
// others would not, counted by reason, names masked) and the report (sent, treated against the
// control group with 95 % intervals, incremental revenue, and the 1st → 2nd → 3rd visit funnel
// before and after it was switched on).
import { useEffect, useState } from "preact/hooks";
import { api, errorKey } from "../api";
import type { Automation, AutomationReport, ChurnModel, DryRun, Funnel, GroupFigures, Interval } from "../api_automations";
import { date, dateTime, hasMessage, number, t, won } from "../i18n";
import { linkClick } from "../router";
import { StatusLine, type Notice } from "../components/ui";
import { GroupedBarChart } from "../components/charts";
import { describeAction, describeTrigger, StateBadge } from "./automations";

function useAutomation(id: number, setNotice: (notice: Notice) => void) {
  const [automation, setAutomation] = useState<Automation | null>(null);
  useEffect(() => {
    api
      .get<Automation>(`/automations/${id}`)
      .then(setAutomation)
      .catch((error) => setNotice({ kind: "error", text: t(errorKey(error)) }));
  }, [id]);
  return automation;
}

function Heading({ automation, id, title }: { automation: Automation | null; id: number; title: string }) {
  return (
    <>
      <p>
        <a href="/office/automations" onClick={linkClick}>
          ← {t("auto.title")}
        </a>
      </p>
      <div class="dash-head">
        <h1>
          {title}: {automation ? automation.name : `#${id}`}
        </h1>
        {automation ? <StateBadge state={automation.state} /> : null}
      </div>
      {automation ? (
        <p class="muted">
          {describeTrigger(automation.trigger)} · {t("auto.atHour", { hour: automation.send_hour })} · {describeAction(automation)}
        </p>
      ) : null}
    </>
  );
}

const reasonLabel = (reason: string) =>
  hasMessage(`auto.reason.${reason}`) ? t(`auto.reason.${reason}` as "auto.reason.no_consent") : reason;

// For churn risk: where the churn probabilities come from, and why nobody is selected without a
// fitted model.
function ChurnModelNote({ model }: { model: ChurnModel | null | undefined }) {
  if (!model) return null;
  const text =
    model.status === "ready"
      ? t("auto.churn.ready", { at: model.as_of ? dateTime(model.as_of) : "" })
      : model.status === "fitting"
        ? t("auto.churn.fitting")
        : t("auto.churn.insufficient", { message: model.message ?? "" });
  return (
    <p class={model.status === "ready" ? "muted" : "notice notice-info"} data-testid="churn-model" data-status={model.status}>
      {text}
    </p>
  );
}

// Today in the business's day as the browser sees it (YYYY-MM-DD); the server's default is the same.
const today = () => new Date().toLocaleDateString("sv-SE");

export function AutomationDryRun({ id }: { id: number }) {
  const [notice, setNotice] = useState<Notice>(null);
  const automation = useAutomation(id, setNotice);
  const [day, setDay] = useState(today);
  const [run, setRun] = useState<DryRun | null>(null);
  const [loading, setLoading] = useState(false);
  const load = async (chosen: string) => {
    setLoading(true);
    setNotice(null);
    try {
      setRun(await api.get<DryRun>(`/automations/${id}/dry-run?date=${encodeURIComponent(chosen)}`));
    } catch (error) {
      setRun(null);
      setNotice({ kind: "error", text: t(errorKey(error)) });
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load(day);
  }, [id]);

  const reasons = run ? Object.entries(run.counts.excluded).sort((a, b) => b[1] - a[1]) : [];
  const excludedTotal = reasons.reduce((sum, [, count]) => sum + count, 0);
  return (
    <div class="office automation-dry-run" data-testid="dry-run">
      <Heading automation={automation} id={id} title={t("auto.dryRun")} />
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          load(day);
        }}
      >
        <label class="field">
          <span class="field-label">{t("auto.dry.date")}</span>
          <input type="date" required value={day} onInput={(e) => setDay(e.currentTarget.value)} />
        </label>
        <button class="button" type="submit" disabled={loading}>
          {t("auto.dry.run")}
        </button>
      </form>
      <StatusLine notice={notice} />
      {run ? (
        <>
          <ChurnModelNote model={run.churn_model} />
          <div class="dash-figures">
            <div class="dash-figure">
              <span class="muted">{t("auto.dry.wouldSend")}</span>
              <strong data-testid="dry-would-send">{number(run.counts.would_send)}</strong>
            </div>
            <div class="dash-figure">
              <span class="muted">{t("auto.dry.excluded")}</span>
              <strong data-testid="dry-excluded">{number(excludedTotal)}</strong>
            </div>
          </div>
          <div class="grid-2">
            <section class="card">
              <h2>{t("auto.dry.reasons")}</h2>
              {reasons.length ? (
                <table class="table" data-testid="dry-reasons">
                  <tbody>
                    {reasons.map(([reason, count]) => (
                      <tr key={reason}>
                        <td>{reasonLabel(reason)}</td>
                        <td class="num">{number(count)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p class="muted">{t("auto.dry.noneExcluded")}</p>
              )}
            </section>
            <section class="card">
              <h2>{t("auto.dry.recipients", { date: date(`${run.date}T12:00:00Z`) })}</h2>
              {run.would_send.length ? (
                <table class="table" data-testid="dry-recipients">
                  <thead>
                    <tr>
                      <th>{t("auto.col.customer")}</th>
                      <th>{t("auto.col.sendAt")}</th>
                      <th>{t("auto.col.channel")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {run.would_send.map((r) => (
                      <tr key={`${r.customer_id}-${r.occurrence}`}>
                        <td>
                          <a href={`/office/customers/${r.customer_id}`} onClick={linkClick}>
                            {r.name}
                          </a>
                        </td>
                        <td>{dateTime(r.send_at)}</td>
                        <td>{hasMessage(`auto.channel.${r.channel}`) ? t(`auto.channel.${r.channel}` as "auto.channel.sms") : r.channel}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p class="muted">{t("auto.dry.nobody")}</p>
              )}
            </section>
          </div>
          {run.excluded.length ? (
            <section class="card">
              <h2>{t("auto.dry.excludedList")}</h2>
              <table class="table" data-testid="dry-excluded-list">
                <tbody>
                  {run.excluded.map((e) => (
                    <tr key={e.customer_id}>
                      <td>{e.name}</td>
                      <td>{reasonLabel(e.reason)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const signedPercent = (share: number) => `${share > 0 ? "+" : ""}${(share * 100).toFixed(1)}%p`;
const signedWon = (amount: number) => `${amount > 0 ? "+" : ""}${won(Math.round(amount))}`;

function IntervalCell({ interval, format }: { interval: Interval | null; format: (v: number) => string }) {
  // Null while a group is empty (nobody treated or in the control group yet): nothing to compare.
  if (!interval) {
    return (
      <td class="num muted" data-testid="interval-none">
        {t("auto.rep.noComparison")}
      </td>
    );
  }
  // An interval that holds zero is no evidence of an effect either way.
  const clear = interval.low > 0 || interval.high < 0;
  return (
    <td class="num">
      <strong>{format(interval.value)}</strong>
      <span class="muted small">
        {" "}
        ({format(interval.low)} ~ {format(interval.high)})
      </span>
      {clear ? null : <span class="badge">{t("auto.rep.unclear")}</span>}
    </td>
  );
}

function groupRow(label: string, g: GroupFigures) {
  const share = g.customers ? g.buyers / g.customers : 0;
  return (
    <tr>
      <th scope="row">{label}</th>
      <td class="num">{number(g.customers)}</td>
      <td class="num">{number(g.buyers)}</td>
      <td class="num">{percent(share)}</td>
      <td class="num">{number(g.visits)}</td>
      <td class="num">{won(g.revenue)}</td>
      <td class="num">{won(g.customers ? Math.round(g.revenue / g.customers) : 0)}</td>
      <td class="num">{number(g.redemptions)}</td>
    </tr>
  );
}

const funnelValues = (f: Funnel) => [f.first, f.second, f.third];

export function AutomationReportPage({ id }: { id: number }) {
  const [notice, setNotice] = useState<Notice>(null);
  const automation = useAutomation(id, setNotice);
  const [windowDays, setWindowDays] = useState(14);
  const [report, setReport] = useState<AutomationReport | null>(null);
  useEffect(() => {
    api
      .get<AutomationReport>(`/automations/${id}/report?window_days=${windowDays}`)
      .then(setReport)
      .catch((error) => {
        setReport(null);
        setNotice({ kind: "error", text: t(errorKey(error)) });
      });
  }, [id, windowDays]);

  const steps = [t("auto.rep.first"), t("auto.rep.second"), t("auto.rep.third")];
  return (
    <div class="office automation-report" data-testid="automation-report">
      <Heading automation={automation} id={id} title={t("auto.report")} />
      <div class="filters">
        <label class="field">
          <span class="field-label">{t("auto.rep.window")}</span>
          <select value={String(windowDays)} onChange={(e) => setWindowDays(Number(e.currentTarget.value))}>
            {[7, 14, 30, 60, 90].map((days) => (
              <option key={days} value={String(days)}>
                {t("auto.rep.days", { days })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <StatusLine notice={notice} />
      {report ? (
        <>
          <ChurnModelNote model={report.churn_model} />
          <div class="dash-figures">
            <div class="dash-figure">
              <span class="muted">{t("auto.rep.sent")}</span>
              <strong data-testid="report-sent">{number(report.sent)}</strong>
            </div>
            <div class="dash-figure">
              <span class="muted">{t("auto.rep.incremental")}</span>
              <strong>{signedWon(report.incremental_revenue)}</strong>
            </div>
            <div class="dash-figure">
              <span class="muted">{t("auto.rep.cost")}</span>
              <strong>{won(report.message_cost)}</strong>
            </div>
          </div>
          <section class="card">
            <h2>{t("auto.rep.groups")}</h2>
            <div class="table-wrap" tabIndex={0}>
              <table class="table" data-testid="report-groups">
                <thead>
                  <tr>
                    <th />
                    <th class="num">{t("auto.rep.customers")}</th>
                    <th class="num">{t("auto.rep.buyers")}</th>
                    <th class="num">{t("auto.rep.buyerShare")}</th>
                    <th class="num">{t("auto.rep.visits")}</th>
                    <th class="num">{t("auto.rep.revenue")}</th>
                    <th class="num">{t("auto.rep.perCustomer")}</th>
                    <th class="num">{t("auto.rep.redemptions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {groupRow(t("auto.rep.treated"), report.treated)}
                  {groupRow(t("auto.rep.control"), report.control)}
                </tbody>
              </table>
            </div>
            <table class="table">
              <tbody>
                <tr>
                  <th scope="row">{t("auto.rep.diffBuyers")}</th>
                  <IntervalCell interval={report.difference.buyers_share} format={signedPercent} />
                </tr>
                <tr>
                  <th scope="row">{t("auto.rep.diffRevenue")}</th>
                  <IntervalCell interval={report.difference.revenue_per_customer} format={signedWon} />
                </tr>
              </tbody>
            </table>
            <p class="muted small">{t("auto.rep.intervalNote")}</p>
          </section>
          <section class="card" aria-labelledby="funnel-title">
            <h2 id="funnel-title">{t("auto.rep.funnel")}</h2>
            <p class="muted">
              {report.funnel.switched_on_at
                ? t("auto.rep.switchedOn", { at: dateTime(report.funnel.switched_on_at) })
                : t("auto.rep.neverOn")}
            </p>
            <GroupedBarChart
              labels={steps}
              label={t("auto.rep.funnel")}
              series={[
                { label: t("auto.rep.before"), values: funnelValues(report.funnel.before) },
                { label: t("auto.rep.after"), values: funnelValues(report.funnel.after) },
              ]}
            />
            <table class="table" data-testid="report-funnel">
              <thead>
                <tr>
                  <th />
                  {steps.map((step) => (
                    <th class="num" key={step}>
                      {step}
                    </th>
                  ))}
                  <th class="num">{t("auto.rep.toSecond")}</th>
                  <th class="num">{t("auto.rep.toThird")}</th>
                </tr>
              </thead>
              <tbody>
                {(["before", "after"] as const).map((side) => {
                  const f = report.funnel[side];
                  return (
                    <tr key={side}>
                      <th scope="row">{t(`auto.rep.${side}`)}</th>
                      {funnelValues(f).map((value, index) => (
                        <td class="num" key={index}>
                          {number(value)}
                        </td>
                      ))}
                      <td class="num">{f.first ? percent(f.second / f.first) : "—"}</td>
                      <td class="num">{f.second ? percent(f.third / f.second) : "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </div>
  );
}
