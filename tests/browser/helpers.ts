// What the specs share: signing in, a fresh phone number, screenshots, CSP watching.
import { expect, type Page, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";

export const base = () => process.env.DANGOL_BASE_URL!;

export async function login(page: Page, email = process.env.DANGOL_OWNER_EMAIL!): Promise<void> {
  await page.goto(`${base()}/`);
  await page.getByLabel("이메일").fill(email);
  await page.getByLabel("비밀번호").fill(process.env.DANGOL_PASSWORD!);
  await page.getByRole("button", { name: "로그인" }).click();
  await expect(page.getByRole("search")).toBeVisible();
}

// A mobile number no other test uses.
export function freshPhone(): string {
  const n = () => String(Math.floor(1000 + Math.random() * 9000));
  return `010-${n()}-${n()}`;
}

// Saves a screenshot into $DANGOL_SCREENSHOT_DIR (the docs' pictures) when set, and always into
// the test's own output.
export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const file = `${name}-${info.project.name}.png`;
  await page.screenshot({ path: info.outputPath(file), fullPage: false });
  const dir = process.env.DANGOL_SCREENSHOT_DIR;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(info.outputPath(file), path.join(dir, file));
  }
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
