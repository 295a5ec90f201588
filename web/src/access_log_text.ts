// The access log's action codes and detail lines in the reader's language. The server writes the
// detail in a few fixed shapes ("customers: 50 customers, masked", "customers csv rows=12
// masked=yes", "merge 3: customer 8 into 5"...); each known shape is put into words here, and an
// unknown one is shown as it is.
import { hasMessage, number, t, type MessageKey } from "./i18n";

export function accessAction(code: string): string {
  const key = `log.action.${code}`;
  return hasMessage(key) ? t(key as MessageKey) : code;
}

const masked = (flag: string) => t(flag === "yes" || flag === "masked" ? "log.detail.masked" : "log.detail.unmasked");

// "customers" → 고객 목록, "segment 12" → 세그먼트 12.
function listName(what: string): string {
  if (what === "customers") return t("log.detail.customerList");
  const segment = what.match(/^segment (\d+)$/);
  if (segment) return t("log.detail.segment", { id: segment[1] });
  return what;
}

const shapes: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^(.+): (\d+) customers, (masked|unmasked)$/, (m) =>
    t("log.detail.list", { what: listName(m[1]), count: number(Number(m[2])), masked: masked(m[3]) })],
  [/^tag added to (\d+) customers$/, (m) => t("log.detail.tagged", { count: number(Number(m[1])) })],
  [/^customers (\w+) rows=(\d+) masked=(yes|no)$/, (m) =>
    t("log.detail.export", { what: t("log.detail.customerList"), format: m[1].toUpperCase(), count: number(Number(m[2])), masked: masked(m[3]) })],
  [/^segment (\d+) customers (\w+) rows=(\d+) masked=(yes|no)$/, (m) =>
    t("log.detail.export", { what: t("log.detail.segment", { id: m[1] }), format: m[2].toUpperCase(), count: number(Number(m[3])), masked: masked(m[4]) })],
  [/^orders (\w+) rows=(\d+) masked=n\/a$/, (m) =>
    t("log.detail.exportOrders", { format: m[1].toUpperCase(), count: number(Number(m[2])) })],
  [/^customer data json$/, () => t("log.detail.customerData")],
  [/^merge-preview$/, () => t("log.detail.mergePreview")],
  [/^merge (\d+): customer (\d+) into (\d+)$/, (m) => t("log.detail.merge", { id: m[1], from: m[2], into: m[3] })],
  [/^undo merge (\d+)$/, (m) => t("log.detail.undoMerge", { id: m[1] })],
  [/^reason: (.*); rows deleted (\d+), blanked (\d+), messages (\d+)$/, (m) =>
    t("log.detail.erased", { reason: m[1], deleted: m[2], blanked: m[3], messages: m[4] })],
];

export function accessDetail(detail: string): string {
  for (const [pattern, words] of shapes) {
    const match = detail.match(pattern);
    if (match) return words(match);
  }
  return detail;
}
