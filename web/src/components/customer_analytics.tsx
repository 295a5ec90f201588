// A customer's analytics on their page, for owners and managers: RFM segment and scores, churn
// risk (1 - P(alive) under BG/NBD), expected visits and value over the next 90 days, visit rhythm
// and whether they are overdue. Reads GET /customers/{id}/analytics; no chart, so it stays small.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { number, t, won, type MessageKey } from "../i18n";

interface CustomerAnalytics {
  as_of: string;
  rfm: { recency_days: number; frequency: number; monetary: number; r: number; f: number; m: number } | null;
  segment: string | null;
  rhythm: { visit_days: number; median_gap_days: number; days_since_last: number; overdue: boolean } | null;
  model_status: "ready" | "fitting" | "insufficient_data";
  churn_risk: number | null;
  expected_visits_90d: number | null;
  expected_value_90d: number | null;
}

export function CustomerAnalyticsCard({ id }: { id: number }) {
  const [data, setData] = useState<CustomerAnalytics | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const load = async (attempt: number) => {
      try {
        const answer = await api.get<CustomerAnalytics>(`/customers/${id}/analytics`);
        if (cancelled) return;
        setData(answer);
        // The models are fitted in the background: read again a few times until they are there.
        if (answer.model_status === "fitting" && attempt < 10) timer = setTimeout(() => load(attempt + 1), 1500);
      } catch {
        if (!cancelled) setFailed(true);
      }
    };
    load(0);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [id]);
  if (failed || !data) return null;
  const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
  return (
    <section class="card" aria-labelledby="analytics-title" data-testid="customer-analytics">
      <h2 id="analytics-title">{t("customerAnalytics.title")}</h2>
      {!data.rfm ? (
        <p class="muted">{t("customerAnalytics.noOrders")}</p>
      ) : (
        <dl class="loyalty-defs">
          <dt>{t("dash.segment")}</dt>
          <dd data-testid="ca-segment">
            {data.segment ? (
              <span class="segment-tag">
                <span class="segment-tag-kind">RFM</span>
                {t(`segment.${data.segment}` as MessageKey)}
              </span>
            ) : (
              "—"
            )}
          </dd>
          <dt>{t("customerAnalytics.scores")}</dt>
          <dd data-testid="ca-scores">R{data.rfm.r} F{data.rfm.f} M{data.rfm.m}</dd>
          <dt>{t("customerAnalytics.churnRisk")}</dt>
          <dd data-testid="ca-churn">{data.churn_risk === null ? "—" : percent(data.churn_risk)}</dd>
          <dt>{t("customerAnalytics.expectedVisits")}</dt>
          <dd data-testid="ca-visits">{data.expected_visits_90d === null ? "—" : data.expected_visits_90d.toFixed(1)}</dd>
          <dt>{t("customerAnalytics.expectedValue")}</dt>
          <dd data-testid="ca-value">
            {data.expected_value_90d === null ? "—" : won(Math.round(data.expected_value_90d))}
          </dd>
          <dt>{t("dash.rhythm")}</dt>
          <dd data-testid="ca-rhythm">
            {data.rhythm && data.rhythm.visit_days >= 2
              ? t("dash.days", { n: number(data.rhythm.median_gap_days) })
              : "—"}
            {data.rhythm?.overdue ? <strong class="overdue"> {t("customerAnalytics.overdue")}</strong> : null}
          </dd>
        </dl>
      )}
    </section>
  );
}
