// The import report's field names, issue codes and example lines in the reader's language. The
// server names fields and codes in snake_case ("unit_price", "invalid_phone") and writes each
// example as the original value and what became of it ("\"010 12\" is not a phone number",
// "\"010.1234.5678\" → +821012345678"); the value and the arrow are kept, the English is replaced
// by the code's own words.
import { hasMessage, lang, t, type MessageKey } from "./i18n";

export function importField(field: string): string {
  if (field === "ignore") return t("imp.ignored");
  const key = `imp.fieldName.${field}`;
  return hasMessage(key) ? t(key as MessageKey) : field;
}

export function importIssue(code: string): string {
  const key = `imp.issueName.${code}`;
  return hasMessage(key) ? t(key as MessageKey) : code;
}

export function importExample(message: string): string {
  if (lang() === "en" || message.includes("→")) return message;
  const quoted = message.match(/^("(?:[^"\\]|\\.)*")/);
  if (quoted) return quoted[1];
  if (/^-?[\d.,]+$/.test(message)) return message;
  return "";
}
