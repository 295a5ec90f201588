// The analytics dashboard on the demo data: its figures are the API's, in Korean and in English;
// a table downloads as CSV; a customer in a list opens their profile with its analytics card; the
// counter screen never loads the dashboard's code.
import { expect, test } from "@playwright/test";
import fs from "node:fs";
import { login, ownerApi, shot, watchCsp } from "./helpers";

interface SegmentFigures {
  segment: string;
  customers: number;
  revenue: number;
}
interface Summary {
  customers: number;
  revenue: number;
  overdue: number;
  segments: SegmentFigures[];
}
interface Cohorts {
  cohorts: { cohort: string; active: number[] }[];
}
interface Units {
  items: { id: number; revenue: number }[];
}

interface Clv {
  status: string;
  model: object | null;
  model_check: { actual_total: number } | null;
  model_check_reason: string | null;
  fits: Record<string, { state: string; reason: string | null }> | null;
}

const FIT_STATE_KO: Record<string, string> = {
  fitting: "계산 중…",
  converged: "수렴",
  not_converged: "수렴하지 않음",
  skipped: "건너뜀",
};

const koNumber = (n: number) => new Intl.NumberFormat("ko-KR").format(n);
// The revenue tile in Korean: 1억 1,002만원 from 10 million won up, else in full.
function koAmount(n: number): string {
  if (n < 10_000_000) return `${koNumber(n)}원`;
  const eok = Math.floor(n / 100_000_000);
  const man = Math.floor((n % 100_000_000) / 10_000);
  const manText = man > 0 ? `${koNumber(man)}만` : "";
  return eok === 0 ? `${manText}원` : `${koNumber(eok)}억${manText ? ` ${manText}` : ""}원`;
}

