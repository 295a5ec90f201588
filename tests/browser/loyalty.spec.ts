// Loyalty in the UI: what an order earned on the counter card, a promotion celebrated, spending
// points (with the errors for too many and under the minimum), a coupon used with one tap, the
// owner's settings page (a preset saved, a field error next to its field), the customer page's
// ledger and manual adjustment, and the kiosk showing the guest's own balance only. Each test
// sets the program it needs through the API first: there is one program per business.
import { expect, test, type Page } from "@playwright/test";
import { base, openKiosk, freshPhone, login, ownerApi, shot, watchCsp, type OwnerApi } from "./helpers";

async function newCustomer(api: OwnerApi, name: string): Promise<{ id: number; phone: string }> {
  const phone = freshPhone();
  const created = await api.post<{ id: number }>("/customers", { name, phone });
  return { id: created.id, phone };
}

async function firstBranch(api: OwnerApi): Promise<number> {
  const page = await api.get<{ items: { id: number }[] }>("/branches");
  return page.items[0].id;
}

async function openCard(page: Page, phone: string) {
  await page.getByRole("searchbox").fill(phone);
  await page.getByRole("button", { name: "찾기" }).click();
  await page.getByTestId("pick-list").getByRole("button").first().click();
  const card = page.getByTestId("customer-card");
  await expect(card).toBeVisible();
  return card;
}

test("an order shows on the card what it earned, and the balance", async ({ page }, info) => {
  const csp = watchCsp(page);
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "points" });
  const guest = await newCustomer(api, "적립손님");
  await login(page);
  const card = await openCard(page, guest.phone);
  await expect(card.getByTestId("loyalty-balance")).toContainText("0 포인트");

  const orderPost = page.waitForRequest((r) => r.url().endsWith("/api/v1/orders") && r.method() === "POST");
  await card.getByRole("button", { name: "주문 등록" }).click();
  await card.getByLabel("결제 금액 (원)").fill("12345");
  await card.getByRole("button", { name: "등록", exact: true }).click();
  expect((await orderPost).headers()["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  // 1.5 % of 12,345 won, floored.
  await expect(card.getByTestId("sale-earned")).toContainText("185 포인트 적립");
  await expect(card.getByTestId("sale-earned")).toContainText("잔액 185 포인트");
  await expect(card.getByTestId("loyalty-balance")).toContainText("185 포인트");
  await expect(card.getByTestId("promotion")).toHaveCount(0);
  await shot(page, info, "counter-earned");
  expect(csp).toEqual([]);
});

test("reaching a new tier is celebrated on the counter", async ({ page }, info) => {
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "starbucks" });
  const guest = await newCustomer(api, "승급손님");
  // 3 stars first (1 per 1,000 won): still Welcome, 2 short of Green.
  await api.post("/orders", { branch_id: await firstBranch(api), customer_id: guest.id, total: 3000, lines: [] });
  await login(page);
  const card = await openCard(page, guest.phone);
  await expect(card.getByTestId("loyalty-tier")).toContainText("Welcome");
  await expect(card.getByTestId("loyalty-next")).toHaveText("별 2개 더 모으면 Green");

  await card.getByRole("button", { name: "주문 등록" }).click();
  await card.getByLabel("결제 금액 (원)").fill("2500");
  await card.getByRole("button", { name: "등록", exact: true }).click();
  const promotion = card.getByTestId("promotion");
  await expect(promotion).toBeVisible();
  await expect(promotion).toContainText("축하합니다!");
  await expect(promotion).toContainText("Green 등급으로 올라갔습니다");
  await expect(card.getByTestId("sale-earned")).toContainText("별 2개 적립");
  await expect(card.getByTestId("loyalty-tier")).toContainText("Green");
  // The banner is above the name, where the staff look first.
  const bannerBox = await promotion.boundingBox();
  const nameBox = await card.getByRole("heading", { name: "승급손님" }).boundingBox();
  expect(bannerBox!.y).toBeLessThan(nameBox!.y);
  await page.waitForTimeout(700); // the entrance animation
  await shot(page, info, "counter-promotion");
});

