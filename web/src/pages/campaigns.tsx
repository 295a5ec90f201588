// The campaign list (/office/campaigns, owners and managers): every campaign with its channel,
// purpose, status, recipients, messages waiting and sent, and when it was made and sent; each
// opens its report. Below, the saved segments with a button that opens the composer for them.
import { useEffect, useState } from "preact/hooks";
import { api, errorKey, type Page } from "../api";
import type { Campaign, SavedSegment } from "../api_campaigns";
import { composerLink } from "../api_campaigns";
import { dateTime, number, t } from "../i18n";
import { linkClick } from "../router";
import { StatusLine, type Notice } from "../components/ui";
import { CampaignStatusBadge, channelLabel, SendToButton } from "../components/campaign_bits";

export function Campaigns() {
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [segments, setSegments] = useState<SavedSegment[]>([]);
  const [notice, setNotice] = useState<Notice>(null);

  useEffect(() => {
    api
      .get<{ items: Campaign[] }>("/campaigns")
      .then((list) => setCampaigns(list.items))
      .catch((error) => setNotice({ kind: "error", text: t(errorKey(error)) }));
    api
      .get<Page<SavedSegment>>("/segments")
      .then((list) => setSegments(list.items))
      .catch(() => setSegments([]));
  }, []);

  return (
    <div class="office campaigns">
      <div class="dash-head">
        <h1>{t("campaigns.title")}</h1>
        <a class="button primary" href="/office/campaigns/new" onClick={linkClick} data-testid="new-campaign">
          {t("campaigns.new")}
        </a>
      </div>
      <p class="muted">{t("campaigns.intro")}</p>
      <StatusLine notice={notice} />
      {campaigns === null ? (
        notice ? null : <p class="loading">{t("app.loading")}</p>
      ) : campaigns.length === 0 ? (
        <p class="empty">{t("campaigns.empty")}</p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="campaigns-table">
            <thead>
              <tr>
                <th scope="col">{t("campaigns.col.name")}</th>
                <th scope="col">{t("campaigns.col.channel")}</th>
                <th scope="col">{t("campaigns.col.purpose")}</th>
                <th scope="col">{t("campaigns.col.status")}</th>
                <th scope="col" class="num">{t("campaigns.col.treated")}</th>
                <th scope="col" class="num">{t("campaigns.col.queued")}</th>
                <th scope="col" class="num">{t("campaigns.col.sent")}</th>
                <th scope="col">{t("campaigns.col.created")}</th>
                <th scope="col">{t("campaigns.col.sendAt")}</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => {
                const m = c.messages ?? {};
                return (
                  <tr key={c.id} data-testid={`campaign-${c.id}`}>
                    <td>
                      <a href={`/office/campaigns/${c.id}`} onClick={linkClick}>
                        {c.name}
                      </a>
                    </td>
                    <td>{channelLabel(c.channel)}</td>
                    <td>{t(`purpose.${c.purpose}`)}</td>
                    <td>
                      <CampaignStatusBadge status={c.status} />
                    </td>
                    <td class="num">{number(c.counts.treated)}</td>
                    <td class="num" data-testid="queued">{number((m.queued ?? 0) + (m.sending ?? 0))}</td>
                    <td class="num" data-testid="sent">{number((m.sent ?? 0) + (m.delivered ?? 0))}</td>
                    <td>{dateTime(c.created_at)}</td>
                    <td>{dateTime(c.scheduled_at ?? c.queued_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <section class="card" aria-labelledby="saved-segments-title">
        <h2 id="saved-segments-title">{t("campaigns.savedSegments")}</h2>
        {segments.length === 0 ? (
          <p class="muted">{t("campaigns.noSavedSegments")}</p>
        ) : (
          <ul class="plain-list">
            {segments.map((s) => (
              <li key={s.id} class="row-between">
                <span>{s.name}</span>
                <SendToButton href={composerLink("segment", String(s.id))} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <p>
        <a href="/office/outbox" onClick={linkClick}>
          {t("campaigns.toOutbox")} →
        </a>
      </p>
    </div>
  );
}
