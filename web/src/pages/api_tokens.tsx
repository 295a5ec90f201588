// For owners: the API tokens of the business (POS, scripts) with their role, creation and last
// use, and revoking one; a revoked token is refused from its next request. Secrets are never shown
// here: a token's secret is shown once, when it is made.
import { useEffect, useState } from "preact/hooks";
import { api, errorKey, type ApiToken } from "../api";
import { dateTime, t } from "../i18n";
import { StatusLine, type Notice } from "../components/ui";

export function ApiTokens() {
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const load = () =>
    api
      .get<{ items: ApiToken[] }>("/tokens")
      .then((answer) => setTokens(answer.items))
      .catch((error) => setNotice({ kind: "error", text: t(errorKey(error)) }));
  useEffect(() => {
    load();
  }, []);
  const revoke = async (token: ApiToken) => {
    if (!window.confirm(t("apiTokens.confirm", { name: token.name }))) return;
    try {
      await api.del(`/tokens/${token.id}`);
      setNotice({ kind: "ok", text: t("apiTokens.revoked", { name: token.name }) });
      load();
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  return (
    <section class="card" aria-labelledby="api-tokens-title" data-testid="api-tokens">
      <h2 id="api-tokens-title">{t("apiTokens.title")}</h2>
      <p class="muted small">{t("apiTokens.hint")}</p>
      <StatusLine notice={notice} />
      <div class="table-wrap" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th>{t("apiTokens.col.name")}</th>
              <th>{t("apiTokens.col.role")}</th>
              <th>{t("apiTokens.col.created")}</th>
              <th>{t("apiTokens.col.lastUsed")}</th>
              <th>{t("apiTokens.col.state")}</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>{t(`role.${token.role}`)}</td>
                <td>{dateTime(token.created_at)}</td>
                <td>{token.last_used_at ? dateTime(token.last_used_at) : t("apiTokens.never")}</td>
                <td>
                  {token.revoked_at ? (
                    <span class="badge">{t("apiTokens.revokedAt", { at: dateTime(token.revoked_at) })}</span>
                  ) : (
                    <button class="button" type="button" onClick={() => revoke(token)}>
                      {t("apiTokens.revoke")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