test("spending points: disabled under the minimum, more than the balance, then a valid amount", async ({ page }, info) => {
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "points" }); // usable from 5,000 points
  const guest = await newCustomer(api, "사용손님");
  await api.post(`/customers/${guest.id}/adjust`, { amount: 3000, reason: "브라우저 테스트" });
  await login(page);
  let card = await openCard(page, guest.phone);
  // Under the minimum the button is disabled and says why, in either language.
  const redeem = card.getByRole("button", { name: "포인트 사용", exact: true });
  await expect(redeem).toBeDisabled();
  await expect(card.getByTestId("redeem-reason")).toHaveText("잔액 3,000 포인트 · 5,000 포인트부터 사용할 수 있습니다.");
  await expect(redeem).toHaveAttribute("aria-describedby", "redeem-reason");
  await shot(page, info, "counter-redeem-disabled");
  await page.getByLabel("언어").selectOption("en");
  await expect(card.getByTestId("redeem-reason")).toContainText("usable from 5,000");
  await page.getByLabel("Language").selectOption("ko");

  await api.post(`/customers/${guest.id}/adjust`, { amount: 3000, reason: "브라우저 테스트" });
  card = await openCard(page, guest.phone);
  await expect(card.getByTestId("loyalty-balance")).toContainText("6,000 포인트");
  await expect(card.getByTestId("redeem-reason")).toHaveCount(0);
  await card.getByRole("button", { name: "포인트 사용", exact: true }).click();
  const form = card.getByRole("form", { name: "적립금 사용" });
  const redeemPosts: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith(`/customers/${guest.id}/redeem`)) redeemPosts.push(r.headers()["idempotency-key"]);
  });
  await form.getByLabel(/사용할 포인트/).fill("7000");
  await form.getByRole("button", { name: "사용", exact: true }).click();
  await expect(form.getByTestId("notice")).toHaveText("잔액이 부족합니다. 지금 잔액은 6,000 포인트입니다.");
  // The refusal reads the balance again: the card shows what the server has.
  await expect(card.getByTestId("loyalty-balance")).toContainText("6,000 포인트");
  await shot(page, info, "counter-redeem-error");

  await form.getByLabel(/사용할 포인트/).fill("1000");
  await form.getByRole("button", { name: "사용", exact: true }).click();
  await expect(page.getByTestId("notice").first()).toHaveText("1,000 포인트를 사용했습니다. 남은 잔액 5,000 포인트");
  await expect(card.getByTestId("loyalty-balance")).toContainText("5,000 포인트");
  expect(redeemPosts.length).toBe(2);
  expect(redeemPosts.every((key) => /^[0-9a-f-]{36}$/.test(key))).toBe(true);
});

test("a coupon is used with one tap", async ({ page }, info) => {
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "points" });
  const guest = await newCustomer(api, "쿠폰손님");
  const template = await api.post<{ id: number }>("/coupon-templates", {
    name: "재방문 2천원",
    kind: "amount_off",
    value: 2000,
    validity: "days",
    valid_days: 30,
  });
  await api.post(`/customers/${guest.id}/coupons`, { template_id: template.id });
  await login(page);
  const card = await openCard(page, guest.phone);
  const coupon = card.getByTestId("coupon");
  await expect(coupon).toHaveCount(1);
  await expect(coupon).toContainText("재방문 2천원");
  await expect(coupon).toContainText("2,000원 할인");
  await shot(page, info, "counter-coupon");
  const post = page.waitForRequest((r) => r.url().endsWith("/api/v1/coupons/redeem"));
  await coupon.getByRole("button", { name: "사용" }).click();
  expect((await post).headers()["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  await expect(page.getByTestId("notice").first()).toHaveText("'재방문 2천원' 쿠폰을 사용했습니다.");
  await expect(card.getByTestId("coupon")).toHaveCount(0);
  const coupons = await api.get<{ items: { status: string }[] }>(`/customers/${guest.id}/coupons`);
  expect(coupons.items.map((c) => c.status)).toEqual(["redeemed"]);
});

