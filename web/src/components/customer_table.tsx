// The customer list's table: sortable column headers (the server sorts), a check box per row for
// the bulk actions, and the loyalty balance and tier beside the visit figures.
import { date, number, t, won, type MessageKey } from "../i18n";
import { linkClick } from "../router";
import type { CustomerSummary } from "../api";
import { StageBadge } from "./ui";

export type SortKey = "last_visit" | "visits" | "spend" | "points" | "tier" | "stage";
export interface Sort {
  key: SortKey;
  order: "asc" | "desc";
}

export interface ListedCustomer extends CustomerSummary {
  points?: number;
  tier?: string | null;
}

interface Props {
  items: ListedCustomer[];
  loading: boolean;
  sort: Sort;
  onSort: (next: Sort) => void;
  selected: Set<number>;
  onSelect: (next: Set<number>) => void;
}

function SortHeader({ label, column, sort, onSort, numeric }: {
  label: MessageKey;
  column: SortKey;
  sort: Sort;
  onSort: (next: Sort) => void;
  numeric?: boolean;
}) {
  const active = sort.key === column;
  const ariaSort = active ? (sort.order === "asc" ? "ascending" : "descending") : "none";
  const next: Sort = { key: column, order: active && sort.order === "desc" ? "asc" : "desc" };
  return (
    <th scope="col" class={numeric ? "num" : undefined} aria-sort={ariaSort}>
      <button type="button" class="sort" onClick={() => onSort(next)} data-testid={`sort-${column}`}>
        {t(label)}
        <span aria-hidden="true" class="sort-mark">
          {active ? (sort.order === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}

export function CustomerTable({ items, loading, sort, onSort, selected, onSelect }: Props) {
  const allChecked = items.length > 0 && items.every((c) => selected.has(c.id));
  const toggleAll = () => {
    const next = new Set(selected);
    for (const c of items) {
      if (allChecked) next.delete(c.id);
      else next.add(c.id);
    }
    onSelect(next);
  };
  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelect(next);
  };
  const header = { sort, onSort };
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="table" data-testid="customers-table" aria-busy={loading}>
        <thead>
          <tr>
            <th scope="col" class="check-cell">
              <input type="checkbox" checked={allChecked} onChange={toggleAll} aria-label={t("customers.selectPage")} />
            </th>
            <th scope="col">{t("customers.col.name")}</th>
            <th scope="col">{t("customers.col.phone")}</th>
            <SortHeader label="customers.col.stage" column="stage" {...header} />
            <SortHeader label="customers.col.tier" column="tier" {...header} />
            <SortHeader label="customers.col.visits" column="visits" numeric {...header} />
            <SortHeader label="customers.col.spend" column="spend" numeric {...header} />
            <SortHeader label="customers.col.points" column="points" numeric {...header} />
            <SortHeader label="customers.col.lastVisit" column="last_visit" {...header} />
            <th scope="col">{t("customers.col.tags")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} class={selected.has(c.id) ? "selected" : undefined}>
              <td class="check-cell">
                <input
                  type="checkbox"
                  checked={selected.has(c.id)}
                  onChange={() => toggle(c.id)}
                  aria-label={t("customers.selectOne", { name: c.name || t("counter.noName") })}
                />
              </td>
              <td>
                <a href={`/office/customers/${c.id}`} onClick={linkClick}>
                  {c.name || t("counter.noName")}
                </a>
              </td>
              <td class="nowrap">{c.phone_masked ?? "—"}</td>
              <td>
                <StageBadge stage={c.stage} />
              </td>
              <td>{c.tier ?? "—"}</td>
              <td class="num">{number(c.visit_count)}</td>
              <td class="num">{won(c.total_spend)}</td>
              <td class="num">{number(c.points ?? 0)}</td>
              <td class="nowrap">{date(c.last_visit_at)}</td>
              <td>{c.tags.join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