test("the dashboard shows the API's figures and opens a customer's profile", async ({ page }, info) => {
  const csp = watchCsp(page);
  const chunks: string[] = [];
  page.on("request", (request) => chunks.push(request.url()));
  await login(page);
  // The counter screen loads no dashboard code and no chart library.
  expect(chunks.filter((url) => /dashboard/.test(url))).toEqual([]);

  const api = await ownerApi();
  const summary = await api.get<Summary>("/analytics/summary");
  const cohorts = await api.get<Cohorts>("/analytics/cohorts");
  const branches = await api.get<Units>("/analytics/branches");
  expect(summary.customers).toBeGreaterThan(0);

  await page.getByRole("link", { name: "분석", exact: true }).click();
  await expect(page.getByRole("heading", { name: "분석 대시보드" })).toBeVisible();
  expect(chunks.some((url) => /dashboard/.test(url))).toBe(true);
  await expect(page.getByTestId("figure-customers")).toHaveText(koNumber(summary.customers));
  // A large amount in 억 and 만, the exact figure on hover.
  await expect(page.getByTestId("figure-revenue")).toHaveText(koAmount(summary.revenue));
  await expect(page.getByTestId("figure-revenue")).toHaveAttribute("title", `${koNumber(summary.revenue)}원`);
  await expect(page.getByTestId("figure-overdue")).toHaveText(koNumber(summary.overdue));
  for (const segment of summary.segments) {
    const row = page.getByTestId(`segment-${segment.segment}`);
    await expect(row.locator("td").nth(1)).toHaveText(koNumber(segment.customers));
    await expect(row.locator("td").nth(2)).toHaveText(`${koNumber(segment.revenue)}원`);
  }
  await expect(page.getByTestId("segment-champions").locator("td").first()).toHaveText("챔피언");
  const firstCohort = cohorts.cohorts[0];
  await expect(page.getByTestId(`cohort-${firstCohort.cohort}`).locator("td").first()).toHaveText(
    String(firstCohort.active[0]),
  );
  for (const branch of branches.items) {
    await expect(page.getByTestId(`branch-${branch.id}`).locator("td").nth(2)).toHaveText(
      `${koNumber(branch.revenue)}원`,
    );
  }
  await shot(page, info, "analytics-dashboard");

  // The model check in the CLV section: the API's holdout figures, or the reason there are none.
  let clv: Clv = await api.get<Clv>("/analytics/clv");
  for (let tries = 0; clv.status === "fitting" && tries < 100; tries++) {
    await page.waitForTimeout(200);
    clv = await api.get<Clv>("/analytics/clv");
  }
  if (clv.model) {
    const block = page.getByTestId("model-check");
    await expect(block.getByRole("heading", { name: "모델 신뢰도" })).toBeVisible();
    if (clv.model_check) {
      await expect(block.getByTestId("model-check-actual")).toHaveText(
        koNumber(Math.round(clv.model_check.actual_total)),
      );
      await expect(block.locator("canvas")).toHaveCount(1);
    } else {
      expect(clv.model_check_reason).toBeTruthy();
      await expect(block).toContainText("모델을 검증할 수 없습니다");
    }
    await block.scrollIntoViewIfNeeded();
    await shot(page, info, "analytics-model-check");

    // How each model's fit ended: BG/NBD, Gamma-Gamma and the model check are settled once the
    // status is ready (Pareto/NBD may still be fitting), and the table says what the API says.
    expect(clv.fits).toBeTruthy();
    for (const model of ["bgnbd", "gamma_gamma", "model_check"]) {
      const fit = clv.fits![model];
      const row = page.getByTestId(`fit-${model}`);
      await expect(row.locator("td").nth(1)).toContainText(FIT_STATE_KO[fit.state]);
      if (fit.reason) await expect(row.locator("td").nth(1)).toContainText(fit.reason);
    }
    await page.getByTestId("model-fits").scrollIntoViewIfNeeded();
    await shot(page, info, "analytics-model-fits");
  }

  // The segments table as CSV: the same figures, one line per segment.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("csv-segments").click()]);
  expect(download.suggestedFilename()).toBe("segments.csv");
  const csv = fs.readFileSync(await download.path(), "utf-8").replace(/^\ufeff/, "").trim().split(/\r\n/);
  expect(csv[0]).toBe("segment,customers,revenue");
  expect(csv.slice(1)).toEqual(summary.segments.map((s) => `${s.segment},${s.customers},${s.revenue}`));

  // A customer in one of the lists opens their profile, with the analytics card.
  const link = page.getByTestId("customer-link").first();
  await expect(link).toBeVisible();
  const name = (await link.textContent())!;
  await link.click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  const card = page.getByTestId("customer-analytics");
  await expect(card.getByRole("heading", { name: "고객 분석" })).toBeVisible();
  await expect(card.getByTestId("ca-scores")).toHaveText(/^R[1-5] F[1-5] M[1-5]$/);
  const id = Number(page.url().match(/customers\/(\d+)/)![1]);
  const mine = await api.get<{ segment: string; rfm: { r: number; f: number; m: number } }>(
    `/customers/${id}/analytics`,
  );
  await expect(card.getByTestId("ca-scores")).toHaveText(`R${mine.rfm.r} F${mine.rfm.f} M${mine.rfm.m}`);
  await shot(page, info, "analytics-customer");
  expect(csp).toEqual([]);
});

test("the dashboard in English", async ({ page }, info) => {
  await login(page);
  const api = await ownerApi();
  const summary = await api.get<Summary>("/analytics/summary");
  await page.getByLabel("언어").selectOption("en");
  await page.getByRole("link", { name: "Analytics", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Analytics dashboard" })).toBeVisible();
  await expect(page.getByTestId("figure-revenue")).toHaveAttribute("title", `₩${koNumber(summary.revenue)}`);
  if (summary.revenue >= 1_000_000) await expect(page.getByTestId("figure-revenue")).toHaveText(/^₩[\d.]+[KMB]$/);
  await expect(page.getByTestId("segment-cannot_lose_them").locator("td").first()).toHaveText("Cannot Lose Them");
  await expect(page.getByRole("heading", { name: "Monthly retention cohorts" })).toBeVisible();
  await shot(page, info, "analytics-dashboard-en");
  await page.getByLabel("Language").selectOption("ko");
});
