// The duplicate review queue (managers and owners): pairs of customers that look like one person,
// a side-by-side preview with a choice per differing field, the merge, and undo of recent merges.
import { useEffect, useState } from "preact/hooks";
import {
  api,
  errorKey,
  type DuplicateCandidate,
  type MergePreview,
  type MergeRecord,
  type MergeResult,
  type MergeSide,
  type Page,
} from "../api";
import { dateTime, t, type MessageKey } from "../i18n";
import { linkClick } from "../router";
import { StatusLine, type Notice } from "../components/ui";

const listFields = new Set(["tags", "anniversaries"]);

// A field's value as the preview shows it.
function shown(customer: Record<string, unknown>, field: string): string {
  const value = customer[field === "referrer_id" ? "referrer_id" : field];
  if (field === "birthday") {
    const birthday = customer.birthday as { date: string; calendar: string } | null;
    return birthday ? `${birthday.date}${birthday.calendar === "lunar" ? " ☾" : ""}` : "—";
  }
  if (field === "anniversaries") {
    const list = (value as { label?: string; date: string }[] | undefined) ?? [];
    return list.length ? list.map((a) => `${a.label ?? ""} ${a.date}`.trim()).join(", ") : "—";
  }
  if (field === "tags") {
    const list = (value as string[] | undefined) ?? [];
    return list.length ? list.join(", ") : "—";
  }
  if (value === null || value === undefined || value === "") return "—";
  return String(value);
}

