// The back office's customer list: the search box (last 4 digits, a name, 초성), the count of all
// and of the matches, columns sorted by the server, pages past 200, and the bulk actions (a tag, a
// saved segment, a message or coupon through the composer) — in Korean and English.
import { expect, test } from "@playwright/test";
import { fixture } from "./global-setup";
import { login, ownerApi, shot, type Lang } from "./helpers";

const words: Record<Lang, {
  nav: string;
  search: string;
  go: string;
  countOf: (count: string, total: string) => string;
  range: (first: string, last: string, total: string) => string;
  visits: string;
  next: string;
  previous: string;
  tagLabel: string;
  tag: string;
  segmentLabel: string;
  segment: string;
  send: string;
}> = {
  ko: {
    nav: "고객",
    search: "고객 검색",
    go: "검색",
    countOf: (count, total) => `${total}명 중 ${count}명`,
    range: (first, last, total) => `${total}명 중 ${first}–${last}`,
    visits: "방문",
    next: "다음",
    previous: "이전",
    tagLabel: "붙일 태그",
    tag: "태그 붙이기",
    segmentLabel: "새 세그먼트 이름",
    segment: "세그먼트로 저장",
    send: "메시지·쿠폰 보내기",
  },
  en: {
    nav: "Customers",
    search: "Search customers",
    go: "Search",
    countOf: (count, total) => `${count} of ${total}`,
    range: (first, last, total) => `${first}–${last} of ${total}`,
    visits: "Visits",
    next: "Next",
    previous: "Previous",
    tagLabel: "Tag to add",
    tag: "Add tag",
    segmentLabel: "New segment name",
    segment: "Save as a segment",
    send: "Send a message or coupon",
  },
};

const format = (lang: Lang, n: number) => new Intl.NumberFormat(lang === "ko" ? "ko-KR" : "en-US").format(n);

interface SortedPage {
  items: { id: number; visit_count: number }[];
  total: number;
}

