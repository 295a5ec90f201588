// The analytics dashboard (/office/analytics, owners and managers): segment sizes and revenue,
// the Pareto curve, the cohort heat map, at-risk and overdue customers with a link to each
// profile, the CLV distribution, branch comparison and staff prospect goals. Every figure comes
// from /api/v1/analytics/... and every table can be downloaded as CSV. This module and Chart.js
// are loaded only when the page is opened (see app.tsx).
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, errorKey } from "../api";
import { compactWon, dateTime, number, t, won, type MessageKey } from "../i18n";
import { linkClick } from "../router";
import { StatusLine, type Notice } from "../components/ui";
import { BarChart, ParetoChart, TrackingChart } from "../components/charts";
import { anyFitting, ModelFits, type Fits } from "../components/model_fits";
import { SendToButton } from "../components/campaign_bits";
import { composerLink } from "../api_campaigns";
import { SEGMENTS, segmentLabel, type Segment } from "../segments";

export { SEGMENTS, segmentLabel, type Segment };

interface Stamped {
  as_of: string;
  orders: number;
}
interface SegmentFigures {
  segment: Segment;
  customers: number;
  revenue: number;
}
interface Summary extends Stamped {
  customers: number;
  sales: number;
  revenue: number;
  revisit: { customers: number; returning: number; rate: number };
  funnel: { first: number; second: number; third_plus: number; first_to_second: number; second_to_third: number };
  top20_share: number;
  overdue: number;
  segments: SegmentFigures[];
}
interface RfmCustomer {
  customer_id: number;
  name: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  segment: Segment;
}
interface Rfm extends Stamped {
  segments: SegmentFigures[];
  matching: number;
  customers: RfmCustomer[];
}
interface Pareto extends Stamped {
  top_share: number;
  curve: number[];
}
interface Cohorts extends Stamped {
  cohorts: { cohort: string; customers: number; active: number[] }[];
}
interface Overdue extends Stamped {
  overdue: number;
  customers: { customer_id: number; name: string; median_gap_days: number; days_since_last: number; monetary: number }[];
}
interface Clv extends Stamped {
  status: "ready" | "fitting" | "insufficient_data";
  model: { clv_12m: number; expected_value_90d: number; expected_visits_90d: number } | null;
  histogram?: { from: number; to: number; customers: number }[];
  customers?: { customer_id: number; name: string; probability_alive: number; clv_12m: number }[];
  model_check?: ModelCheck | null;
  model_check_reason?: string | null;
  fits?: Fits | null;
}
interface ModelCheck {
  calibration_end: string;
  calibration_weeks: number;
  holdout_weeks: number;
  customers: number;
  actual_total: number;
  predicted_total: number;
  correlation: number;
  zero_class: { actual: number; predicted: number };
  cumulative: { week: number; actual: number; predicted: number }[];
}
interface Units extends Stamped {
  items: {
    id: number;
    name: string;
    sales: number;
    revenue: number;
    customers: number;
    new_customers: number;
    returning_customers: number;
    daily_prospect_goal?: number;
    prospects_today?: number;
  }[];
}

