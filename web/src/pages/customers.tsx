// The back office's customer list. The search box, every filter, the sort and the paging are the
// server's (GET /customers with q, the filters, sort, order, offset and limit), so the list shows
// "73 of 1,869" over any number of customers; "Export CSV" downloads the same filtered list from
// GET /exports/customers. Checked rows take the bulk actions.
import { useContext, useEffect, useState } from "preact/hooks";
import { api, errorKey, type Page } from "../api";
import { number, t } from "../i18n";
import { SessionContext, isManager } from "../session";
import { StatusLine, type Notice } from "../components/ui";
import { CustomerFilters, filterParams, noFilters, type Filters } from "../components/customer_filters";
import { CustomerTable, type ListedCustomer, type Sort } from "../components/customer_table";
import { BulkActions } from "../components/bulk_actions";

const pageSize = 50;

interface SortedPage extends Page<ListedCustomer> {
  total: number;
  offset: number;
}

export function Customers() {
  const session = useContext(SessionContext);
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [applied, setApplied] = useState<Filters>(noFilters);
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [sort, setSort] = useState<Sort>({ key: "last_visit", order: "desc" });
  const [offset, setOffset] = useState(0);
  const [mask, setMask] = useState(true);
  const [items, setItems] = useState<ListedCustomer[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [everyone, setEveryone] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<Notice>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [version, setVersion] = useState(0);

  const params = filterParams(applied);
  if (query) params.set("q", query);

  useEffect(() => {
    const listParams = new URLSearchParams(params);
    listParams.set("sort", sort.key);
    listParams.set("order", sort.order);
    listParams.set("offset", String(offset));
    listParams.set("limit", String(pageSize));
    let current = true;
    setLoading(true);
    api
      .get<SortedPage>(`/customers?${listParams}`)
      .then((page) => {
        if (!current) return;
        setItems(page.items);
        setTotal(page.total);
        setNotice(null);
      })
      .catch((error) => {
        if (!current) return;
        setItems([]);
        setTotal(null);
        setNotice({ kind: "error", text: t(errorKey(error)) });
      })
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [params.toString(), sort.key, sort.order, offset, version]);

  // How many customers there are in all, for "73 of 1,869".
  useEffect(() => {
    api
      .get<SortedPage>("/customers?sort=id&limit=1")
      .then((page) => setEveryone(page.total))
      .catch(() => setEveryone(null));
  }, [version]);

  const restart = () => {
    setOffset(0);
    setSelected(new Set());
  };
  const applyFilters = (next: Filters) => {
    setApplied(next);
    restart();
  };

  const exportParams = new URLSearchParams(params);
  exportParams.set("format", "csv");
  exportParams.set("mask", String(mask));

  const filtered = params.toString() !== "";
  const shown =
    total === null
      ? ""
      : filtered && everyone !== null
        ? t("customers.countOf", { count: number(total), total: number(everyone) })
        : t("customers.count", { count: number(total) });
  const last = Math.min(offset + items.length, total ?? 0);

  return (
    <div class="office">
      <h1>{t("customers.title")}</h1>
      <form
        role="search"
        class="list-search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(search.trim());
          restart();
        }}
      >
        <input
          type="search"
          name="q"
          value={search}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setSearch(value);
            if (value.trim() === "" && query !== "") {
              setQuery("");
              restart();
            }
          }}
          aria-label={t("customers.search")}
          placeholder={t("customers.search.placeholder")}
        />
        <button class="button primary" type="submit">
          {t("customers.search.go")}
        </button>
      </form>
      <CustomerFilters draft={draft} setDraft={setDraft} apply={applyFilters} />
      <div class="export-bar">
        <label class="check">
          <input type="checkbox" checked={mask} onChange={(e) => setMask(e.currentTarget.checked)} />{" "}
          {t("customers.export.mask")}
        </label>
        <a class="button" href={`/api/v1/exports/customers?${exportParams}`} download data-testid="export-csv">
          {t("customers.export.csv")}
        </a>
      </div>
      <StatusLine notice={notice} />
      <p class="muted" data-testid="shown" aria-live="polite">
        {loading && total === null ? t("customers.loading") : shown}
      </p>
      <BulkActions
        selected={[...selected]}
        canSend={session ? isManager(session.me) : false}
        onChanged={() => setVersion((v) => v + 1)}
        onClear={() => setSelected(new Set())}
      />
      {items.length === 0 ? (
        loading ? null : <p class="empty">{t("customers.empty")}</p>
      ) : (
        <CustomerTable
          items={items}
          loading={loading}
          sort={sort}
          onSort={(next) => {
            setSort(next);
            restart();
          }}
          selected={selected}
          onSelect={setSelected}
        />
      )}
      {total !== null && total > pageSize ? (
        <nav class="pager" aria-label={t("customers.pages")}>
          <button class="button" type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
            {t("customers.previous")}
          </button>
          <span data-testid="page-range">
            {t("customers.range", { first: number(offset + 1), last: number(last), total: number(total) })}
          </span>
          <button class="button" type="button" disabled={offset + pageSize >= total} onClick={() => setOffset(offset + pageSize)}>
            {t("customers.next")}
          </button>
        </nav>
      ) : null}
    </div>
  );
}