test("settings: a preset is saved, and a bad value is explained next to its field", async ({ page }, info) => {
  const csp = watchCsp(page);
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "points" });
  await login(page);
  await page.getByRole("link", { name: "적립 설정" }).click();
  const form = page.getByTestId("program-form");
  await expect(form).toContainText("현재 프로그램: 결제 금액의 1.5 % 적립");

  await form.getByLabel("프리셋으로 시작").selectOption("stamps");
  await expect(form.getByLabel("보상까지 스탬프 수")).toHaveValue("10");
  await form.getByLabel("보상까지 스탬프 수").fill("8");
  await form.getByRole("button", { name: "저장" }).click();
  await expect(page.getByTestId("notice").first()).toHaveText("적립 프로그램을 저장했습니다.");
  const stamps = await api.get<{ kind: string; stamps_per_reward: number }>("/loyalty/program");
  expect(stamps).toMatchObject({ kind: "stamps", stamps_per_reward: 8 });

  // A preset with tiers fills the tiers table (nothing saved until 저장).
  await form.getByLabel("프리셋으로 시작").selectOption("starbucks");
  await expect(form.getByLabel("이름 3", { exact: true })).toHaveValue("Gold");
  await expect(form.getByLabel("기준 3", { exact: true })).toHaveValue("30");
  await form.getByLabel("이름 3", { exact: true }).scrollIntoViewIfNeeded();
  await shot(page, info, "office-loyalty-tiers");

  await form.getByLabel("프리셋으로 시작").selectOption("points");
  // Two bad fields: the server reports both at once and each is marked beside its field.
  await form.getByLabel(/적립률/).fill("150");
  await form.getByLabel("주문당 최대 사용 비율 (%)").fill("150");
  await form.getByRole("button", { name: "저장" }).click();
  const error = form.getByTestId("error-max_redeem_percent");
  await expect(error).toHaveText("0부터 100까지 입력하세요.");
  await expect(form.getByTestId("error-rate_permille")).toHaveText("0%부터 100%까지 입력하세요.");
  await expect(form.getByLabel("주문당 최대 사용 비율 (%)")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel(/적립률/)).toHaveAttribute("aria-invalid", "true");
  await shot(page, info, "office-loyalty-error");
  expect((await api.get<{ kind: string }>("/loyalty/program")).kind).toBe("stamps");

  await form.getByLabel(/적립률/).fill("2.5");
  await form.getByLabel("주문당 최대 사용 비율 (%)").fill("50");
  await form.getByRole("button", { name: "저장" }).click();
  await expect(page.getByTestId("notice").first()).toHaveText("적립 프로그램을 저장했습니다.");
  await expect(error).toHaveCount(0);
  expect(await api.get("/loyalty/program")).toMatchObject({ kind: "points", rate_permille: 25, max_redeem_percent: 50 });

  // A coupon template made here appears in the list.
  const name = `생일 쿠폰 ${info.project.name}`;
  await page.getByLabel("이름", { exact: true }).fill(name);
  await page.locator('select[name="template-kind"]').selectOption("percent_off");
  await page.getByLabel("값 (%, 원)").fill("10");
  await page.getByRole("button", { name: "만들기" }).click();
  await expect(page.getByTestId("templates")).toContainText(name);
  await expect(page.getByTestId("templates")).toContainText("10% 할인");
  await shot(page, info, "office-loyalty");
  expect(csp).toEqual([]);
});

test("settings: what counts as a visit is chosen, and a bad day start is explained next to its field", async ({ page }, info) => {
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "visit-ranks" });
  await login(page);
  await page.getByRole("link", { name: "적립 설정" }).click();
  const form = page.getByTestId("program-form");
  const rule = form.getByLabel(/방문으로 세는 기준/);
  await expect(rule).toHaveValue("per_branch_day");
  await rule.selectOption("per_day");
  await form.getByLabel(/영업일 시작 시각/).fill("24");
  await form.getByRole("button", { name: "저장" }).click();
  await expect(form.getByTestId("error-visit_day_start_hour")).toHaveText("0부터 23까지 입력하세요.");
  await expect(form.getByLabel(/영업일 시작 시각/)).toHaveAttribute("aria-invalid", "true");
  expect((await api.get<{ visit_rule: string }>("/loyalty/program")).visit_rule).toBe("per_branch_day");

  await form.getByLabel(/영업일 시작 시각/).fill("5");
  await form.getByRole("button", { name: "저장" }).click();
  await expect(page.getByTestId("notice").first()).toHaveText("적립 프로그램을 저장했습니다.");
  expect(await api.get("/loyalty/program")).toMatchObject({ visit_rule: "per_day", visit_day_start_hour: 5 });
  await shot(page, info, "office-loyalty-visits");
});

