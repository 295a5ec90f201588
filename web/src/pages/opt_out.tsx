// The public opt-out page (/u/{token}), reached from the link in an advertising message: no
// sign-in; it shows the business and the customer's masked name, withdraws every marketing
// consent with one tap (POST /api/v1/opt-out) and confirms it. A forged or altered link is told
// so plainly.
import { useEffect, useState } from "preact/hooks";
import { ApiError, request } from "../api";
import type { OptOutPage } from "../api_campaigns";
import { dateTime, t } from "../i18n";
import { LangSwitch } from "../app";

type State =
  | { kind: "loading" }
  | { kind: "invalid" }
  | { kind: "error" }
  | { kind: "ready"; page: OptOutPage }
  | { kind: "done"; page: OptOutPage; at: string };

export function OptOut({ token }: { token: string }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [busy, setBusy] = useState(false);
  const fail = (error: unknown) =>
    setState(error instanceof ApiError && (error.status === 404 || error.status === 400) ? { kind: "invalid" } : { kind: "error" });

  useEffect(() => {
    request<OptOutPage>("GET", `/opt-out?token=${encodeURIComponent(token)}`, undefined, { authRequest: true })
      .then((page) => setState({ kind: "ready", page }))
      .catch(fail);
  }, [token]);

  const optOut = async () => {
    setBusy(true);
    try {
      const page = await request<OptOutPage>("POST", "/opt-out", { token }, { authRequest: true });
      setState({ kind: "done", page, at: new Date().toISOString() });
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="opt-out" id="main">
      <div class="opt-out-card card">
        <div class="opt-out-head">
          <span class="brand-mark" aria-hidden="true">단</span>
          <LangSwitch />
        </div>
        {state.kind === "loading" ? <p class="loading">{t("app.loading")}</p> : null}
        {state.kind === "invalid" ? (
          <div role="alert" data-testid="opt-out-invalid">
            <h1>{t("optOut.invalidTitle")}</h1>
            <p>{t("optOut.invalid")}</p>
          </div>
        ) : null}
        {state.kind === "error" ? <p class="notice notice-error" role="alert">{t("error.network")}</p> : null}
        {state.kind === "ready" ? (
          <div>
            <h1 data-testid="opt-out-business">{state.page.business}</h1>
            <p>{t("optOut.greeting", { name: state.page.customer || t("optOut.customer") })}</p>
            {state.page.receiving ? (
              <>
                <p>{t("optOut.explain", { business: state.page.business })}</p>
                <button class="button primary big" type="button" disabled={busy} onClick={optOut} data-testid="opt-out-button">
                  {t("optOut.button")}
                </button>
                <p class="muted small">{t("optOut.free")}</p>
              </>
            ) : (
              <p class="notice notice-info" data-testid="opt-out-already">{t("optOut.already")}</p>
            )}
          </div>
        ) : null}
        {state.kind === "done" ? (
          <div role="status" data-testid="opt-out-done">
            <h1>{t("optOut.doneTitle")}</h1>
            <p>{t("optOut.done", { business: state.page.business, time: dateTime(state.at) })}</p>
          </div>
        ) : null}
      </div>
    </main>
  );
}
