// The one place that turns a message key into text in the chosen language, and formats money
// and dates for it. Korean is the default; the browser's language picks English; the user's
// choice is remembered on this device.
import { en } from "./en";
import { ko, type MessageKey } from "./ko";

export type Lang = "ko" | "en";
export type { MessageKey };

// Copies, so the strings a page brings when it loads (addMessages) join them.
const catalogs: Record<Lang, Record<string, string>> = { ko: { ...ko }, en: { ...en } };
const storageKey = "dangol.lang";
const listeners = new Set<() => void>();

function initialLang(): Lang {
  const stored = localStorage.getItem(storageKey);
  if (stored === "ko" || stored === "en") return stored;
  const browser = (navigator.languages?.[0] ?? navigator.language ?? "ko").toLowerCase();
  return browser.startsWith("en") ? "en" : "ko";
}

let current: Lang = initialLang();
document.documentElement.lang = current;

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(storageKey, next);
  document.documentElement.lang = next;
  listeners.forEach((listener) => listener());
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// The Korean object particle for a word: 을 after a final consonant, 를 after a vowel, 을(를)
// when the word does not end in a Hangul syllable.
export function objectParticle(word: string): string {
  const code = word.trim().codePointAt(word.trim().length - 1) ?? 0;
  if (code < 0xac00 || code > 0xd7a3) return "을(를)";
  return (code - 0xac00) % 28 === 0 ? "를" : "을";
}

// Whether the catalog has `key` (for keys built from server codes, such as "reason.coupon_used").
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogs.ko, key);
}

// Adds the strings of a page loaded on demand (the automation pages), in both languages.
export function addMessages(extra: Record<Lang, Record<string, string>>): void {
  Object.assign(catalogs.ko, extra.ko);
  Object.assign(catalogs.en, extra.en);
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  let text = catalogs[current][key] ?? key;
  if (params) {
    for (const [name, value] of Object.entries(params)) text = text.replaceAll(`{${name}}`, String(value));
  }
  return text;
}

const locale = () => (current === "ko" ? "ko-KR" : "en-US");

// 12,345원 in Korean, ₩12,345 in English.
export function won(amount: number): string {
  const digits = new Intl.NumberFormat("ko-KR").format(amount);
  return current === "ko" ? `${digits}원` : `₩${digits}`;
}

export function number(value: number): string {
  return new Intl.NumberFormat(locale()).format(value);
}

export function date(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale(), { year: "numeric", month: "short", day: "numeric" }).format(new Date(iso));
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

// "3일 전" / "3 days ago".
export function ago(iso: string | null | undefined): string {
  if (!iso) return "—";
  const days = Math.round((Date.now() - new Date(iso).getTime()) / 86_400_000);
  return new Intl.RelativeTimeFormat(locale(), { numeric: "auto" }).format(-days, "day");
}

// A large amount in few characters, for tiles: 1억 1,002만원 / 3,450만원 in Korean (below 10
// million won in full), ₩110M / ₩34.5M in English (below a million in full).
export function compactWon(amount: number): string {
  const sign = amount < 0 ? "-" : "";
  const size = Math.abs(amount);
  if (current === "ko") {
    if (size < 10_000_000) return won(amount);
    const eok = Math.floor(size / 100_000_000);
    const man = Math.floor((size % 100_000_000) / 10_000);
    const manText = man > 0 ? `${new Intl.NumberFormat("ko-KR").format(man)}만` : "";
    if (eok === 0) return `${sign}${manText}원`;
    return `${sign}${eok.toLocaleString("ko-KR")}억${manText ? ` ${manText}` : ""}원`;
  }
  if (size < 1_000_000) return won(amount);
  const short = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(size);
  return `${sign}₩${short}`;
}