test("the customer page shows the ledger and tier changes, and a manager adjusts with a reason", async ({ page }, info) => {
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "starbucks" });
  const guest = await newCustomer(api, "원장손님");
  await api.post("/orders", { branch_id: await firstBranch(api), customer_id: guest.id, total: 6000, lines: [] });
  await login(page, "manager@demo.dangol");
  await page.goto(`${base()}/office/customers/${guest.id}`);
  const loyalty = page.getByTestId("customer-loyalty");
  await expect(loyalty.getByTestId("loyalty-balance")).toContainText("별 6개");
  await expect(loyalty.getByTestId("referral-code")).toHaveText(/^[A-Z0-9]{8}$/);
  await expect(loyalty.getByTestId("ledger")).toContainText("적립");
  await expect(page.locator(".timeline")).toContainText("Green 등급으로 승급");

  await loyalty.getByLabel("수량 (차감은 -)").fill("-2");
  await loyalty.getByLabel("사유 (필수)").fill("잘못 적립된 별 정정");
  await loyalty.getByRole("button", { name: "조정" }).click();
  await expect(page.getByTestId("notice").first()).toHaveText("조정했습니다. 잔액 별 4개");
  await expect(loyalty.getByTestId("ledger").locator("tbody tr").first()).toContainText("잘못 적립된 별 정정");
  await expect(loyalty.getByTestId("ledger").locator("tbody tr").first()).toContainText("-2");
  await expect(loyalty.getByTestId("loyalty-balance")).toContainText("별 4개");
  await shot(page, info, "office-customer-loyalty");
});

test("the kiosk shows the guest's own balance and tier, and nothing else", async ({ page }, info) => {
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "starbucks" });
  const guest = await newCustomer(api, "키오스크손님");
  await api.post("/orders", { branch_id: await firstBranch(api), customer_id: guest.id, total: 7000, lines: [] });
  await openKiosk(page, 60);
  const kiosk = page.getByTestId("kiosk");
  for (const digit of guest.phone.replace(/\D/g, "")) await kiosk.getByRole("button", { name: digit, exact: true }).click();
  await kiosk.getByRole("button", { name: "다음" }).click();
  await expect(kiosk.getByRole("heading", { name: "반갑습니다! 확인되었습니다." })).toBeVisible();
  const balance = kiosk.getByTestId("kiosk-balance");
  await expect(balance.getByTestId("loyalty-balance")).toContainText("별 7개");
  await expect(balance.getByTestId("loyalty-tier")).toContainText("Green");
  await expect(balance.getByTestId("loyalty-next")).toHaveText("별 23개 더 모으면 Gold");
  // Nobody's name, no staff controls: only starting over and the language.
  await expect(kiosk).not.toContainText("키오스크손님");
  await expect(page.getByRole("navigation")).toHaveCount(0);
  await expect(kiosk.getByRole("button")).toHaveText(["처음으로"]);
  await shot(page, info, "kiosk-balance");
});

test("a redemption whose answer is lost is sent again with the same key and carried out once", async ({ page }) => {
  const api = await ownerApi();
  await api.put("/loyalty/program", { preset: "points" });
  const guest = await newCustomer(api, "재시도손님");
  await api.post(`/customers/${guest.id}/adjust`, { amount: 8000, reason: "브라우저 테스트" });
  await login(page);
  const card = await openCard(page, guest.phone);

  // The first request reaches the server and is carried out, but its answer never arrives.
  const keys: string[] = [];
  const replayed: (string | undefined)[] = [];
  await page.route(`**/api/v1/customers/${guest.id}/redeem`, async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    const response = await route.fetch();
    if (keys.length === 1) {
      await route.abort("connectionreset");
    } else {
      replayed.push(response.headers()["idempotent-replayed"]);
      await route.fulfill({ response });
    }
  });
  await card.getByRole("button", { name: "포인트 사용", exact: true }).click();
  const form = card.getByRole("form", { name: "적립금 사용" });
  await form.getByLabel(/사용할 포인트/).fill("1500");
  await form.getByRole("button", { name: "사용", exact: true }).click();
  await expect(page.getByTestId("notice").first()).toHaveText("1,500 포인트를 사용했습니다. 남은 잔액 6,500 포인트");
  expect(keys.length).toBe(2);
  expect(keys[0]).toBe(keys[1]);
  expect(replayed).toEqual(["true"]);
  const account = await api.get<{ balance: number }>(`/customers/${guest.id}/loyalty`);
  expect(account.balance).toBe(6500);
});
