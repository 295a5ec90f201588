// What the specs share: signing in, a fresh phone number, screenshots, the owner's API, CSP watching.
import { expect, type Page, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";

export const base = () => process.env.DANGOL_BASE_URL!;

export type Lang = "ko" | "en";

// The sign-in form's labels in each language.
export const loginLabels: Record<Lang, { email: string; password: string; submit: string }> = {
  ko: { email: "이메일", password: "비밀번호", submit: "로그인" },
  en: { email: "E-mail", password: "Password", submit: "Sign in" },
};

// Signs in through the form, in `lang` (remembered on the device as the app does).
export async function login(page: Page, email = process.env.DANGOL_OWNER_EMAIL!, lang: Lang = "ko"): Promise<void> {
  if (lang !== "ko") await page.addInitScript((chosen) => localStorage.setItem("dangol.lang", chosen), lang);
  await page.goto(`${base()}/`);
  const labels = loginLabels[lang];
  await page.getByLabel(labels.email).fill(email);
  await page.getByLabel(labels.password).fill(process.env.DANGOL_PASSWORD!);
  await page.getByRole("button", { name: labels.submit }).click();
  await expect(page.getByRole("search")).toBeVisible();
}

// A mobile number no other test uses.
export function freshPhone(): string {
  const n = () => String(Math.floor(1000 + Math.random() * 9000));
  return `010-${n()}-${n()}`;
}

// Saves a screenshot as <name>-<project>.png into one directory under the run's output
// (DANGOL_BROWSER_OUT; ctest sets it inside the build directory), never into the source tree.
export function screenshotDir(info: TestInfo): string {
  return path.join(info.project.outputDir, "screenshots");
}

// The screenshots docs/web.md shows. `run --docs` (DANGOL_DOCS_SCREENSHOTS=1) also writes these
// into docs/screenshots, so the documentation shows the UI as the tests last saw it; an ordinary
// run leaves the source tree alone.
const docsScreenshots = new Set([
  "counter-pick-list",
  "counter-card",
  "counter-earned",
  "counter-undo",
  "kiosk-phone",
  "kiosk-consent-required",
  "kiosk-balance",
  "office-customers",
  "office-customer",
  "office-loyalty-error",
  "office-team",
  "office-campaigns",
  "office-campaign-composer",
  "office-campaign-report",
  "office-outbox",
  "opt-out",
  "office-automations",
  "office-automation-dry-run",
  "office-automation-report",
  "office-tasks",
  "counter-task",
]);

export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const dir = screenshotDir(info);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${info.project.name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  if (process.env.DANGOL_DOCS_SCREENSHOTS === "1" && docsScreenshots.has(name)) {
    const docs = path.resolve(__dirname, "../../docs/screenshots");
    fs.mkdirSync(docs, { recursive: true });
    fs.copyFileSync(file, path.join(docs, `${name}-${info.project.name}.png`));
  }
}

// The API as the owner, outside the browser: for a test's own setup (a program, a balance, a coupon).
export interface OwnerApi {
  get<T>(url: string): Promise<T>;
  post<T>(url: string, body: unknown): Promise<T>;
  put<T>(url: string, body: unknown): Promise<T>;
}

export async function ownerApi(): Promise<OwnerApi> {
  const login = await fetch(`${base()}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: process.env.DANGOL_OWNER_EMAIL, password: process.env.DANGOL_PASSWORD }),
  });
  if (!login.ok) throw new Error(`owner login: ${login.status}`);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base()}/api/v1${url}`, {
      method,
      headers: { "Content-Type": "application/json", Cookie: cookie, "X-CSRF-Token": csrf_token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    get: (url) => call("GET", url),
    post: (url, body) => call("POST", url, body),
    put: (url, body) => call("PUT", url, body),
  };
}

// Collects console messages and page errors that report a Content-Security-Policy violation.
export function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => {
    if (/Content Security Policy/i.test(error.message)) violations.push(error.message);
  });
  return violations;
}

// Turns this browser into a kiosk the way a manager does (signed in, /kiosk, "키오스크 켜기"), then
// signs the staff session out: from then on only the device's own credential is used.
export async function openKiosk(page: Page, timeoutSeconds: number, name = "입구 태블릿"): Promise<void> {
  await login(page);
  await page.goto(`${base()}/kiosk?timeout=${timeoutSeconds}`);
  const setup = page.getByTestId("kiosk-setup");
  await setup.getByLabel("태블릿 이름").fill(name);
  await setup.getByRole("button", { name: "키오스크 켜기" }).click();
  await expect(page.getByTestId("kiosk")).toBeVisible();
  await page.context().clearCookies();
  await page.reload();
  await expect(page.getByTestId("kiosk").getByRole("heading", { name: "어서 오세요!" })).toBeVisible();
}
