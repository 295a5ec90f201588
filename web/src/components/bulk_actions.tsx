// What the customer list does with the checked customers: give them a tag, keep them as a saved
// segment (a tag and a segment filtered by it), or send them a message or a coupon (the campaign
// composer with these ids as the audience).
import { useState } from "preact/hooks";
import { api, errorKey } from "../api";
import { composerLink } from "../api_campaigns";
import { number, t } from "../i18n";
import { linkClick } from "../router";
import { StatusLine, type Notice } from "./ui";

interface Props {
  selected: number[];
  canSend: boolean;
  onChanged: () => void;
  onClear: () => void;
}

export function BulkActions({ selected, canSend, onChanged, onClear }: Props) {
  const [tag, setTag] = useState("");
  const [segment, setSegment] = useState("");
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  if (selected.length === 0) return null;

  const addTag = async (name: string) =>
    api.post<{ tag: string; added: number }>("/customers/tags", { customer_ids: selected, tag: name });

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    try {
      setNotice({ kind: "ok", text: await work() });
      onChanged();
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    } finally {
      setBusy(false);
    }
  };

  const tagThem = (e: Event) => {
    e.preventDefault();
    const name = tag.trim();
    if (!name) return;
    run(async () => {
      const result = await addTag(name);
      setTag("");
      return t("customers.bulk.tagged", { tag: name, count: number(result.added) });
    });
  };

  const saveSegment = (e: Event) => {
    e.preventDefault();
    const name = segment.trim();
    if (!name) return;
    run(async () => {
      await addTag(name);
      await api.post("/segments", { name, filter: { tag: name } });
      setSegment("");
      return t("customers.bulk.segmentSaved", { name });
    });
  };

  return (
    <section class="bulk card" aria-label={t("customers.bulk.title")} data-testid="bulk-actions">
      <p class="bulk-count">
        <strong>{t("customers.bulk.selected", { count: number(selected.length) })}</strong>
        <button type="button" class="button link" onClick={onClear}>
          {t("customers.bulk.clear")}
        </button>
      </p>
      <form class="bulk-row" onSubmit={tagThem}>
        <input
          name="bulkTag"
          value={tag}
          onInput={(e) => setTag(e.currentTarget.value)}
          aria-label={t("customers.bulk.tagLabel")}
          placeholder={t("customers.bulk.tagLabel")}
        />
        <button class="button" type="submit" disabled={busy || !tag.trim()}>
          {t("customers.bulk.tag")}
        </button>
      </form>
      <form class="bulk-row" onSubmit={saveSegment}>
        <input
          name="bulkSegment"
          value={segment}
          onInput={(e) => setSegment(e.currentTarget.value)}
          aria-label={t("customers.bulk.segmentLabel")}
          placeholder={t("customers.bulk.segmentLabel")}
        />
        <button class="button" type="submit" disabled={busy || !segment.trim()}>
          {t("customers.bulk.segment")}
        </button>
      </form>
      {canSend ? (
        <a
          class="button primary"
          href={composerLink("customer_ids", selected.join(","))}
          onClick={linkClick}
          data-testid="bulk-send"
        >
          {t("customers.bulk.send")}
        </a>
      ) : null}
      <StatusLine notice={notice} />
    </section>
  );
}
