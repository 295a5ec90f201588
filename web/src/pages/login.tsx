import { useState } from "preact/hooks";
import { api, ApiError, errorKey, type Me } from "../api";
import { t } from "../i18n";
import { LangSwitch } from "../app";
import { Field, StatusLine, type Notice } from "../components/ui";

interface LoginProps {
  onSignedIn: (me: Me) => void;
  notice?: string;
  presetEmail?: string;
}

export function Login({ onSignedIn, notice, presetEmail }: LoginProps) {
  const [email, setEmail] = useState(presetEmail ?? "");
  const [password, setPassword] = useState("");
  const [status, setStatus] = useState<Notice>(notice ? { kind: "info", text: notice } : null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await api.post("/auth/login", { email: email.trim(), password }, { authRequest: true });
      onSignedIn(await api.get<Me>("/auth/me"));
    } catch (error) {
      const key = error instanceof ApiError && error.status === 401 ? "login.wrong" : errorKey(error);
      setStatus({ kind: "error", text: t(key) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login-wrap">
      <form class="login card" onSubmit={submit} aria-labelledby="login-title">
        <div class="login-head">
          <span class="brand-mark" aria-hidden="true">
            단
          </span>
          <div>
            <h1 id="login-title">{t("login.title")}</h1>
            <p class="muted">{t("login.subtitle")}</p>
          </div>
        </div>
        <Field label={t("login.email")}>
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Field label={t("login.password")}>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <StatusLine notice={status} />
        <button class="button primary big" type="submit" disabled={busy}>
          {t("login.submit")}
        </button>
        <div class="login-foot">
          <LangSwitch />
        </div>
      </form>
    </div>
  );
}
