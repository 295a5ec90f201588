// On the customer's page: the messages the customer received, or was held from and why (managers;
// GET /customers/{id}/messages), every consent decision with its time and source
// (GET /customers/{id}/consents), and the opt-out the customer asks for at the counter.
import { useEffect, useState } from "preact/hooks";
import { api, errorKey } from "../api";
import type { ConsentEvent, CustomerMessage } from "../api_campaigns";
import { dateTime, hasMessage, t, type MessageKey } from "../i18n";
import { linkClick } from "../router";
import { StatusLine, useWrite } from "./ui";
import { channelLabel, exclusionLabel, MessageStatusBadge } from "./campaign_bits";

export function CustomerMessaging(props: { customerId: number; canSeeMessages: boolean; onOptedOut: () => void }) {
  const [messages, setMessages] = useState<CustomerMessage[] | null>(null);
  const [consents, setConsents] = useState<ConsentEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const write = useWrite();

  useEffect(() => {
    api
      .get<{ items: ConsentEvent[] }>(`/customers/${props.customerId}/consents`)
      .then((answer) => setConsents([...answer.items].reverse()))
      .catch((e) => setError(t(errorKey(e))));
    if (props.canSeeMessages) {
      api
        .get<{ items: CustomerMessage[] }>(`/customers/${props.customerId}/messages`)
        .then((answer) => setMessages(answer.items))
        .catch((e) => setError(t(errorKey(e))));
    }
  }, [props.customerId, version]);

  const optOut = async () => {
    if (!confirm(t("customerMessages.optOutConfirm"))) return;
    const done = await write.run((options) => api.post(`/customers/${props.customerId}/opt-out`, {}, options).then(() => true));
    if (done) {
      write.setNotice({ kind: "ok", text: t("customerMessages.optedOut") });
      setVersion((v) => v + 1);
      props.onOptedOut();
    }
  };

  return (
    <section class="card" aria-labelledby="messaging-title" data-testid="customer-messaging">
      <div class="dash-head">
        <h2 id="messaging-title">{t("customerMessages.title")}</h2>
        <button class="button small" type="button" disabled={write.busy} onClick={optOut} data-testid="counter-opt-out">
          {t("customerMessages.optOut")}
        </button>
      </div>
      <StatusLine notice={write.notice} />
      {error ? <p class="notice notice-error">{error}</p> : null}
      <div class="grid-2">
        {props.canSeeMessages ? (
          <div>
            <h3>{t("customerMessages.received")}</h3>
            {messages === null ? null : messages.length === 0 ? (
              <p class="muted">{t("customerMessages.none")}</p>
            ) : (
              <ol class="timeline" data-testid="customer-messages">
                {messages.map((m, i) => (
                  <li key={i}>
                    <time dateTime={m.at}>{dateTime(m.at)}</time>
                    <span>
                      {m.campaign_id ? (
                        <a href={`/office/campaigns/${m.campaign_id}`} onClick={linkClick}>{m.campaign_name}</a>
                      ) : (
                        t("customerMessages.notice")
                      )}{" "}
                      {m.message ? (
                        <>
                          · {channelLabel(m.message.channel)} <MessageStatusBadge status={m.message.status} />
                          {m.message.body ? <span class="message-text">{m.message.body}</span> : null}
                        </>
                      ) : (
                        <span class="muted">
                          · {t(`group.${m.group}` as MessageKey)}
                          {m.exclusion ? ` (${exclusionLabel(m.exclusion)})` : ""}
                        </span>
                      )}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </div>
        ) : null}
        <div>
          <h3>{t("customerMessages.consents")}</h3>
          {consents === null ? null : consents.length === 0 ? (
            <p class="muted">{t("customerMessages.noConsents")}</p>
          ) : (
            <table class="table" data-testid="consent-history">
              <tbody>
                {consents.map((c, i) => (
                  <tr key={i}>
                    <td>{dateTime(c.at)}</td>
                    <td>{t(`consent.${c.channel}`)}</td>
                    <td class={`consent-state ${c.granted ? "yes" : "no"}`}>
                      {t(c.granted ? "consent.granted" : "consent.denied")}
                    </td>
                    <td>{hasMessage(`source.${c.source}`) ? t(`source.${c.source}` as MessageKey) : c.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}
