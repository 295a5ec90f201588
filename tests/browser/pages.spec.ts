// Every page of the back office, at both sizes: nothing scrolls sideways (a table may scroll
// inside its own box, the page never does), and in Korean no reason code, snake_case name or
// English server text shows.
import { expect, test, type Page } from "@playwright/test";
import { fixture } from "./global-setup";
import { base, login, ownerApi } from "./helpers";

const pages = [
  "/",
  "/office/customers",
  "/office/team",
  "/office/tasks",
  "/office/analytics",
  "/office/loyalty",
  "/office/duplicates",
  "/office/import",
  "/office/access-log",
  "/account",
];

// Waits until the page has drawn its content (no "불러오는 중" left).
async function settle(page: Page): Promise<void> {
  await expect(page.locator("main")).toBeVisible();
  await page.waitForLoadState("networkidle");
  await expect
    .poll(async () => (await page.locator("main .loading").count()) === 0 || (await page.getByRole("alert").count()) > 0)
    .toBe(true);
}

// What a Korean page must not show: snake_case codes (view_profile, invalid_phone) and the
// server's English sentences.
function rawTexts(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\b[a-z]+(?:_[a-z0-9]+)+\b/g)) found.push(match[0]);
  for (const match of text.matchAll(/\b(?:is not a|must be|expected an?|not found|customers?, (?:un)?masked)\b[^\n]*/g)) {
    found.push(match[0]);
  }
  return found;
}

test("no page scrolls sideways, in Korean or English", async ({ page }) => {
  test.setTimeout(180_000);
  const api = await ownerApi();
  const someone = await api.get<{ items: { id: number }[] }>("/customers?limit=1&tag=브라우저");
  const all = [...pages, `/office/customers/${someone.items[0].id}`];
  for (const lang of ["ko", "en"] as const) {
    await page.context().clearCookies();
    await login(page, undefined, lang);
    for (const path of all) {
      await page.goto(`${base()}${path}`);
      await settle(page);
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
      }));
      expect(widths.scroll, `${path} (${lang})`).toBeLessThanOrEqual(widths.inner);
    }
  }
});

test("no raw code or English server text in Korean", async ({ page }) => {
  test.setTimeout(180_000);
  const api = await ownerApi();
  const customer = await api.get<{ items: { id: number }[] }>(`/customers?limit=1&q=${encodeURIComponent(fixture.alertName)}`);
  await login(page);
  // The access log holds views and creations by now (the fixtures, this profile).
  await page.goto(`${base()}/office/customers/${customer.items[0].id}`);
  await settle(page);
  for (const path of [...pages, `/office/customers/${customer.items[0].id}`]) {
    await page.goto(`${base()}${path}`);
    await settle(page);
    const text = await page.locator("main").innerText();
    expect(rawTexts(text), path).toEqual([]);
  }
  // The access log names customers by their masked names, and actions in Korean.
  await page.goto(`${base()}/office/access-log`);
  const log = page.getByTestId("access-log");
  await expect(log).toContainText("프로필 열람");
  await expect(log).toContainText("김*림");
  const named = await log.locator("tbody td:nth-child(3)").allTextContents();
  expect(named.filter((cell) => cell.startsWith("#"))).toEqual([]);
});
