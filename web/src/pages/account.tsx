// Who is signed in, the language, and signing out.
import { useState } from "preact/hooks";
import { api, errorKey } from "../api";
import { t } from "../i18n";
import { LangSwitch } from "../app";
import { navigate } from "../router";
import { useSession } from "../session";
import { StatusLine, type Notice } from "../components/ui";

export function Account() {
  const { me, setMe } = useSession();
  const [notice, setNotice] = useState<Notice>(null);
  const logout = async () => {
    try {
      await api.post("/auth/logout", {});
      navigate("/", true);
      setMe(null);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  return (
    <div class="office">
      <h1>{t("account.title")}</h1>
      <section class="card">
        <dl class="defs">
          <dt>{t("account.name")}</dt>
          <dd>{me.staff?.display_name ?? "—"}</dd>
          <dt>{t("account.email")}</dt>
          <dd>{me.staff?.email ?? "—"}</dd>
          <dt>{t("account.role")}</dt>
          <dd>{t(`role.${me.role}`)}</dd>
          <dt>{t("account.business")}</dt>
          <dd>{me.business.name}</dd>
          <dt>{t("lang.label")}</dt>
          <dd>
            <LangSwitch />
          </dd>
        </dl>
        <StatusLine notice={notice} />
        <button class="button danger big" type="button" onClick={logout}>
          {t("account.logout")}
        </button>
      </section>
    </div>
  );
}
