// The import page: a customer file with one bad row is tried with a dry run (the mapping and the
// issue code shown, nothing written), then imported with the valid rows only; the good customers
// exist afterwards and the bad one does not. An empty file and a file of the wrong kind are
// explained in the staff's language.
import { expect, test } from "@playwright/test";
import { base, freshPhone, login, ownerApi, shot, type Lang } from "./helpers";

const labels: Record<Lang, { kind: string; dryRun: string; confirm: string; validOnly: string; nav: string }> = {
  ko: { kind: "종류", dryRun: "시험 실행", confirm: "가져오기", validOnly: "올바른 행만 가져오기", nav: "가져오기" },
  en: { kind: "Kind", dryRun: "Dry run", confirm: "Import", validOnly: "Import the valid rows only", nav: "Import" },
};

function digitsOf(phone: string): string {
  return phone.replace(/\D/g, "");
}

// How many customers the counter's lookup finds for a phone number or a name.
async function found(phoneOrName: string): Promise<number> {
  const api = await ownerApi();
  const q = /^[\d-]+$/.test(phoneOrName) ? digitsOf(phoneOrName) : encodeURIComponent(phoneOrName);
  const answer = await api.get<{ items: unknown[] }>(`/customers/lookup?q=${q}`);
  return answer.items.length;
}

for (const lang of ["ko", "en"] as Lang[]) {
  test(`a file with a bad row: dry run report, then the valid rows imported (${lang})`, async ({ page }, info) => {
    test.skip(info.project.name !== "tablet", "the page is the same on a phone");
    const words = labels[lang];
    const good1 = freshPhone();
    const good2 = freshPhone();
    const badName = `불량${Math.floor(Math.random() * 1e6)}`;
    const csv = `이름,휴대폰\n가져온${lang}일,${good1}\n${badName},010-1234\n가져온${lang}이,${good2}\n`;

    await login(page, undefined, lang);
    await page.getByRole("link", { name: words.nav, exact: true }).click();
    await expect(page).toHaveURL(/\/office\/import$/);
    await page.getByLabel(words.kind).selectOption("customers");
    await page.getByTestId("import-file").setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: words.dryRun }).click();

    const report = page.getByTestId("import-report");
    await expect(report).toBeVisible();
    const mapping = report.getByTestId("import-mapping");
    // Fields and issue codes in the reader's words, never the server's snake_case.
    await expect(mapping.locator("tr").filter({ hasText: "이름" })).toContainText(lang === "ko" ? "이름" : "Name");
    await expect(mapping.locator("tr").filter({ hasText: "휴대폰" })).toContainText(lang === "ko" ? "전화번호" : "Phone");
    const issue = report.locator('tr[data-code="invalid_phone"]');
    await expect(issue).toContainText(lang === "ko" ? "전화번호가 아님" : "Not a phone number");
    if (lang === "ko") await expect(report).not.toContainText(/invalid_phone|is not a phone number/);
    await expect(issue.locator("td").nth(1)).toHaveText("1");
    // Rows are numbered as the spreadsheet shows them (the header is row 1); the example names the
    // column and the value.
    await expect(issue).toContainText(lang === "ko" ? "3행 휴대폰:" : "row 3 휴대폰:");
    await expect(issue).toContainText("010-1234");
    await shot(page, info, `import-report-${lang}`);
    // The dry run wrote nothing.
    expect(await found(good1)).toBe(0);

    await report.getByLabel(words.validOnly).check();
    await report.getByRole("button", { name: words.confirm, exact: true }).click();
    const outcome = page.getByTestId("import-outcome");
    await expect(outcome).toBeVisible();
    await expect(page.getByTestId("notice")).toHaveText(lang === "ko" ? "가져왔습니다." : "Imported.");
    const rejects = outcome.getByTestId("import-rejects");
    await expect(rejects).toHaveAttribute("href", /\/api\/v1\/imports\/\d+\/rejects$/);

    // Through the API: the good customers exist, the bad row made nobody.
    expect(await found(good1)).toBe(1);
    expect(await found(good2)).toBe(1);
    expect(await found(badName)).toBe(0);
    const rejectsCsv = await page.request.get(`${base()}${await rejects.getAttribute("href")}`);
    expect(rejectsCsv.status()).toBe(200);
    expect(await rejectsCsv.text()).toContain(badName);
  });
}

test("all or nothing with a bad row imports nothing and says so", async ({ page }, info) => {
  test.skip(info.project.name !== "tablet", "the page is the same on a phone");
  const good = freshPhone();
  await login(page);
  await page.goto(`${base()}/office/import`);
  await page.getByTestId("import-file").setInputFiles({
    name: "c.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`이름,휴대폰\n전부아니면,${good}\n불량,010-1234\n`),
  });
  await page.getByRole("button", { name: "시험 실행" }).click();
  await page.getByTestId("import-report").getByRole("button", { name: "가져오기", exact: true }).click();
  await expect(page.getByTestId("notice")).toContainText("아무것도 가져오지 않았습니다");
  await expect(page.getByTestId("import-rejects")).toHaveCount(0);
  expect(await found(good)).toBe(0);
});

test("an empty file and a file of the wrong kind are explained", async ({ page }, info) => {
  test.skip(info.project.name !== "tablet", "the page is the same on a phone");
  await login(page);
  await page.goto(`${base()}/office/import`);
  const file = page.getByTestId("import-file");
  await file.setInputFiles({ name: "empty.csv", mimeType: "text/csv", buffer: Buffer.alloc(0) });
  await page.getByRole("button", { name: "시험 실행" }).click();
  await expect(page.getByTestId("notice")).toContainText("파일이 비어 있습니다");
  await expect(page.getByTestId("import-report")).toHaveCount(0);

  // Order lines need a product column: a customer list is the wrong kind.
  await page.getByLabel("종류").selectOption("order_lines");
  await file.setInputFiles({ name: "c.csv", mimeType: "text/csv", buffer: Buffer.from("이름,휴대폰\n김,010-2222-3333\n") });
  await page.getByRole("button", { name: "시험 실행" }).click();
  await expect(page.getByTestId("notice")).toContainText("이 종류에 맞지 않습니다");
  await expect(page.getByTestId("import-report")).toHaveCount(0);
});

test("counter staff have no import page", async ({ page }, info) => {
  test.skip(info.project.name !== "tablet", "the page is the same on a phone");
  await login(page, process.env.DANGOL_STAFF_EMAIL!);
  await expect(page.getByRole("link", { name: "가져오기", exact: true })).toHaveCount(0);
  await page.goto(`${base()}/office/import`);
  await expect(page.getByRole("search")).toBeVisible();
  await expect(page.getByTestId("import-file")).toHaveCount(0);
});
