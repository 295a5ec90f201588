// axe-core in the browser: no page of the back office, the counter or the kiosk has a serious or
// critical accessibility violation (WCAG 2 A and AA rules: labels, contrast, roles, names).
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { base, login } from "./helpers";

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

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).slice(0, 3).join(", ")}`);
}

test("no serious accessibility violation on any page", async ({ page }) => {
  test.setTimeout(180_000);
  await login(page);
  const found: Record<string, string[]> = {};
  for (const path of pages) {
    await page.goto(`${base()}${path}`);
    await page.waitForLoadState("networkidle");
    await expect(page.locator("main")).toBeVisible();
    const violations = await seriousViolations(page);
    if (violations.length) found[path] = violations;
  }
  expect(found).toEqual({});
});