export function Duplicates() {
  const [pairs, setPairs] = useState<DuplicateCandidate[]>([]);
  const [merges, setMerges] = useState<MergeRecord[]>([]);
  const [preview, setPreview] = useState<MergePreview | null>(null);
  const [keep, setKeep] = useState<Record<string, MergeSide>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const [queue, history] = await Promise.all([
        api.get<{ items: DuplicateCandidate[] }>("/duplicates?limit=500"),
        api.get<Page<MergeRecord>>("/merges?limit=20"),
      ]);
      setPairs(queue.items);
      setMerges(history.items);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };
  useEffect(() => {
    load();
  }, []);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      const message = error instanceof Error && error.message ? ` (${error.message})` : "";
      setNotice({ kind: "error", text: t(errorKey(error)) + message });
    } finally {
      setBusy(false);
    }
  };

  const compare = (pair: DuplicateCandidate) =>
    run(async () => {
      const answer = await api.get<MergePreview>(`/customers/${pair.first_id}/merge-preview?other_id=${pair.second_id}`);
      setPreview(answer);
      setKeep(answer.defaults);
      setNotice(null);
    });

  const dismiss = (pair: DuplicateCandidate) =>
    run(async () => {
      await api.post("/duplicates/dismiss", { first_id: pair.first_id, second_id: pair.second_id });
      if (preview && preview.survivor.id === pair.first_id && preview.other.id === pair.second_id) setPreview(null);
      setNotice({ kind: "ok", text: t("dup.dismissed") });
      await load();
    });

  const merge = () =>
    run(async () => {
      if (!preview) return;
      const chosen: Record<string, MergeSide> = {};
      for (const field of preview.differing) chosen[field] = keep[field] ?? "this";
      const result = await api.post<MergeResult>(`/customers/${preview.survivor.id}/merge`, {
        other_id: preview.other.id,
        keep: chosen,
      });
      setNotice({
        kind: "ok",
        text: t("dup.merged", { other: preview.other.id, survivor: preview.survivor.id, id: result.merge_id }),
      });
      setPreview(null);
      await load();
    });

  const undo = (record: MergeRecord) =>
    run(async () => {
      await api.post(`/merges/${record.id}/undo`, {});
      setNotice({ kind: "ok", text: t("dup.undone", { id: record.id }) });
      await load();
    });

  return (
    <div class="office">
      <h1>{t("dup.title")}</h1>
      <p>{t("dup.intro")}</p>
      <StatusLine notice={notice} />
      {pairs.length === 0 ? (
        <p class="empty">{t("dup.empty")}</p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="duplicates-table">
            <thead>
              <tr>
                <th scope="col">{t("dup.pair")}</th>
                <th scope="col">{t("dup.score")}</th>
                <th scope="col">{t("dup.reasons")}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {pairs.map((pair) => (
                <tr key={`${pair.first_id}-${pair.second_id}`} data-pair={`${pair.first_id}-${pair.second_id}`}>
                  <td>
                    <a href={`/office/customers/${pair.first_id}`} onClick={linkClick}>
                      {pair.first_name || t("log.customerId", { id: pair.first_id })}
                    </a>{" "}
                    ·{" "}
                    <a href={`/office/customers/${pair.second_id}`} onClick={linkClick}>
                      {pair.second_name || t("log.customerId", { id: pair.second_id })}
                    </a>
                  </td>
                  <td>{Math.round(pair.score * 100)}%</td>
                  <td>{pair.reasons.map((reason) => t(`dup.reason.${reason}` as MessageKey)).join(", ")}</td>
                  <td>
                    <button class="button" type="button" disabled={busy} onClick={() => compare(pair)}>
                      {t("dup.compare")}
                    </button>{" "}
                    <button class="button" type="button" disabled={busy} onClick={() => dismiss(pair)}>
                      {t("dup.dismiss")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {preview ? (
        <section aria-label={t("dup.preview")}>
          <h2>{t("dup.preview")}</h2>
          {preview.differing.length === 0 ? <p>{t("dup.same")}</p> : null}
          <div class="table-wrap" tabIndex={0}>
            <table class="table" data-testid="merge-preview">
              <thead>
                <tr>
                  <th scope="col">{t("dup.field")}</th>
                  <th scope="col">{t("dup.survivor", { id: preview.survivor.id })}</th>
                  <th scope="col">{t("dup.other", { id: preview.other.id })}</th>
                  <th scope="col">{t("dup.keep")}</th>
                </tr>
              </thead>
              <tbody>
                {preview.differing.map((field) => {
                  const label = t(`dup.field.${field}` as MessageKey);
                  const sides: MergeSide[] = listFields.has(field) ? ["this", "other", "both"] : ["this", "other"];
                  return (
                    <tr key={field}>
                      <th scope="row">{label}</th>
                      <td>{shown(preview.survivor, field)}</td>
                      <td>{shown(preview.other, field)}</td>
                      <td>
                        <select
                          aria-label={`${t("dup.keep")}: ${label}`}
                          value={keep[field] ?? "this"}
                          onChange={(event) =>
                            setKeep({ ...keep, [field]: (event.target as HTMLSelectElement).value as MergeSide })
                          }
                        >
                          {sides.map((side) => (
                            <option key={side} value={side}>
                              {side === "this"
                                ? t("log.customerId", { id: preview.survivor.id })
                                : side === "other"
                                  ? t("log.customerId", { id: preview.other.id })
                                  : t("dup.both")}
                            </option>
                          ))}
                        </select>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <button class="button primary" type="button" disabled={busy} onClick={merge}>
            {t("dup.merge")}
          </button>{" "}
          <button class="button" type="button" onClick={() => setPreview(null)}>
            {t("common.cancel")}
          </button>
        </section>
      ) : null}

      {merges.length > 0 ? (
        <section aria-label={t("dup.history")}>
          <h2>{t("dup.history")}</h2>
          <div class="table-wrap" tabIndex={0}>
            <table class="table" data-testid="merges-table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t("dup.at")}</th>
                  <th scope="col">{t("dup.pair")}</th>
                  <th scope="col">{t("dup.state")}</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {merges.map((record) => (
                  <tr key={record.id}>
                    <td>{record.id}</td>
                    <td>{dateTime(record.created_at)}</td>
                    <td>
                      {t("log.customerId", { id: record.merged_id })} → {t("log.customerId", { id: record.survivor_id })}
                    </td>
                    <td>{record.undone_at ? t("dup.stateUndone") : t("dup.stateDone")}</td>
                    <td>
                      {record.undone_at ? null : (
                        <button class="button" type="button" disabled={busy} onClick={() => undo(record)}>
                          {t("dup.undo")}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
