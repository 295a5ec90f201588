// The shell: checks the session, shows the sign-in page or the chosen page with the menu, and
// puts the sign-in form over the page when the session expires, so nothing typed is lost.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { kioskDevice, onSessionExpired, request, setCsrfToken, type Me } from "./api";
import { lang, onLangChange, setLang, t, type Lang } from "./i18n";
import { navigate, usePath } from "./router";
import { SessionContext } from "./session";
import { Login } from "./pages/login";
import { Counter } from "./pages/counter";
import { Kiosk, KioskSetup } from "./pages/kiosk";
import { Customers } from "./pages/customers";
import { CustomerPage } from "./pages/customer";
import { Team } from "./pages/team";
import { AccessLog } from "./pages/access_log";
import { Duplicates } from "./pages/duplicates";
import { ImportPage } from "./pages/import";
import { LoyaltySettings } from "./pages/loyalty_settings";
import { Account } from "./pages/account";
import { OptOut } from "./pages/opt_out";
import { Tasks } from "./pages/tasks";
import { Nav } from "./components/nav";
import { isManager } from "./session";

// The dashboard and its chart library are fetched only when the page is opened, so they never
// weigh on the counter screen.
function LazyDashboard() {
  const [Dashboard, setDashboard] = useState<(() => JSX.Element) | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import("./pages/dashboard")
      .then((module) => setDashboard(() => module.Dashboard))
      .catch(() => setFailed(true));
  }, []);
  if (failed) return <p class="notice notice-error">{t("error.network")}</p>;
  return Dashboard ? <Dashboard /> : <p class="loading">{t("app.loading")}</p>;
}

// The campaign pages (the report draws a chart) are fetched the same way, when first opened.
function lazyPage<P extends object>(load: () => Promise<(props: P) => JSX.Element>) {
  return function LazyPage(props: P) {
    const [Loaded, setLoaded] = useState<((props: P) => JSX.Element) | null>(null);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      load()
        .then((component) => setLoaded(() => component))
        .catch(() => setFailed(true));
    }, []);
    if (failed) return <p class="notice notice-error">{t("error.network")}</p>;
    return Loaded ? <Loaded {...props} /> : <p class="loading">{t("app.loading")}</p>;
  };
}

const LazyCampaignReport = lazyPage((): Promise<(props: { id: number }) => JSX.Element> =>
  import("./pages/campaign_report").then((module) => module.CampaignReportPage));
const CampaignComposer = lazyPage((): Promise<(props: { id?: number }) => JSX.Element> =>
  import("./pages/campaign_composer").then((module) => module.CampaignComposer));
const Campaigns = lazyPage((): Promise<() => JSX.Element> => import("./pages/campaigns").then((module) => module.Campaigns));
const Outbox = lazyPage((): Promise<() => JSX.Element> => import("./pages/outbox").then((module) => module.Outbox));

// The automation pages carry the report's chart: loaded on demand like the dashboard.
function LazyAutomations({ path }: { path: string }) {
  const [Section, setSection] = useState<((props: { path: string }) => JSX.Element) | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import("./pages/automations")
      .then((module) => setSection(() => module.AutomationsSection))
      .catch(() => setFailed(true));
  }, []);
  if (failed) return <p class="notice notice-error">{t("error.network")}</p>;
  return Section ? <Section path={path} /> : <p class="loading">{t("app.loading")}</p>;
}

export function App() {
  const path = usePath();
  const [me, setMeState] = useState<Me | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [, setLangVersion] = useState(0);
  const [kioskReady, setKioskReady] = useState(() => kioskDevice.token() !== null);

  const setMe = (next: Me | null) => {
    setCsrfToken(next?.csrf_token ?? null);
    setMeState(next);
  };

  useEffect(() => onLangChange(() => setLangVersion((v) => v + 1)), []);
  useEffect(() => onSessionExpired(() => setExpired(true)), []);
  useEffect(() => {
    request<Me>("GET", "/auth/me", undefined, { authRequest: true })
      .then(setMe)
      .catch(() => setMe(null));
  }, []);

  // The opt-out page of a message's link is public: no session, no sign-in form.
  const optOut = path.match(/^\/u\/([^/]+)$/);
  if (optOut) return <OptOut token={optOut[1]} />;
  // A tablet enabled as a kiosk needs no staff session: the device's credential is enough.
  if (path === "/kiosk" && kioskReady) return <Kiosk />;
  if (me === undefined) return <p class="loading">{t("app.loading")}</p>;
  if (me === null) {
    return (
      <Login
        onSignedIn={(next) => {
          setMe(next);
          if (path === "/login") navigate("/", true);
        }}
      />
    );
  }

  const session = { me, setMe };
  const relogin = expired ? (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="login-title">
      <Login
        notice={t("login.expired")}
        presetEmail={me.staff?.email}
        onSignedIn={(next) => {
          setMe(next);
          setExpired(false);
        }}
      />
    </div>
  ) : null;

  if (path === "/kiosk") {
    return (
      <SessionContext.Provider value={session}>
        <KioskSetup canEnable={me.role !== "staff"} onEnabled={() => setKioskReady(true)} />
        {relogin}
      </SessionContext.Provider>
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <div class="shell">
        <Nav me={me} path={path} langSwitch={<LangSwitch />} />
        <main class="page" id="main">
          <Page path={path} me={me} />
        </main>
      </div>
      {relogin}
    </SessionContext.Provider>
  );
}

function Page({ path, me }: { path: string; me: Me }) {
  const customer = path.match(/^\/office\/customers\/(\d+)$/);
  if (customer) return <CustomerPage id={Number(customer[1])} />;
  const campaign = path.match(/^\/office\/campaigns\/(\d+)(\/edit)?$/);
  if (campaign && isManager(me)) {
    const id = Number(campaign[1]);
    return campaign[2] ? <CampaignComposer key={`edit-${id}`} id={id} /> : <LazyCampaignReport key={`report-${id}`} id={id} />;
  }
  if (path === "/office/automations" || path.startsWith("/office/automations/")) return <LazyAutomations path={path} />;
  switch (path) {
    case "/office/customers":
      return <Customers />;
    case "/office/team":
      return <Team />;
    case "/office/analytics":
      return isManager(me) ? <LazyDashboard /> : <Counter />;
    case "/office/campaigns":
      return isManager(me) ? <Campaigns /> : <Counter />;
    case "/office/campaigns/new":
      return isManager(me) ? <CampaignComposer key="new" /> : <Counter />;
    case "/office/outbox":
      return isManager(me) ? <Outbox /> : <Counter />;
    case "/office/loyalty":
      return me.role === "owner" ? <LoyaltySettings /> : <Counter />;
    case "/office/duplicates":
      return me.role !== "staff" ? <Duplicates /> : <Counter />;
    case "/office/import":
      return me.role !== "staff" ? <ImportPage /> : <Counter />;
    case "/office/access-log":
      return me.role === "owner" ? <AccessLog /> : <Counter />;
    case "/office/tasks":
      return <Tasks />;
    case "/account":
      return <Account />;
    default:
      return <Counter />;
  }
}

export function LangSwitch() {
  return (
    <label class="lang">
      <span class="sr-only">{t("lang.label")}</span>
      <select
        value={lang()}
        onChange={(event) => setLang((event.currentTarget as HTMLSelectElement).value as Lang)}
        data-testid="lang"
      >
        <option value="ko">{t("lang.ko")}</option>
        <option value="en">{t("lang.en")}</option>
      </select>
    </label>
  );
}
