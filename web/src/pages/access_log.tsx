// Who viewed or changed which customer (owners only).
import { useEffect, useState } from "preact/hooks";
import { api, errorKey, type AccessLogEntry, type Page, type Staff } from "../api";
import { dateTime, t } from "../i18n";
import { linkClick } from "../router";
import { StatusLine, type Notice } from "../components/ui";
import { accessAction, accessDetail } from "../access_log_text";

export function AccessLog() {
  const [entries, setEntries] = useState<AccessLogEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [staff, setStaff] = useState<Map<number, string>>(new Map());
  const [notice, setNotice] = useState<Notice>(null);

  const load = async (from: string | null) => {
    try {
      const page = await api.get<Page<AccessLogEntry>>(`/access-log?limit=100${from ? `&cursor=${encodeURIComponent(from)}` : ""}`);
      setEntries((previous) => (from ? [...previous, ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  useEffect(() => {
    load(null);
    api
      .get<Page<Staff>>("/staff")
      .then((page) => setStaff(new Map(page.items.map((s) => [s.id, s.display_name]))))
      .catch(() => undefined);
  }, []);

  return (
    <div class="office">
      <h1>{t("log.title")}</h1>
      <StatusLine notice={notice} />
      {entries.length === 0 ? (
        <p class="empty">{t("log.empty")}</p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="access-log">
            <thead>
              <tr>
                <th scope="col">{t("log.at")}</th>
                <th scope="col">{t("log.who")}</th>
                <th scope="col">{t("log.customer")}</th>
                <th scope="col">{t("log.action")}</th>
                <th scope="col">{t("log.ip")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{dateTime(e.at)}</td>
                  <td>{e.staff_id !== null ? staff.get(e.staff_id) ?? `#${e.staff_id}` : e.token_id !== null ? t("log.token", { id: e.token_id }) : "—"}</td>
                  <td>
                    {e.customer_id !== null ? (
                      <a href={`/office/customers/${e.customer_id}`} onClick={linkClick}>
                        {e.customer_name || t("log.customerId", { id: e.customer_id })}
                      </a>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    {accessAction(e.action)}
                    {e.detail ? <span class="muted"> · {accessDetail(e.detail)}</span> : null}
                  </td>
                  <td>{e.ip}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? (
        <button class="button" type="button" onClick={() => load(cursor)}>
          {t("common.more")}
        </button>
      ) : null}
    </div>
  );
}
