// The outbox (발송함, /office/outbox, owners and managers): every message the business queued,
// newest first, with its channel, masked recipient, status and attempts; a row opens the message's
// full status history (queued, sending, sent, delivered or failed with the provider's code).
// Filtered by status, and by campaign when opened from a campaign's report (?campaign_id=).
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, errorKey, type Page } from "../api";
import { MESSAGE_STATUSES, type MessageEvent, type MessageStatus, type OutboxMessage } from "../api_campaigns";
import { dateTime, number, t } from "../i18n";
import { linkClick, searchParam } from "../router";
import { Field, StatusLine, type Notice } from "../components/ui";
import { channelLabel, MessageStatusBadge } from "../components/campaign_bits";

export function Outbox() {
  const campaign = searchParam("campaign_id");
  const [status, setStatus] = useState<MessageStatus | "">("");
  const [items, setItems] = useState<OutboxMessage[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [open, setOpen] = useState<number | null>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const load = async (from: string | null) => {
    const params = new URLSearchParams({ limit: "50" });
    if (campaign) params.set("campaign_id", campaign);
    if (status) params.set("status", status);
    if (from) params.set("cursor", from);
    setLoading(true);
    try {
      const page = await api.get<Page<OutboxMessage>>(`/messaging/outbox?${params}`);
      setItems((previous) => (from ? [...previous, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setNotice(null);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load(null);
  }, [status, campaign]);

  return (
    <div class="office outbox">
      <h1>{t("outbox.title")}</h1>
      <p class="muted">{t("outbox.intro")}</p>
      <div class="filters card">
        <Field label={t("outbox.status")}>
          <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value as MessageStatus | "")}>
            <option value="">{t("common.all")}</option>
            {MESSAGE_STATUSES.map((s) => (
              <option value={s} key={s}>{t(`message.status.${s}`)}</option>
            ))}
          </select>
        </Field>
        {campaign ? (
          <p>
            {t("outbox.ofCampaign", { id: campaign })}{" "}
            <a href={`/office/campaigns/${campaign}`} onClick={linkClick}>{t("outbox.toReport")}</a>{" · "}
            <a href="/office/outbox" onClick={linkClick}>{t("outbox.all")}</a>
          </p>
        ) : null}
      </div>
      <StatusLine notice={notice} />
      {items.length === 0 ? (
        loading ? <p class="loading">{t("app.loading")}</p> : <p class="empty">{t("outbox.empty")}</p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="outbox-table">
            <thead>
              <tr>
                <th scope="col">{t("outbox.col.queued")}</th>
                <th scope="col">{t("campaigns.col.channel")}</th>
                <th scope="col">{t("outbox.col.recipient")}</th>
                <th scope="col">{t("outbox.status")}</th>
                <th scope="col" class="num">{t("outbox.col.attempts")}</th>
                <th scope="col">{t("outbox.col.body")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <Fragment key={m.id}>
                  <tr data-testid={`outbox-${m.id}`}>
                    <td>
                      <button type="button" class="link-button" aria-expanded={open === m.id}
                        onClick={() => setOpen(open === m.id ? null : m.id)}>
                        {dateTime(m.created_at)}
                      </button>
                    </td>
                    <td>
                      {channelLabel(m.channel)}
                      <span class="muted small"> · {t(`purpose.${m.purpose}`)}</span>
                    </td>
                    <td>
                      <a href={`/office/customers/${m.customer_id}`} onClick={linkClick}>{m.recipient || "—"}</a>
                    </td>
                    <td><MessageStatusBadge status={m.status} /></td>
                    <td class="num">{number(m.attempts)}</td>
                    <td class="message-cell">{m.body ?? <span class="muted">{t("outbox.bodyHidden")}</span>}</td>
                  </tr>
                  {open === m.id ? (
                    <tr>
                      <td colSpan={6}><History id={m.id} /></td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? (
        <button class="button" type="button" disabled={loading} onClick={() => load(cursor)}>
          {t("common.more")}
        </button>
      ) : null}
    </div>
  );
}

function History({ id }: { id: number }) {
  const [events, setEvents] = useState<MessageEvent[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api
      .get<{ events: MessageEvent[] }>(`/messaging/outbox/${id}`)
      .then((answer) => setEvents(answer.events))
      .catch(() => setFailed(true));
  }, [id]);
  if (failed) return <p class="notice notice-error">{t("error.generic")}</p>;
  if (!events) return <p class="loading">{t("app.loading")}</p>;
  return (
    <ol class="timeline" data-testid="message-history">
      {events.map((e, i) => (
        <li key={i}>
          <time dateTime={e.at}>{dateTime(e.at)}</time>
          <span>
            <MessageStatusBadge status={e.status} />
            {e.attempt ? ` ${t("outbox.attempt", { n: e.attempt })}` : ""}
            {e.provider_status_code ? ` · ${t("outbox.code", { code: e.provider_status_code })}` : ""}
            {e.detail ? ` · ${e.detail}` : ""}
          </span>
        </li>
      ))}
    </ol>
  );
}
