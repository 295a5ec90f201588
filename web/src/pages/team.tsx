// Branches and staff: roles, branch access, the daily prospect goal and today's progress; for
// managers, the kiosk devices (enabled from /kiosk on the tablet itself) and turning one off; for
// owners, the API tokens (api_tokens.tsx).
import { useEffect, useState } from "preact/hooks";
import {
  api,
  errorKey,
  type Branch,
  type KioskDevice,
  type Page,
  type ProspectProgress,
  type Role,
  type Staff,
} from "../api";
import { dateTime, t } from "../i18n";
import { isManager, useSession } from "../session";
import { Field, StatusLine, type Notice } from "../components/ui";
import { ApiTokens } from "./api_tokens";

export function Team() {
  const { me } = useSession();
  const [branches, setBranches] = useState<Branch[]>([]);
  const [staff, setStaff] = useState<Staff[]>([]);
  const [progress, setProgress] = useState<ProspectProgress[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const [branchName, setBranchName] = useState("");
  const [draft, setDraft] = useState({ email: "", display_name: "", password: "", role: "staff" as Role });
  const manager = isManager(me);

  const fail = (error: unknown) => setNotice({ kind: "error", text: t(errorKey(error)) });
  const load = async () => {
    try {
      const [b, s, p] = await Promise.all([
        api.get<Page<Branch>>("/branches"),
        api.get<Page<Staff>>("/staff"),
        api.get<Page<ProspectProgress>>("/prospects/progress"),
      ]);
      setBranches(b.items);
      setStaff(s.items);
      setProgress(p.items);
    } catch (error) {
      fail(error);
    }
  };
  useEffect(() => {
    load();
  }, []);

  const saved = () => {
    setNotice({ kind: "ok", text: t("common.saved") });
    load();
  };
  const addBranch = async (event: Event) => {
    event.preventDefault();
    try {
      await api.post("/branches", { name: branchName.trim() });
      setBranchName("");
      saved();
    } catch (error) {
      fail(error);
    }
  };
  const addStaff = async (event: Event) => {
    event.preventDefault();
    try {
      await api.post("/staff", draft);
      setDraft({ email: "", display_name: "", password: "", role: "staff" });
      saved();
    } catch (error) {
      fail(error);
    }
  };
  const change = async (id: number, body: Record<string, unknown>) => {
    try {
      await api.patch(`/staff/${id}`, body);
      saved();
    } catch (error) {
      fail(error);
    }
  };
  const branchNames = (ids: number[]) =>
    ids.length ? ids.map((id) => branches.find((b) => b.id === id)?.name ?? `#${id}`).join(", ") : t("team.allBranches");

  return (
    <div class="office">
      <StatusLine notice={notice} />
      <section class="card">
        <h2>{t("team.progress")}</h2>
        <ul class="progress-list">
          {progress.map((p) => (
            <li key={p.staff_id}>
              <span>{p.display_name}</span>
              <progress max={Math.max(p.goal, 1)} value={Math.min(p.today, Math.max(p.goal, 1))} aria-label={p.display_name} />
              <span class="num">
                {p.today} / {p.goal}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <div class="grid-2">
        <section class="card">
          <h2>{t("team.branches")}</h2>
          <ul class="plain">
            {branches.map((b) => (
              <li key={b.id}>{b.name}</li>
            ))}
          </ul>
          {manager ? (
            <form class="row" onSubmit={addBranch}>
              <Field label={t("team.branchName")}>
                <input required value={branchName} onInput={(e) => setBranchName(e.currentTarget.value)} />
              </Field>
              <button class="button" type="submit">
                {t("team.addBranch")}
              </button>
            </form>
          ) : null}
        </section>
        {manager ? (
          <section class="card">
            <h2>{t("team.addStaff")}</h2>
            <form onSubmit={addStaff}>
              <div class="row">
                <Field label={t("team.col.email")}>
                  <input type="email" required value={draft.email} onInput={(e) => setDraft({ ...draft, email: e.currentTarget.value })} />
                </Field>
                <Field label={t("team.col.name")}>
                  <input value={draft.display_name} onInput={(e) => setDraft({ ...draft, display_name: e.currentTarget.value })} />
                </Field>
              </div>
              <div class="row">
                <Field label={t("team.password")}>
                  <input type="password" autocomplete="new-password" required value={draft.password} onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })} />
                </Field>
                <Field label={t("team.col.role")}>
                  <select value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as Role })}>
                    {(me.role === "owner" ? (["staff", "manager", "owner"] as const) : (["staff"] as const)).map((r) => (
                      <option value={r} key={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </Field>
              </div>
              <button class="button primary" type="submit">
                {t("team.addStaff")}
              </button>
            </form>
          </section>
        ) : null}
      </div>
      <section class="card">
        <h2>{t("team.staff")}</h2>
        <div class="table-wrap" tabIndex={0}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t("team.col.name")}</th>
                <th scope="col">{t("team.col.email")}</th>
                <th scope="col">{t("team.col.role")}</th>
                <th scope="col">{t("team.col.branches")}</th>
                <th scope="col">{t("team.col.goal")}</th>
                <th scope="col">{t("team.col.active")}</th>
              </tr>
            </thead>
            <tbody>
              {staff.map((s) => (
                <tr key={s.id}>
                  <td>{s.display_name}</td>
                  <td>{s.email}</td>
                  <td>{t(`role.${s.role}`)}</td>
                  <td>{branchNames(s.branch_ids)}</td>
                  <td>
                    {manager ? (
                      <input
                        class="narrow"
                        type="number"
                        min={0}
                        max={100}
                        value={s.daily_prospect_goal}
                        aria-label={`${t("team.col.goal")} ${s.display_name}`}
                        onChange={(e) => change(s.id, { daily_prospect_goal: Number(e.currentTarget.value) })}
                      />
                    ) : (
                      s.daily_prospect_goal
                    )}
                  </td>
                  <td>{t(s.active ? "team.active" : "team.inactive")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {manager ? <KioskDevices /> : null}
      {me.role === "owner" ? <ApiTokens /> : null}
    </div>
  );
}

// The kiosk tablets of the business; turning one off refuses its credential from its next request.
function KioskDevices() {
  const [devices, setDevices] = useState<KioskDevice[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const load = () =>
    api
      .get<{ items: KioskDevice[] }>("/kiosk-devices")
      .then((answer) => setDevices(answer.items))
      .catch((error) => setNotice({ kind: "error", text: t(errorKey(error)) }));
  useEffect(() => {
    load();
  }, []);
  const disable = async (device: KioskDevice) => {
    try {
      await api.post(`/kiosk-devices/${device.id}/disable`, {});
      setNotice({ kind: "ok", text: t("kioskDevices.disabled", { name: device.name }) });
      load();
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  return (
    <section class="card" aria-labelledby="kiosk-devices-title" data-testid="kiosk-devices">
      <h2 id="kiosk-devices-title">{t("kioskDevices.title")}</h2>
      <p class="muted small">{t("kioskDevices.hint")}</p>
      <StatusLine notice={notice} />
      <ul class="plain-list">
        {devices.map((device) => (
          <li key={device.id}>
            <span>{device.name}</span> <span class="muted small">{dateTime(device.created_at)}</span>{" "}
            {device.disabled_at ? (
              <span class="badge">{t("kioskDevices.off")}</span>
            ) : (
              <button class="button" type="button" onClick={() => disable(device)}>
                {t("kioskDevices.disable")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
