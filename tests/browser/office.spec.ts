// The back office: the customers list and its filters, a customer page, branches and staff,
// the access log, English, escaping, the security headers, and signing out.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { fixture } from "./global-setup";
import { base, login, shot, watchCsp } from "./helpers";

test("the customers list filters by stage and by tag", async ({ page }, info) => {
  const csp = watchCsp(page);
  await login(page);
  await page.getByRole("link", { name: "고객", exact: true }).click();
  const table = page.getByTestId("customers-table");
  await expect(table).toBeVisible();
  await shot(page, info, "office-customers");

  // The server filters: the table holds loyal customers only once the answer has arrived.
  await page.getByLabel("단계").selectOption("loyal");
  await expect
    .poll(async () => [...new Set(await table.locator("tbody tr td:nth-child(4)").allTextContents())])
    .toEqual(["충성"]);

  await page.getByLabel("단계").selectOption("");
  await page.getByLabel("태그").fill("브라우저");
  await page.getByRole("button", { name: "적용" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(2);
  // "CSV 내보내기" downloads the same filtered list, masked, with a byte-order mark for Excel.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/^customers-\d{8}\.csv$/);
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString("utf8").slice(1).trim().split("\r\n");
  expect(lines[0].startsWith("id,name,phone,email")).toBe(true);
  expect(lines).toHaveLength(3);
  expect(lines.join("\n")).not.toContain(fixture.xssName);
  // A name full of markup is shown as text, never run.
  let dialogs = 0;
  page.on("dialog", async (dialog) => {
    dialogs++;
    await dialog.dismiss();
  });
  await expect(table.getByRole("link", { name: fixture.xssName })).toBeVisible();
  expect(await table.locator("img").count()).toBe(0);
  expect(dialogs).toBe(0);

  await table.getByRole("link", { name: fixture.alertName }).click();
  await expect(page.getByRole("alert")).toContainText(fixture.allergy);
  await expect(page.getByRole("heading", { name: "타임라인" })).toBeVisible();
  await shot(page, info, "office-customer");

  // Consents and the profile are editable here.
  const sms = page.locator(".consents li").filter({ hasText: "문자" });
  const granted = (await sms.locator(".consent-state").textContent())!.startsWith("동의");
  await sms.getByRole("button").click();
  await expect(sms.locator(".consent-state")).toHaveText(granted ? /^거부/ : /^동의/);
  await page.getByRole("button", { name: "프로필 수정" }).click();
  const form = page.getByRole("form", { name: "프로필 수정" });
  await form.getByLabel("이메일").fill(`guest-${info.project.name}@example.com`);
  await form.getByRole("button", { name: "저장" }).click();
  await expect(page.locator(".defs")).toContainText(`guest-${info.project.name}@example.com`);
  expect(csp).toEqual([]);
});

test("branches, staff and the access log", async ({ page }, info) => {
  await login(page);
  await page.getByRole("link", { name: "지점·직원" }).click();
  await expect(page.getByRole("heading", { name: "오늘 잠재 고객 목표" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "gangnam@demo.dangol" })).toBeVisible();
  await shot(page, info, "office-team");
  await page.getByRole("link", { name: "열람 기록" }).click();
  await expect(page.getByTestId("access-log")).toBeVisible();
});

test("English, chosen on the account page, then sign out", async ({ page }) => {
  await login(page);
  await page.getByRole("link", { name: "계정" }).click();
  await page.getByTestId("lang").first().selectOption("en");
  await expect(page.getByRole("link", { name: "Customers" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.getByRole("link", { name: "Counter" }).click();
  await expect(page.getByRole("button", { name: "Find" })).toBeVisible();
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  // The session is gone on the server too.
  expect((await page.request.get(`${base()}/api/v1/auth/me`)).status()).toBe(401);
});

test("pages carry a strict CSP and no page breaks it", async ({ page }) => {
  const csp = watchCsp(page);
  const response = await page.goto(`${base()}/office/customers`);
  const policy = response!.headers()["content-security-policy"];
  expect(policy).toContain("script-src 'self'");
  expect(policy).not.toContain("unsafe-inline");
  expect(response!.headers()["cache-control"]).toBe("no-cache");
  const script = await page.locator("script[src]").first().getAttribute("src");
  const asset = await page.request.get(`${base()}${script}`);
  expect(asset.headers()["content-type"]).toBe("text/javascript; charset=utf-8");
  expect(asset.headers()["cache-control"]).toContain("immutable");
  // Clients fold "/../" away; whatever arrives, no file outside the web root comes back.
  expect(await (await page.request.get(`${base()}/../../etc/passwd`)).text()).not.toContain("root:");
  expect((await page.request.get(`${base()}/assets/missing-file.js`)).status()).toBe(404);
  await login(page);
  for (const path of ["/", "/kiosk", "/office/customers", "/office/team", "/office/access-log", "/office/import", "/account"]) {
    await page.goto(`${base()}${path}`);
    await page.waitForLoadState("networkidle");
  }
  expect(csp).toEqual([]);
});