for (const lang of ["ko", "en"] as const) {
  test(`search, count, sort and pages past 200 (${lang})`, async ({ page }, info) => {
    const w = words[lang];
    const api = await ownerApi();
    const everyone = (await api.get<SortedPage>("/customers?sort=id&limit=1")).total;
    const matches = (await api.get<SortedPage>(`/customers?q=${fixture.last4}&limit=1`)).total;
    expect(matches).toBeGreaterThanOrEqual(3);
    await login(page, undefined, lang);
    await page.getByRole("navigation").getByRole("link", { name: w.nav, exact: true }).click();
    const table = page.getByTestId("customers-table");
    await expect(table).toBeVisible();

    // The last 4 digits find what the counter finds; the count says how many of how many.
    await page.getByLabel(w.search).fill(fixture.last4);
    await page.getByRole("button", { name: w.go, exact: true }).click();
    await expect(page.getByTestId("shown")).toHaveText(w.countOf(format(lang, matches), format(lang, everyone)));
    await expect(table.locator("tbody tr")).toHaveCount(Math.min(matches, 50));
    await expect(table).toContainText(fixture.alertName);
    // 초성 too.
    await page.getByLabel(w.search).fill("ㄱㅇ");
    await page.getByRole("button", { name: w.go, exact: true }).click();
    await expect(table).toContainText(fixture.alertName);
    await shot(page, info, `customers-search-${lang}`);

    // Clearing the box shows everyone again, sorted by the server.
    await page.getByLabel(w.search).fill("");
    await expect(page.getByTestId("page-range")).toHaveText(w.range("1", "50", format(lang, everyone)));
    const visitsHeader = table.getByRole("columnheader", { name: w.visits, exact: true });
    await table.getByTestId("sort-visits").click();
    await expect(visitsHeader).toHaveAttribute("aria-sort", "descending");
    const most = await api.get<SortedPage>("/customers?sort=visits&order=desc&limit=2");
    await expect(table.locator("tbody tr").first()).toContainText(format(lang, most.items[0].visit_count));
    const visits = async () =>
      (await table.locator("tbody tr td:nth-child(6)").allTextContents()).map((text) => Number(text.replace(/\D/g, "")));
    await expect.poll(async () => {
      const shown = await visits();
      return shown.every((value, index) => index === 0 || shown[index - 1] >= value);
    }).toBe(true);
    await table.getByTestId("sort-visits").click();
    await expect(visitsHeader).toHaveAttribute("aria-sort", "ascending");

    // Pages go on past 200.
    for (let n = 0; n < 4; n++) await page.getByRole("button", { name: w.next, exact: true }).click();
    await expect(page.getByTestId("page-range")).toHaveText(
      w.range("201", format(lang, Math.min(250, everyone)), format(lang, everyone)),
    );
    await expect(table.locator("tbody tr")).not.toHaveCount(0);
    await page.getByRole("button", { name: w.previous, exact: true }).click();
    await expect(page.getByTestId("page-range")).toHaveText(w.range("151", "200", format(lang, everyone)));
  });

  test(`bulk actions: a tag, a segment, a message to the ticked customers (${lang})`, async ({ page }, info) => {
    const w = words[lang];
    const api = await ownerApi();
    const suffix = `${info.project.name}${lang}${Math.floor(Math.random() * 1e6)}`;
    await login(page, undefined, lang);
    await page.getByRole("navigation").getByRole("link", { name: w.nav, exact: true }).click();
    const table = page.getByTestId("customers-table");
    await page.getByLabel(w.search).fill(fixture.last4);
    await page.getByRole("button", { name: w.go, exact: true }).click();
    await expect(table).toContainText(fixture.alertName);
    const rows = table.locator("tbody tr");
    await rows.nth(0).getByRole("checkbox").check();
    await rows.nth(1).getByRole("checkbox").check();
    const bulk = page.getByTestId("bulk-actions");
    await expect(bulk).toContainText(lang === "ko" ? "2명 선택" : "2 selected");
    const ids = await Promise.all(
      [0, 1].map(async (n) => Number((await rows.nth(n).getByRole("link").getAttribute("href"))!.split("/").pop())),
    );

    // A tag for both.
    const tag = `일괄${suffix}`;
    await bulk.getByLabel(w.tagLabel).fill(tag);
    await bulk.getByRole("button", { name: w.tag, exact: true }).click();
    await expect(bulk.getByTestId("notice")).toContainText(tag);
    const tagged = await api.get<SortedPage>(`/customers?tag=${encodeURIComponent(tag)}&sort=id`);
    expect(tagged.items.map((c) => c.id).sort()).toEqual([...ids].sort());

    // A saved segment of the same customers.
    const segment = `묶음${suffix}`;
    await bulk.getByLabel(w.segmentLabel).fill(segment);
    await bulk.getByRole("button", { name: w.segment, exact: true }).click();
    await expect(bulk.getByTestId("notice")).toContainText(segment);
    const segments = await api.get<{ items: { id: number; name: string }[] }>("/segments");
    const saved = segments.items.find((s) => s.name === segment);
    expect(saved).toBeTruthy();
    const members = await api.get<{ items: { id: number }[] }>(`/segments/${saved!.id}/customers`);
    expect(members.items.map((c) => c.id).sort()).toEqual([...ids].sort());
    await shot(page, info, `customers-bulk-${lang}`);

    // A message or coupon: the composer with these ids as the audience.
    const send = bulk.getByRole("link", { name: w.send });
    const href = new URL((await send.getAttribute("href"))!, "http://x");
    expect(href.pathname).toBe("/office/campaigns/new");
    expect(href.searchParams.get("audience")).toBe("customer_ids");
    expect(href.searchParams.get("value")!.split(",").map(Number).sort()).toEqual([...ids].sort());
    await send.click();
    await expect(page).toHaveURL(/\/office\/campaigns\/new\?audience=customer_ids/);
  });
}
