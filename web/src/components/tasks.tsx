// Staff tasks (a call, a word at the counter, a prospect's follow-up): one task with its done and
// skip buttons, and the open tasks of the customer whose card is open at the counter.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { Task } from "../api_automations";
import { date, t } from "../i18n";
import { StatusLine, useWrite } from "./ui";

// Done and skip for an open task; `onClosed` gets the task as the server closed it.
export function TaskButtons({ task, onClosed }: { task: Task; onClosed: (closed: Task) => void }) {
  const write = useWrite();
  const close = async (verb: "done" | "skip") => {
    const closed = await write.run((options) =>
      api.post<Task>(`/tasks/${task.id}/${verb}`, {}, options),
    );
    if (closed) onClosed(closed);
  };
  return (
    <span class="task-buttons">
      <button class="button small primary" type="button" disabled={write.busy} onClick={() => close("done")} data-testid="task-done">
        {t("task.done")}
      </button>
      <button class="button small" type="button" disabled={write.busy} onClick={() => close("skip")} data-testid="task-skip">
        {t("task.skip")}
      </button>
      <StatusLine notice={write.notice} />
    </span>
  );
}

// The open tasks for one customer, on the counter card: "전화: 김*수" with done and skip. The
// customer card may carry them (`open_tasks`); otherwise they are asked for.
export function CustomerTasks(props: { customerId: number; given?: Task[]; onChanged: (text: string) => void }) {
  const [tasks, setTasks] = useState<Task[]>(props.given ?? []);
  useEffect(() => {
    if (props.given) {
      setTasks(props.given);
      return;
    }
    api
      .get<{ tasks: Task[] }>(`/tasks?status=open&assignee=all&customer_id=${props.customerId}`)
      .then((answer) => setTasks(answer.tasks))
      .catch(() => setTasks([]));
  }, [props.customerId, props.given]);
  if (!tasks.length) return null;
  return (
    <section class="card-section tasks" aria-labelledby="tasks-title" data-testid="customer-tasks">
      <h3 id="tasks-title">{t("task.forCustomer")}</h3>
      <ul class="task-list">
        {tasks.map((task) => (
          <li key={task.id} class="task" data-testid="task">
            <span class="task-title">
              {task.title}
              <span class="muted small"> · {t("task.due", { date: date(`${task.due_date}T12:00:00Z`) })}</span>
            </span>
            <TaskButtons
              task={task}
              onClosed={(closed) => {
                setTasks(tasks.filter((other) => other.id !== closed.id));
                props.onChanged(t(closed.status === "done" ? "task.doneNotice" : "task.skippedNotice", { title: closed.title }));
              }}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
