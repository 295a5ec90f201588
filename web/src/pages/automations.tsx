// Automations (자동 발송): the list with each one's trigger, channel, state and last run, the
// one-tap presets for a café, a restaurant and a salon (what each creates is shown before it is
// switched on), and the routes of the editor, the dry run and the report under
// /office/automations. Loaded on demand with the report's chart, so the counter never carries it.
import { useEffect, useState } from "preact/hooks";
import { api, errorKey } from "../api";
import { isPresetItem, type Automation, type AutomationInput, type AutomationPreset, type PresetApplied } from "../api_automations";
import { addMessages, dateTime, hasMessage, t } from "../i18n";
import { koAutomations } from "../i18n/ko_automations";
import { enAutomations } from "../i18n/en_automations";
import { linkClick } from "../router";
import { isManager, useSession } from "../session";
import { StatusLine, useWrite, type Notice } from "../components/ui";
import { AutomationEditor } from "./automation_editor";
import { AutomationDryRun, AutomationReportPage } from "./automation_results";

addMessages({ ko: koAutomations, en: enAutomations });

// The pages under /office/automations: the list, /new, /{id}, /{id}/dry-run, /{id}/report.
export function AutomationsSection({ path }: { path: string }) {
  const rest = path.replace(/^\/office\/automations\/?/, "");
  if (rest === "new") return <AutomationEditor id={null} />;
  const match = rest.match(/^(\d+)(?:\/(dry-run|report))?$/);
  if (!match) return <AutomationList />;
  const id = Number(match[1]);
  if (match[2] === "dry-run") return <AutomationDryRun id={id} />;
  if (match[2] === "report") return <AutomationReportPage id={id} />;
  return <AutomationEditor id={id} />;
}

// "방문 21일 후", "생일 3일 전", "이탈 위험 70% 이상": a trigger in a few words.
export function describeTrigger(trigger: AutomationInput["trigger"]): string {
  const days = trigger.days ?? 0;
  switch (trigger.kind) {
    case "birthday":
    case "anniversary":
      return days > 0
        ? t(`auto.trigger.${trigger.kind}.before`, { days })
        : t(`auto.trigger.${trigger.kind}.onDay`);
    case "churn_risk":
      return t("auto.trigger.churn_risk.at", { percent: Math.round((trigger.threshold ?? 0) * 100) });
    case "tier_promotion":
      return trigger.tier ? t("auto.trigger.tier_promotion.to", { tier: trigger.tier }) : t("auto.trigger.tier_promotion");
    case "days_after_visit":
    case "no_second_visit":
    case "points_expiring":
    case "prospect_not_converted":
      return t(`auto.trigger.${trigger.kind}.days`, { days });
    default:
      return t(`auto.trigger.${trigger.kind}`);
  }
}

// "문자 → 대체: 문자" or "할 일: 전화".
export function describeAction(a: AutomationInput): string {
  if (a.action === "task") return t("auto.action.taskNamed", { title: a.task?.title ?? "" });
  const channel = t(`auto.channel.${a.channel}`);
  return a.fallback_channel ? t("auto.channelWithFallback", { channel, fallback: t(`auto.channel.${a.fallback_channel}`) }) : channel;
}

export function StateBadge({ state }: { state: Automation["state"] }) {
  return <span class={`badge auto-${state}`}>{t(`auto.state.${state}`)}</span>;
}

