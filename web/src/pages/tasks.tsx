// The back office's tasks: open, done or skipped, mine (and the unassigned) or everyone's, with
// done and skip on the open ones. Automations and prospect follow-ups create them.
import { useEffect, useState } from "preact/hooks";
import { api, errorKey, type Page, type Staff } from "../api";
import type { Task, TaskStatus } from "../api_automations";
import { date, dateTime, t } from "../i18n";
import { linkClick } from "../router";
import { isManager, useSession } from "../session";
import { StatusLine, type Notice } from "../components/ui";
import { TaskButtons } from "../components/tasks";

export function Tasks() {
  const { me } = useSession();
  const manager = isManager(me);
  const [status, setStatus] = useState<TaskStatus>("open");
  const [assignee, setAssignee] = useState<"me" | "all">("me");
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [staff, setStaff] = useState<Staff[]>([]);
  const [notice, setNotice] = useState<Notice>(null);

  const load = async () => {
    try {
      const answer = await api.get<{ tasks: Task[] }>(`/tasks?status=${status}&assignee=${assignee}`);
      setTasks(answer.tasks);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  useEffect(() => {
    load();
  }, [status, assignee]);
  useEffect(() => {
    api.get<Page<Staff>>("/staff").then((page) => setStaff(page.items), () => {});
  }, []);
  const staffName = (id: number | null) =>
    id === null ? t("task.unassigned") : (staff.find((s) => s.id === id)?.display_name ?? `#${id}`);

  return (
    <div class="office tasks-page" data-testid="tasks">
      <h1>{t("task.title")}</h1>
      <div class="row task-filters">
        <div class="segmented" role="group" aria-label={t("task.status")}>
          {(["open", "done", "skipped"] as const).map((s) => (
            <button class="button small" type="button" key={s} aria-pressed={status === s ? "true" : "false"} onClick={() => setStatus(s)}>
              {t(`task.status.${s}`)}
            </button>
          ))}
        </div>
        {manager ? (
          <div class="segmented" role="group" aria-label={t("task.assignee")}>
            {(["me", "all"] as const).map((a) => (
              <button class="button small" type="button" key={a} aria-pressed={assignee === a ? "true" : "false"} onClick={() => setAssignee(a)}>
                {t(`task.assignee.${a}`)}
              </button>
            ))}
          </div>
        ) : null}
      </div>
      <StatusLine notice={notice} />
      {tasks === null ? (
        <p class="loading">{t("app.loading")}</p>
      ) : tasks.length === 0 ? (
        <p class="muted" data-testid="tasks-empty">
          {t("task.empty")}
        </p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="task-table">
            <thead>
              <tr>
                <th>{t("task.col.due")}</th>
                <th>{t("task.col.title")}</th>
                <th>{t("task.col.customer")}</th>
                <th>{t("task.col.source")}</th>
                <th>{t("task.col.assignee")}</th>
                <th>{status === "open" ? <span class="sr-only">{t("task.col.actions")}</span> : t("task.col.closed")}</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((task) => (
                <tr key={task.id} data-testid="task-row">
                  <td>{date(`${task.due_date}T12:00:00Z`)}</td>
                  <td>{task.title}</td>
                  <td>
                    {task.customer_id === null ? (
                      task.customer_name
                    ) : (
                      <a href={`/office/customers/${task.customer_id}`} onClick={linkClick}>
                        {task.customer_name}
                      </a>
                    )}
                  </td>
                  <td>{t(`task.source.${task.source}`)}</td>
                  <td>{staffName(task.assignee_staff_id)}</td>
                  <td>
                    {task.status === "open" ? (
                      <TaskButtons
                        task={task}
                        onClosed={(closed) => {
                          setNotice({
                            kind: "ok",
                            text: t(closed.status === "done" ? "task.doneNotice" : "task.skippedNotice", { title: closed.title }),
                          });
                          load();
                        }}
                      />
                    ) : (
                      dateTime(task.closed_at)
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