interface Data {
  summary: Summary;
  rfm: Rfm;
  pareto: Pareto;
  cohorts: Cohorts;
  overdue: Overdue;
  atRisk: Rfm;
  cannotLose: Rfm;
  clv: Clv;
  branches: Units;
  staff: Units;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

// A CSV file of `rows` under `header`, downloaded as `name`.csv; a BOM so that Excel reads UTF-8.
function downloadCsv(name: string, header: string[], rows: (string | number)[][]) {
  const cell = (value: string | number) => {
    const text = String(value);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const text = [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
  const url = URL.createObjectURL(new Blob(["\ufeff", text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${name}.csv`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Section({ id, title, csv, send, children }: {
  id: string;
  title: string;
  csv?: () => void;
  // The composer's address with this list as the audience ("send a message or coupon to these").
  send?: string;
  children: ComponentChildren;
}) {
  return (
    <section class="card dash-section" aria-labelledby={`${id}-title`} data-testid={`dash-${id}`}>
      <div class="dash-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {send ? <SendToButton href={send} /> : null}
        {csv ? (
          <button type="button" class="button small" onClick={csv} data-testid={`csv-${id}`}>
            {t("dash.csv")}
          </button>
        ) : null}
      </div>
      {children}
    </section>
  );
}

function CustomerLink({ id, name }: { id: number; name: string }) {
  return (
    <a href={`/office/customers/${id}`} onClick={linkClick} data-testid="customer-link">
      {name || `#${id}`}
    </a>
  );
}

function heat(share: number): string {
  return `heat heat-${Math.min(5, Math.ceil(share * 5))}`;
}

export function Dashboard() {
  const [data, setData] = useState<Data | null>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const load = async () => {
    try {
      const get = <T,>(path: string) => api.get<T>(`/analytics/${path}`);
      const [summary, rfm, pareto, cohorts, overdue, atRisk, cannotLose, clv, branches, staff] = await Promise.all([
        get<Summary>("summary"),
        get<Rfm>("rfm?limit=1"),
        get<Pareto>("pareto?points=20"),
        get<Cohorts>("cohorts"),
        get<Overdue>("overdue?limit=20"),
        get<Rfm>("rfm?segment=at_risk&limit=20"),
        get<Rfm>("rfm?segment=cannot_lose_them&limit=20"),
        get<Clv>("clv?limit=20"),
        get<Units>("branches"),
        get<Units>("staff"),
      ]);
      setData({ summary, rfm, pareto, cohorts, overdue, atRisk, cannotLose, clv, branches, staff });
      setNotice(null);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  useEffect(() => {
    load();
  }, []);
  // The models are fitted in the background: ask again until they are ready.
  useEffect(() => {
    if (data?.clv.status !== "fitting" && !anyFitting(data?.clv.fits)) return undefined;
    const timer = setTimeout(async () => {
      try {
        const clv = await api.get<Clv>("/analytics/clv?limit=20");
        setData((previous) => (previous ? { ...previous, clv } : previous));
      } catch {
        // The next load shows the error.
      }
    }, 1500);
    return () => clearTimeout(timer);
  }, [data?.clv]);

  if (!data) {
    return (
      <div class="office">
        <h1>{t("dash.title")}</h1>
        <StatusLine notice={notice} />
        {notice ? null : <p class="loading">{t("app.loading")}</p>}
      </div>
    );
  }
  const { summary } = data;
  return (
    <div class="office dashboard">
      <div class="dash-head">
        <h1>{t("dash.title")}</h1>
        <button type="button" class="button small" onClick={load}>
          {t("dash.refresh")}
        </button>
      </div>
      <p class="muted" data-testid="dash-as-of">
        {t("dash.asOf", { time: dateTime(summary.as_of), orders: number(summary.orders) })}
      </p>
      <StatusLine notice={notice} />
      <Figures summary={summary} />
      <Segments figures={data.rfm.segments} />
      <ParetoSection pareto={data.pareto} />
      <CohortSection cohorts={data.cohorts} />
      <AtRisk lists={[data.atRisk, data.cannotLose]} />
      <OverdueSection overdue={data.overdue} />
      <ClvSection clv={data.clv} />
      <BranchSection branches={data.branches} />
      <StaffSection staff={data.staff} />
    </div>
  );
}

function Figures({ summary }: { summary: Summary }) {
  const tiles: [string, string, string][] = [
    ["customers", t("dash.customers"), number(summary.customers)],
    ["revenue", t("dash.revenue"), compactWon(summary.revenue)],
    ["revisit", t("dash.revisitRate"), percent(summary.revisit.rate)],
    ["top20", t("dash.top20"), percent(summary.top20_share)],
    ["overdue", t("dash.overdueCount"), number(summary.overdue)],
  ];
  const f = summary.funnel;
  return (
    <section class="dash-figures" aria-label={t("dash.figures")}>
      {tiles.map(([key, label, value]) => (
        <div class="card dash-figure" key={key}>
          <span class="muted">{label}</span>
          <strong data-testid={`figure-${key}`} title={key === "revenue" ? won(summary.revenue) : undefined}>
            {value}
          </strong>
        </div>
      ))}
      <div class="card dash-figure dash-funnel">
        <span class="muted">{t("dash.funnel")}</span>
        <strong data-testid="figure-funnel">
          {number(f.first)} → {number(f.second)} → {number(f.third_plus)}
        </strong>
        <span class="muted">
          {percent(f.first_to_second)} · {percent(f.second_to_third)}
        </span>
      </div>
    </section>
  );
}

function Segments({ figures }: { figures: SegmentFigures[] }) {
  const csv = () =>
    downloadCsv("segments", ["segment", "customers", "revenue"], figures.map((s) => [s.segment, s.customers, s.revenue]));
  return (
    <Section id="segments" title={t("dash.segments")} csv={csv}>
      <div class="dash-split">
        <BarChart labels={figures.map((s) => segmentLabel(s.segment))} values={figures.map((s) => s.customers)}
          label={t("dash.segments")} horizontal />
        <table class="table">
          <thead>
            <tr>
              <th>{t("dash.segment")}</th>
              <th class="num">{t("dash.customers")}</th>
              <th class="num">{t("dash.revenue")}</th>
              <th><span class="sr-only">{t("campaigns.sendTo")}</span></th>
            </tr>
          </thead>
          <tbody>
            {figures.map((s) => (
              <tr key={s.segment} data-testid={`segment-${s.segment}`}>
                <td>{segmentLabel(s.segment)}</td>
                <td class="num">{number(s.customers)}</td>
                <td class="num">{won(s.revenue)}</td>
                <td>{s.customers ? <SendToButton href={composerLink("rfm_segment", s.segment)} label={t("campaigns.sendShort")} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function ParetoSection({ pareto }: { pareto: Pareto }) {
  const points = pareto.curve.length - 1;
  const rows = pareto.curve.map((share, k) => [Math.round((100 * k) / points), share] as const);
  const csv = () => downloadCsv("pareto", ["customers_percent", "revenue_share"], rows.map(([p, s]) => [p, s]));
  return (
    <Section id="pareto" title={t("dash.pareto")} csv={csv}>
      <p>{t("dash.paretoLine", { share: percent(pareto.top_share) })}</p>
      <ParetoChart curve={pareto.curve} label={t("dash.pareto")} />
    </Section>
  );
}

function CohortSection({ cohorts }: { cohorts: Cohorts }) {
  const rows = cohorts.cohorts;
  const width = rows.reduce((max, row) => Math.max(max, row.active.length), 0);
  const csv = () =>
    downloadCsv("cohorts", ["cohort", ...Array.from({ length: width }, (_, k) => `month_${k}`)],
      rows.map((row) => [row.cohort, ...row.active]));
  return (
    <Section id="cohorts" title={t("dash.cohorts")} csv={csv}>
      <div class="table-wrap" tabIndex={0}>
        <table class="table heatmap">
          <thead>
            <tr>
              <th>{t("dash.cohort")}</th>
              {Array.from({ length: width }, (_, k) => (
                <th class="num" key={k}>{t("dash.monthN", { n: k })}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.cohort} data-testid={`cohort-${row.cohort}`}>
                <th scope="row">{row.cohort}</th>
                {row.active.map((count, k) => (
                  <td key={k} class={`num ${heat(row.customers ? count / row.customers : 0)}`}
                    title={row.customers ? percent(count / row.customers) : ""}>
                    {count}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function AtRisk({ lists }: { lists: Rfm[] }) {
  const customers = lists.flatMap((list) => list.customers).sort((a, b) => b.monetary - a.monetary);
  const csv = () =>
    downloadCsv("at_risk", ["customer_id", "name", "segment", "recency_days", "frequency", "monetary"],
      customers.map((c) => [c.customer_id, c.name, c.segment, c.recency_days, c.frequency, c.monetary]));
  return (
    <Section id="at-risk" title={t("dash.atRisk")} csv={csv} send={composerLink("at_risk")}>
      {customers.length === 0 ? <p class="muted">{t("dash.none")}</p> : (
        <table class="table">
          <thead>
            <tr>
              <th>{t("dash.customer")}</th>
              <th>{t("dash.segment")}</th>
              <th class="num">{t("dash.recency")}</th>
              <th class="num">{t("dash.visits")}</th>
              <th class="num">{t("dash.spend")}</th>
            </tr>
          </thead>
          <tbody>
            {customers.map((c) => (
              <tr key={c.customer_id}>
                <td><CustomerLink id={c.customer_id} name={c.name} /></td>
                <td>{segmentLabel(c.segment)}</td>
                <td class="num">{t("dash.days", { n: c.recency_days })}</td>
                <td class="num">{number(c.frequency)}</td>
                <td class="num">{won(c.monetary)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function OverdueSection({ overdue }: { overdue: Overdue }) {
  const csv = () =>
    downloadCsv("overdue", ["customer_id", "name", "median_gap_days", "days_since_last", "monetary"],
      overdue.customers.map((c) => [c.customer_id, c.name, c.median_gap_days, c.days_since_last, c.monetary]));
  return (
    <Section id="overdue" title={t("dash.overdue")} csv={csv} send={composerLink("overdue")}>
      <p class="muted">{t("dash.overdueLine", { n: number(overdue.overdue) })}</p>
      {overdue.customers.length === 0 ? null : (
        <table class="table">
          <thead>
            <tr>
              <th>{t("dash.customer")}</th>
              <th class="num">{t("dash.rhythm")}</th>
              <th class="num">{t("dash.sinceLast")}</th>
              <th class="num">{t("dash.spend")}</th>
            </tr>
          </thead>
          <tbody>
            {overdue.customers.map((c) => (
              <tr key={c.customer_id} data-testid={`overdue-${c.customer_id}`}>
                <td><CustomerLink id={c.customer_id} name={c.name} /></td>
                <td class="num">{t("dash.days", { n: c.median_gap_days })}</td>
                <td class="num">{t("dash.days", { n: c.days_since_last })}</td>
                <td class="num">{won(c.monetary)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function ClvSection({ clv }: { clv: Clv }) {
  const histogram = clv.histogram ?? [];
  const csv = () =>
    downloadCsv("clv", ["customer_id", "name", "probability_alive", "clv_12m"],
      (clv.customers ?? []).map((c) => [c.customer_id, c.name, c.probability_alive, Math.round(c.clv_12m)]));
  return (
    <Section id="clv" title={t("dash.clv")} csv={clv.customers ? csv : undefined}>
      {clv.status !== "ready" && !clv.model ? (
        <p class="muted" data-testid="clv-status">{t(`dash.clvStatus.${clv.status}` as MessageKey)}</p>
      ) : null}
      {clv.model ? (
        <>
          <p data-testid="clv-total">
            {t("dash.clvLine", { clv: won(Math.round(clv.model.clv_12m)), value: won(Math.round(clv.model.expected_value_90d)) })}
          </p>
          <BarChart labels={histogram.map((b) => `${won(Math.round(b.from))}–`)} values={histogram.map((b) => b.customers)}
            label={t("dash.clvDistribution")} />
          <table class="table">
            <thead>
              <tr>
                <th>{t("dash.customer")}</th>
                <th class="num">{t("dash.alive")}</th>
                <th class="num">{t("dash.clv12")}</th>
              </tr>
            </thead>
            <tbody>
              {(clv.customers ?? []).map((c) => (
                <tr key={c.customer_id}>
                  <td><CustomerLink id={c.customer_id} name={c.name} /></td>
                  <td class="num">{percent(c.probability_alive)}</td>
                  <td class="num">{won(Math.round(c.clv_12m))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ModelCheckBlock check={clv.model_check ?? null} reason={clv.model_check_reason ?? ""} />
          {clv.fits ? <ModelFits fits={clv.fits} /> : null}
        </>
      ) : null}
    </Section>
  );
}

// How far to trust the model: fitted on the history up to a calibration end, its prediction of
// the visits after it against what happened.
function ModelCheckBlock({ check, reason }: { check: ModelCheck | null; reason: string }) {
  if (!check) {
    return (
      <div data-testid="model-check">
        <h3>{t("dash.trust")}</h3>
        <p class="muted" title={reason}>{t("dash.trustNone")}</p>
      </div>
    );
  }
  const weeks = Math.round(check.holdout_weeks);
  return (
    <div data-testid="model-check">
      <h3>{t("dash.trust")}</h3>
      <p>{t("dash.trustLine", { date: check.calibration_end, weeks: number(weeks) })}</p>
      <table class="table">
        <thead>
          <tr>
            <th />
            <th class="num">{t("dash.trustActual")}</th>
            <th class="num">{t("dash.trustPredicted")}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>{t("dash.trustVisits")}</td>
            <td class="num" data-testid="model-check-actual">{number(Math.round(check.actual_total))}</td>
            <td class="num">{number(Math.round(check.predicted_total))}</td>
          </tr>
          <tr>
            <td>{t("dash.trustZero")}</td>
            <td class="num">{number(check.zero_class.actual)}</td>
            <td class="num">{number(Math.round(check.zero_class.predicted))}</td>
          </tr>
        </tbody>
      </table>
      <p>{t("dash.trustCorrelation", { r: check.correlation.toFixed(2) })}</p>
      <TrackingChart weeks={check.cumulative.map((p) => String(p.week))}
        actual={check.cumulative.map((p) => p.actual)} predicted={check.cumulative.map((p) => Math.round(p.predicted * 10) / 10)}
        label={t("dash.trustCurve")} actualLabel={t("dash.trustActual")} predictedLabel={t("dash.trustPredicted")} />
    </div>
  );
}

function BranchSection({ branches }: { branches: Units }) {
  const csv = () =>
    downloadCsv("branches", ["branch_id", "name", "sales", "revenue", "customers", "new_customers", "returning_customers"],
      branches.items.map((b) => [b.id, b.name, b.sales, b.revenue, b.customers, b.new_customers, b.returning_customers]));
  return (
    <Section id="branches" title={t("dash.branches")} csv={csv}>
      <div class="dash-split">
        <BarChart labels={branches.items.map((b) => b.name)} values={branches.items.map((b) => b.revenue)}
          label={t("dash.revenue")} />
        <table class="table">
          <thead>
            <tr>
              <th>{t("dash.branch")}</th>
              <th class="num">{t("dash.sales")}</th>
              <th class="num">{t("dash.revenue")}</th>
              <th class="num">{t("dash.customers")}</th>
              <th class="num">{t("dash.returning")}</th>
            </tr>
          </thead>
          <tbody>
            {branches.items.map((b) => (
              <tr key={b.id} data-testid={`branch-${b.id}`}>
                <td>{b.name}</td>
                <td class="num">{number(b.sales)}</td>
                <td class="num">{won(b.revenue)}</td>
                <td class="num">{number(b.customers)}</td>
                <td class="num">{number(b.returning_customers)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function StaffSection({ staff }: { staff: Units }) {
  const csv = () =>
    downloadCsv("staff", ["staff_id", "name", "daily_prospect_goal", "prospects_today", "sales", "revenue", "new_customers"],
      staff.items.map((s) => [s.id, s.name, s.daily_prospect_goal ?? 0, s.prospects_today ?? 0, s.sales, s.revenue,
        s.new_customers]));
  return (
    <Section id="staff" title={t("dash.staff")} csv={csv}>
      <table class="table">
        <thead>
          <tr>
            <th>{t("dash.staffMember")}</th>
            <th class="num">{t("dash.goal")}</th>
            <th class="num">{t("dash.sales")}</th>
            <th class="num">{t("dash.revenue")}</th>
            <th class="num">{t("dash.newCustomers")}</th>
          </tr>
        </thead>
        <tbody>
          {staff.items.map((s) => (
            <tr key={s.id} data-testid={`staff-${s.id}`}>
              <td>{s.name}</td>
              <td class="num">
                <span class={(s.prospects_today ?? 0) >= (s.daily_prospect_goal ?? 0) ? "goal-met" : ""}>
                  {number(s.prospects_today ?? 0)} / {number(s.daily_prospect_goal ?? 0)}
                </span>
              </td>
              <td class="num">{number(s.sales)}</td>
              <td class="num">{won(s.revenue)}</td>
              <td class="num">{number(s.new_customers)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
