// The only way the UI talks to the server: JSON under /api/v1 with the session cookie, the CSRF
// token on every state-changing request, and an Idempotency-Key on writes from the counter. A
// write whose connection drops is sent again with the same key, so the server can answer the
// first result instead of doing it twice.
import { hasMessage, type MessageKey } from "./i18n";
import type { Task } from "./api_automations";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    // The stable reason code of a refusal ("coupon_used"): the UI translates it, never the prose.
    readonly reason?: string,
    // Every bad field at once, when the server reports them all (the loyalty program).
    readonly errors: FieldProblem[] = [],
    // The numbers behind a refusal ({"balance": 6000}), for the UI's own sentence.
    readonly figures: Record<string, number> = {},
  ) {
    super(message);
  }
}

// The request never got an answer (network down, server gone), even after the retries.
export class NetworkError extends Error {}

let csrfToken: string | null = null;
const expiryListeners = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

// Called when a request answers 401: the session expired while the page was open.
export function onSessionExpired(listener: () => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

// A random version 4 UUID. crypto.randomUUID needs a secure context; a tablet on the shop's LAN
// may reach the server over plain http, so this uses getRandomValues, which works everywhere.
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface RequestOptions {
  idempotencyKey?: string;
  // Told before each repeat of a request whose connection failed (1 = the first repeat).
  onRetry?: (attempt: number) => void;
  // A 401 here is an answer (a wrong password), not an expired session.
  authRequest?: boolean;
  // A credential of its own (the kiosk device's): sent as a bearer token, without the session
  // cookie or the CSRF token.
  bearer?: string;
}

const retryDelaysMs = [400, 1000, 2000];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (options.bearer) headers.Authorization = `Bearer ${options.bearer}`;
  else if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  // Reads are always safe to repeat; writes only with a key the server can recognise.
  const retries = method === "GET" || options.idempotencyKey ? retryDelaysMs.length : 0;

  let response: Response | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      response = await fetch(`/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: options.bearer ? "omit" : "same-origin",
      });
      break;
    } catch {
      if (attempt >= retries) throw new NetworkError("network");
      options.onRetry?.(attempt + 1);
      await sleep(retryDelaysMs[attempt]);
    }
  }

  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = (data as { error?: ErrorBody } | null)?.error;
    if (response.status === 401 && !options.authRequest && !options.bearer) {
      expiryListeners.forEach((listener) => listener());
    }
    throw new ApiError(
      response.status,
      error?.code ?? "unknown",
      error?.message ?? response.statusText,
      error?.field,
      error?.reason,
      error?.errors ?? [],
      error?.figures ?? {},
    );
  }
  return data as T;
}

// One bad field of a form the server checked whole (the loyalty program).
export interface FieldProblem {
  field: string;
  message: string;
  reason?: string;
  figures?: Record<string, number>;
}

interface ErrorBody {
  code?: string;
  message?: string;
  field?: string;
  reason?: string;
  errors?: FieldProblem[];
  figures?: Record<string, number>;
}

// Sends a file as the raw body (an import): the session cookie, the CSRF token and the file's
// own Content-Type; never repeated on its own, since an upload is not idempotent.
export async function upload<T>(path: string, file: Blob, contentType: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", "Content-Type": contentType };
  if (csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method: "POST", headers, body: file, credentials: "same-origin" });
  } catch {
    throw new NetworkError("network");
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data as { error?: ErrorBody } | null)?.error;
    if (response.status === 401) expiryListeners.forEach((listener) => listener());
    throw new ApiError(response.status, error?.code ?? "unknown", error?.message ?? response.statusText, error?.field,
      error?.reason);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>("POST", path, body, options),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>("PATCH", path, body, options),
  put: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>("PUT", path, body, options),
  del: <T>(path: string, options?: RequestOptions) => request<T>("DELETE", path, undefined, options),
};

// The message key that explains an error to the staff in their language.
export function errorKey(error: unknown): MessageKey {
  if (error instanceof NetworkError) return "error.network";
  if (!(error instanceof ApiError)) return "error.generic";
  if (error.reason && hasMessage(`reason.${error.reason}`)) return `reason.${error.reason}` as MessageKey;
  switch (error.status) {
    case 400:
      return "error.invalid";
    case 403:
      return "error.permission";
    case 404:
      return "error.notFound";
    case 409:
      return "error.conflict";
    case 429:
      return "login.tooMany";
    default:
      return "error.generic";
  }
}

// ---- The shapes the API answers (see the OpenAPI document at /api/v1/openapi.json) ----

export type Role = "owner" | "manager" | "staff";
export type Stage = "prospect" | "new" | "regular" | "loyal" | "lapsed";
export type PreferenceKind = "like" | "dislike" | "allergy" | "never";
export type Channel = "sms" | "kakao" | "email" | "night";

export interface Staff {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  branch_ids: number[];
  daily_prospect_goal: number;
  active: boolean;
}
export interface Business {
  id: number;
  slug: string;
  name: string;
  utc_offset_minutes: number;
}
export interface Me {
  staff: Staff | null;
  business: Business;
  role: Role;
  csrf_token: string | null;
}
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
export interface Alert {
  id: number;
  kind: "allergy" | "never";
  subject: string;
}
export interface LookupHit {
  alerts: Alert[];
  id: number;
  name: string;
  phone: string | null;
  last_visit_at: string | null;
  visit_count: number;
  stage: Stage;
  tier: string | null;
}
export interface LookupResult {
  matched_by: "last4" | "phone" | "name" | "initials";
  items: LookupHit[];
}
export interface Preference {
  id: number;
  kind: PreferenceKind;
  subject: string;
  alert: boolean;
  created_at: string;
}
export interface Consent {
  channel: Channel;
  granted: boolean;
  at: string;
  source: string;
}
export interface CustomerSummary {
  id: number;
  name: string;
  phone: string | null;
  phone_masked: string | null;
  email: string | null;
  birthday: { date: string; calendar: "solar" | "lunar" } | null;
  anniversaries: { label?: string; date: string }[];
  tags: string[];
  source: string;
  consents: Consent[];
  stage: Stage;
  visit_count: number;
  total_spend: number;
  first_visit_at: string | null;
  last_visit_at: string | null;
  created_at: string;
}
export interface Customer extends CustomerSummary {
  alerts: Preference[];
  preferences: Preference[];
  // The customer's open staff tasks, when the card carries them (docs/automations.md).
  open_tasks?: Task[];
}
export interface Note {
  id: number;
  customer_id: number;
  author_id: number | null;
  branch_id: number | null;
  text: string;
  pinned: boolean;
  created_at: string;
}
export interface OrderLine {
  product: string;
  category?: string;
  quantity?: number;
  unit_price: number;
}
export interface Order {
  id: number;
  kind: "sale" | "refund";
  branch_id: number;
  total: number;
  ordered_at: string;
  lines: OrderLine[];
}
export interface Branch {
  id: number;
  name: string;
}
export interface ProspectProgress {
  staff_id: number;
  display_name: string;
  goal: number;
  today: number;
}
export interface AccessLogEntry {
  id: number;
  at: string;
  staff_id: number | null;
  token_id: number | null;
  customer_id: number | null;
  customer_name?: string | null;  // masked (김*수)
  action: string;
  ip: string;
  detail: string;
}

// ---- Loyalty (docs/loyalty.md) ----

export type ProgramKind = "stamps" | "points" | "stars" | "visit_ranks";
export type Unit = "points" | "stamps" | "stars" | "visits" | "";

export interface Coupon {
  id: number;
  template_id: number | null;
  customer_id: number;
  code: string;
  name: string;
  kind: "percent_off" | "amount_off" | "free_item";
  value: number;
  source: string;
  status: "issued" | "redeemed" | "voided" | "expired" | string;
  issued_at: string;
  expires_at: string;
  redeemed_at: string | null;
}
export interface LoyaltyAccount {
  program: ProgramKind | null;
  unit: Unit;
  balance: number;
  tier: string | null;
  tier_index: number;
  tier_reached_at: string | null;
  tier_metric: string;
  next_tier: string | null;
  to_next_tier: number;
  expiring_within_30_days: number;
  next_expiry: string | null;
  referral_code: string | null;
  referrer_id: number | null;
  referral_count: number;
  coupons: Coupon[];
}
export interface SaleLoyalty {
  unit: Unit;
  earned: number;
  redeemed: number;
  balance: number;
  tier: string | null;
  promoted_to: string | null;
  note: string;
  rewards: Coupon[];
}
export interface OrderWithLoyalty extends Order {
  loyalty: SaleLoyalty | null;
}
export interface LedgerEntry {
  id: number;
  kind: "earn" | "redeem" | "expire" | "adjust" | "reverse";
  amount: number;
  expires_at: string | null;
  order_id: number | null;
  related_id: number | null;
  staff_id: number | null;
  branch_id: number | null;
  reason: string;
  created_at: string;
}
export interface LedgerWrite {
  entry: LedgerEntry;
  balance: number;
}
export interface TierChange {
  from_index: number;
  to_index: number;
  tier_name: string;
  promoted: boolean;
  order_id: number | null;
  created_at: string;
}
export interface Tier {
  name: string;
  threshold: number;
  earn_multiplier_percent: number;
  reward_every: number;
  welcome_coupon_template: number;
  benefit: string;
}
export interface Program {
  kind: ProgramKind;
  name: string;
  unit: Unit;
  stamp_basis: string;
  won_per_stamp: number;
  rate_permille: number;
  won_per_star: number;
  min_order_amount: number;
  stamps_per_reward: number;
  reward_value: number;
  reward_valid_days: number;
  min_balance_to_redeem: number;
  max_redeem_percent: number;
  expiry_months: number;
  tier_metric: string;
  tier_window: string;
  tiers: Tier[];
  visit_rule: "per_branch_day" | "per_day" | "every_order";
  visit_day_start_hour: number;
  [other: string]: unknown;
}
export interface Preset {
  preset: string;
  program: Program;
}
export interface CouponTemplate {
  id: number;
  name: string;
  kind: Coupon["kind"];
  value: number;
  validity: "same_day" | "days" | "date_range";
  valid_days: number;
  valid_from: string | null;
  valid_until: string | null;
  per_customer_limit: number;
  active: boolean;
  created_at: string;
}
export interface Referral {
  customer_id: number;
  referrer_id: number;
  rewarded: boolean;
  created_at: string;
}

export type MergeSide = "this" | "other" | "both";
export interface DuplicateCandidate {
  first_id: number;
  second_id: number;
  first_name?: string | null;  // masked (김*수)
  second_name?: string | null;
  score: number;
  reasons: string[];
}
export interface MergePreview {
  survivor: Customer & Record<string, unknown>;
  other: Customer & Record<string, unknown>;
  differing: string[];
  defaults: Record<string, MergeSide>;
}
export interface MergeRecord {
  id: number;
  survivor_id: number;
  merged_id: number;
  staff_id: number | null;
  token_id: number | null;
  choices: Record<string, MergeSide>;
  created_at: string;
  undone_at: string | null;
}
export interface MergeResult {
  merge_id: number;
  choices: Record<string, MergeSide>;
  customer: Customer;
}
// ---- Undo of the last action of today ----

export type CounterActionKind = "order" | "redemption" | "coupon_use" | "note" | "preference";
export interface CounterAction {
  kind: CounterActionKind;
  id: number;
  customer_id: number;
  staff_id: number | null;
  at: string;
  amount: number;
  label: string;
}
export interface UndoResult {
  undone: CounterAction;
  refund: Order | null;
  balance: number | null;
}

// ---- The kiosk device (docs/web.md): its credential lives on the tablet, not in a staff session ----

const kioskStorageKey = "dangol.kioskDevice";

export const kioskDevice = {
  token: (): string | null => localStorage.getItem(kioskStorageKey),
  remember: (token: string) => localStorage.setItem(kioskStorageKey, token),
  forget: () => localStorage.removeItem(kioskStorageKey),
};

// The kiosk routes, called with the device's credential.
export const kioskApi = {
  get: <T>(path: string) => request<T>("GET", path, undefined, { bearer: kioskDevice.token() ?? "" }),
  post: <T>(path: string, body: unknown, options: RequestOptions = {}) =>
    request<T>("POST", path, body, { ...options, bearer: kioskDevice.token() ?? "" }),
};

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  created_at: string;
  created_by: number | null;
  last_used_at: string | null;
  revoked_at: string | null;
}
export interface KioskDevice {
  id: number;
  name: string;
  created_at: string;
  disabled_at: string | null;
  token?: string;
}
export interface KioskNotice {
  item: "terms" | "privacy";
  version: string;
  required: boolean;
}
export interface KioskStanding {
  known: boolean;
  loyalty: Partial<LoyaltyAccount> | null;
}

export type ImportKind = "customers" | "orders" | "order_lines" | "transactions";
export interface ImportIssue {
  code: string;
  severity: string;
  count: number;
  examples: { row: number; column: string; message: string }[];
}
export interface ImportReport {
  dry_run: boolean;
  committed: boolean;
  run_id: number | null;
  file: { format: string; encoding: string; delimiter: string; hash: string };
  mapping: { column: string; field: string }[];
  rows: { read: number; rejected: number; skipped: number };
  customers: { created: number; updated: number; unchanged: number };
  orders: { created: number; refunds: number; refunds_linked: number; existing: number };
  issues: ImportIssue[];
}
export interface ImportJob {
  id: number;
  state: "queued" | "running" | "finished" | "failed";
  kind: ImportKind;
  dry_run: boolean;
  mode: "all_or_nothing" | "valid_rows";
  progress: { rows: number; bytes_read: number; bytes_total: number };
  report: ImportReport | null;
  error: ErrorBody | null;
  rejects_url: string | null;
}