function AutomationList() {
  const { me } = useSession();
  const manager = isManager(me);
  const [automations, setAutomations] = useState<Automation[] | null>(null);
  const [presets, setPresets] = useState<AutomationPreset[]>([]);
  const [notice, setNotice] = useState<Notice>(null);

  const load = async () => {
    try {
      const list = await api.get<{ automations: Automation[] }>("/automations");
      setAutomations(list.automations);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  useEffect(() => {
    load();
    if (manager) {
      api
        .get<{ presets: AutomationPreset[] }>("/automations/presets")
        .then((answer) => setPresets(answer.presets))
        .catch((error) => setNotice({ kind: "error", text: t(errorKey(error)) }));
    }
  }, []);

  return (
    <div class="office automations" data-testid="automations">
      <div class="dash-head">
        <h1>{t("auto.title")}</h1>
        {manager ? (
          <a class="button primary" href="/office/automations/new" onClick={linkClick}>
            {t("auto.new")}
          </a>
        ) : null}
      </div>
      <p class="muted">{t("auto.lead")}</p>
      <StatusLine notice={notice} />
      {automations === null ? (
        <p class="loading">{t("app.loading")}</p>
      ) : automations.length === 0 ? (
        <p class="muted" data-testid="automations-empty">
          {t("auto.empty")}
        </p>
      ) : (
        <AutomationTable automations={automations} manager={manager} onChanged={load} />
      )}
      {manager && presets.length ? (
        <section aria-labelledby="presets-title">
          <h2 id="presets-title">{t("auto.presets")}</h2>
          <p class="muted">{t("auto.presetsLead")}</p>
          <div class="preset-grid">
            {presets.map((preset) => (
              <PresetCard
                key={preset.key}
                preset={preset}
                existing={automations ?? []}
                onApplied={(applied) => {
                  const count = applied.automations.length;
                  const text = applied.already_present.length
                    ? t("auto.presetAppliedPartly", {
                        name: preset.name,
                        count,
                        present: applied.already_present.map((a) => a.name).join(", "),
                      })
                    : t("auto.presetApplied", { name: preset.name, count });
                  setNotice({ kind: "ok", text });
                  load();
                }}
              />
            ))}
          </div>
        </section>
      ) : null}
    </div>
  );
}

function AutomationTable(props: { automations: Automation[]; manager: boolean; onChanged: () => void }) {
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="table" data-testid="automation-list">
        <thead>
          <tr>
            <th>{t("auto.col.name")}</th>
            <th>{t("auto.col.state")}</th>
            <th>{t("auto.col.trigger")}</th>
            <th>{t("auto.col.channel")}</th>
            <th>{t("auto.col.lastRun")}</th>
            <th>
              <span class="sr-only">{t("auto.col.links")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.automations.map((a) => (
            <AutomationRow key={a.id} automation={a} manager={props.manager} onChanged={props.onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AutomationRow(props: { automation: Automation; manager: boolean; onChanged: () => void }) {
  const a = props.automation;
  const write = useWrite();
  const toggle = async () => {
    const verb = a.state === "active" ? "pause" : "activate";
    const changed = await write.run((options) => api.post<Automation>(`/automations/${a.id}/${verb}`, {}, options));
    if (changed) props.onChanged();
  };
  return (
    <tr data-testid="automation-row" data-id={String(a.id)}>
      <td>
        <a href={`/office/automations/${a.id}`} onClick={linkClick}>
          {a.name}
        </a>
      </td>
      <td>
        {props.manager ? (
          <button
            class="button small toggle"
            type="button"
            role="switch"
            aria-checked={a.state === "active" ? "true" : "false"}
            aria-label={t("auto.toggleLabel", { name: a.name })}
            disabled={write.busy}
            onClick={toggle}
            data-testid="automation-toggle"
          >
            <StateBadge state={a.state} />
          </button>
        ) : (
          <StateBadge state={a.state} />
        )}
        <StatusLine notice={write.notice} />
      </td>
      <td>{describeTrigger(a.trigger)}</td>
      <td>{describeAction(a)}</td>
      <td>{a.last_run_at ? dateTime(a.last_run_at) : t("auto.neverRun")}</td>
      <td class="links">
        <a href={`/office/automations/${a.id}/dry-run`} onClick={linkClick}>
          {t("auto.dryRun")}
        </a>{" "}
        ·{" "}
        <a href={`/office/automations/${a.id}/report`} onClick={linkClick}>
          {t("auto.report")}
        </a>
      </td>
    </tr>
  );
}

// A preset with what it will create listed before the one tap that switches it on; the items the
// business has already are marked, and after the tap those just added too.
function PresetCard(props: {
  preset: AutomationPreset;
  existing: Automation[];
  onApplied: (applied: PresetApplied) => void;
}) {
  const { preset } = props;
  const [open, setOpen] = useState(false);
  const [added, setAdded] = useState<number[]>([]);
  const write = useWrite();
  const apply = async () => {
    const applied = await write.run((options) =>
      api.post<PresetApplied>(`/automations/presets/${preset.key}`, {}, options),
    );
    if (applied) {
      setAdded(applied.automations.map((a) => a.id));
      props.onApplied(applied);
    }
  };
  const itemState = (item: AutomationInput): "added" | "present" | null => {
    const stored = props.existing.find((a) => isPresetItem(a, preset.key, item));
    if (!stored) return null;
    return added.includes(stored.id) ? "added" : "present";
  };
  const presetName = hasMessage(`auto.preset.${preset.key}`) ? t(`auto.preset.${preset.key}` as "auto.preset.cafe") : preset.name;
  return (
    <article class="card preset" data-testid={`preset-${preset.key}`} aria-labelledby={`preset-${preset.key}-title`}>
      <h3 id={`preset-${preset.key}-title`}>{presetName}</h3>
      <p class="muted">{t("auto.presetCreates", { count: preset.automations.length })}</p>
      <ul class="preset-items">
        {preset.automations.map((a, index) => (
          <li key={index} data-testid="preset-item">
            <strong>{a.name}</strong>
            {itemState(a) ? (
              <span class={`badge preset-${itemState(a)}`} data-testid="preset-item-state">
                {t(itemState(a) === "added" ? "auto.presetItemAdded" : "auto.presetItemPresent")}
              </span>
            ) : null}
            <span class="muted">
              {" "}
              · {describeTrigger(a.trigger)} · {t("auto.atHour", { hour: a.send_hour })} · {describeAction(a)}
            </span>
            {open && a.action === "message" ? <pre class="template-text">{a.template.body}</pre> : null}
          </li>
        ))}
      </ul>
      <StatusLine notice={write.notice} />
      <div class="form-buttons">
        <button class="button primary" type="button" disabled={write.busy} onClick={apply}>
          {t("auto.presetApply")}
        </button>
        <button class="button ghost" type="button" aria-expanded={open ? "true" : "false"} onClick={() => setOpen(!open)}>
          {open ? t("auto.presetHide") : t("auto.presetShow")}
        </button>
      </div>
    </article>
  );
}
