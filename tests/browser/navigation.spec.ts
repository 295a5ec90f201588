// The menu on a tablet and a phone, in Korean and English: the pages in five groups that never
// wrap (a side rail on a tablet, one row on a phone), and the counter's card with every action
// button above the fold at 1024×768.
import { expect, test } from "@playwright/test";
import { fixture } from "./global-setup";
import { login, shot, type Lang } from "./helpers";

const words: Record<Lang, { groups: string[]; find: string; customers: string }> = {
  ko: { groups: ["카운터", "고객", "마케팅", "분석", "설정"], find: "찾기", customers: "고객" },
  en: { groups: ["Counter", "Customers", "Marketing", "Analytics", "Settings"], find: "Find", customers: "Customers" },
};

for (const lang of ["ko", "en"] as const) {
  test(`the menu groups the pages and never wraps (${lang})`, async ({ page }, info) => {
    await login(page, undefined, lang);
    const nav = page.getByRole("navigation");
    const header = page.locator("header.topbar");
    const viewport = page.viewportSize()!;
    if (info.project.name === "tablet") {
      // A side rail: every group title and link visible without scrolling, the page beside it.
      for (const title of words[lang].groups) await expect(nav.locator(".nav-group-title", { hasText: title })).toBeVisible();
      const box = (await header.boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(160);
      const links = nav.getByRole("link");
      for (const link of await links.all()) {
        const linkBox = (await link.boundingBox())!;
        expect(linkBox.y + linkBox.height).toBeLessThanOrEqual(viewport.height);
      }
      const main = (await page.locator("main").boundingBox())!;
      expect(main.y).toBeLessThan(5);
      expect(main.x).toBeGreaterThanOrEqual(box.width - 1);
    } else {
      // One row: the mark, the pages (scrolling sideways inside the bar) and the language.
      const box = (await header.boundingBox())!;
      expect(box.height).toBeLessThanOrEqual(56);
      await expect(page.getByTestId("lang")).toBeVisible();
    }
    // Every link still works, whatever its place in the bar.
    await nav.getByRole("link", { name: words[lang].customers, exact: true }).click();
    await expect(page).toHaveURL(/\/office\/customers$/);
    await expect(page.locator("html")).toHaveJSProperty("scrollWidth", viewport.width);
    await shot(page, info, `nav-${lang}`);
  });

  test(`the counter card keeps every action above the fold (${lang})`, async ({ page }, info) => {
    await login(page, undefined, lang);
    const search = page.getByRole("searchbox");
    // The placeholder is not cut off.
    const fits = await search.evaluate((input: HTMLInputElement) => {
      const probe = document.createElement("span");
      const style = getComputedStyle(input);
      probe.style.font = style.font;
      probe.style.whiteSpace = "pre";
      probe.style.position = "absolute";
      probe.textContent = input.placeholder;
      document.body.append(probe);
      const width = probe.getBoundingClientRect().width;
      probe.remove();
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return width <= room;
    });
    expect(fits).toBe(true);
    await search.fill(fixture.alertName);
    await page.getByRole("button", { name: words[lang].find, exact: true }).click();
    await page.getByTestId("pick-list").getByRole("button").first().click();
    const card = page.getByTestId("customer-card");
    await expect(card).toBeVisible();
    if (info.project.name === "tablet") {
      const height = page.viewportSize()!.height;
      const actions = await card.locator(".actions button").all();
      expect(actions.length).toBeGreaterThanOrEqual(3);
      for (const action of actions) {
        const box = (await action.boundingBox())!;
        expect(box.y + box.height, await action.textContent() ?? "").toBeLessThanOrEqual(height);
      }
    }
    await shot(page, info, `counter-card-${lang}`);
  });
}
