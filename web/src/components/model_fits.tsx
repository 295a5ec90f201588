// How each customer-base model's fit ended, beside the CLV figures: BG/NBD and Gamma-Gamma are
// shown as soon as they are fitted, Pareto/NBD follows; a fit that did not converge or was
// skipped says why (from /api/v1/analytics/clv, `fits`).
import { number, t, type MessageKey } from "../i18n";

export type FitState = "fitting" | "converged" | "not_converged" | "skipped";
export interface FitOutcome {
  state: FitState;
  reason: string | null;
  seconds: number;
}
export interface Fits {
  bgnbd: FitOutcome;
  gamma_gamma: FitOutcome;
  model_check: FitOutcome;
  pareto_nbd: FitOutcome;
}

const MODELS: (keyof Fits)[] = ["bgnbd", "gamma_gamma", "model_check", "pareto_nbd"];

// True while any model is still being fitted: the page asks again.
export function anyFitting(fits: Fits | null | undefined): boolean {
  return !!fits && MODELS.some((m) => fits[m].state === "fitting");
}

export function ModelFits({ fits }: { fits: Fits }) {
  return (
    <div data-testid="model-fits">
      <h3>{t("fits.title")}</h3>
      <div class="table-wrap" tabIndex={0}>
      <table class="table">
        <thead>
          <tr>
            <th>{t("fits.model")}</th>
            <th>{t("fits.state")}</th>
            <th class="num">{t("fits.seconds")}</th>
          </tr>
        </thead>
        <tbody>
          {MODELS.map((m) => (
            <tr key={m} data-testid={`fit-${m}`}>
              <td>{t(`fits.model.${m}` as MessageKey)}</td>
              <td class="wrap">
                <span data-state={fits[m].state}>{t(`fits.state.${fits[m].state}` as MessageKey)}</span>
                {fits[m].reason ? <div class="muted">{fits[m].reason}</div> : null}
              </td>
              <td class="num">{fits[m].state === "fitting" ? "" : number(Math.round(fits[m].seconds * 100) / 100)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </div>
  );
}
