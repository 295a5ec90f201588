// Campaigns in the back office: the composer's live preview (audience, exclusions, the composed
// message and its byte count), a draft refused naming the rule it breaks, scheduling, the list and
// the report; the at-risk list opening the composer with its audience; the public opt-out page from
// a signed link (and a forged one); a customer's messages and consent history with the counter
// opt-out; and the outbox.
import { expect, test, type Page } from "@playwright/test";
import { base, freshPhone, login, ownerApi, shot, watchCsp, type OwnerApi } from "./helpers";

interface Customer {
  id: number;
}

// The demo business writes messages from a registered number with a contact and an 080 number.
async function messagingReady(api: OwnerApi): Promise<void> {
  await api.put("/messaging/settings", { contact: "02-555-1234", opt_out_number: "080-123-4567", control_share_permille: 0 });
  const senders = await api.get<{ items: { number: string }[] }>("/messaging/sender-numbers");
  if (!senders.items.some((s) => s.number.replace(/\D/g, "") === "0212345678")) {
    await api.post("/messaging/sender-numbers", { number: "02-1234-5678", label: "본점" });
  }
}

async function smsCustomers(api: OwnerApi, names: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const name of names) {
    const created = await api.post<Customer>("/customers", {
      name,
      phone: freshPhone(),
      consents: [{ channel: "sms", granted: true, source: "counter" }],
    });
    ids.push(created.id);
  }
  return ids;
}

// Tomorrow at 11:00 in Seoul, as the composer's datetime-local value (the demo business is UTC+9).
function tomorrowAt11(): { input: string; iso: string } {
  const seoul = new Date(Date.now() + 9 * 3_600_000 + 86_400_000);
  const day = seoul.toISOString().slice(0, 10);
  return { input: `${day}T11:00`, iso: new Date(`${day}T11:00:00+09:00`).toISOString() };
}

async function openComposer(page: Page): Promise<void> {
  await page.getByRole("link", { name: "캠페인", exact: true }).click();
  await expect(page.getByRole("heading", { name: "캠페인", exact: true })).toBeVisible();
  await page.getByTestId("new-campaign").click();
  await expect(page.getByRole("heading", { name: "새 캠페인" })).toBeVisible();
}

test("a campaign is composed with a live preview, refused naming the rule, scheduled, listed and reported", async ({ page }, info) => {
  const csp = watchCsp(page);
  const api = await ownerApi();
  await messagingReady(api);
  const ids = await smsCustomers(api, ["가을하나", "가을두울", "가을세엣"]);
  const name = `가을 신메뉴 ${info.project.name} ${Date.now() % 100000}`;

  await login(page);
  await openComposer(page);
  await page.getByLabel("캠페인 이름").fill(name);
  // Tomorrow at 11:00: the preview checks every rule as of the send time, so the hour of the run
  // (21:00-08:00 would hold advertising back) does not matter.
  const { input, iso } = tomorrowAt11();
  await page.getByLabel("발송 시각").fill(input);
  await page.getByLabel("고객 묶음").selectOption("customer_ids");
  await page.getByLabel("고객 번호 붙여넣기").fill(ids.join(", "));
  await page.getByLabel("대조군 비율").fill("0");
  await page.getByLabel("내용").fill("#{이름}님, 가을 신메뉴 출시! 이번 주 10% 할인");
  // A sender number that is not registered: the preview names the rule, and saving is refused.
  await page.getByLabel("발신 번호").fill("02-9999-8888");
  await expect(page.getByTestId("preview-audience")).toHaveText("3");
  await expect(page.getByTestId("preview-treated")).toHaveText("3");
  await expect(page.getByTestId("violations")).toContainText("MSG-06");
  await expect(page.getByTestId("violations")).toContainText("등록되지 않은 발신 번호");
  await page.getByTestId("save-draft").click();
  await expect(page.getByTestId("notice")).toContainText("MSG-06");
  expect((await api.get<{ items: { name: string }[] }>("/campaigns")).items.map((c) => c.name)).not.toContain(name);

  // The registered number: every rule kept; the message is built to the law and counted in CP949 bytes.
  await page.getByLabel("발신 번호").fill("02-1234-5678");
  await expect(page.getByTestId("rules-ok")).toBeVisible();
  const body = page.getByTestId("preview-body");
  await expect(body).toContainText("(광고)");
  // The first recipient's name, masked: the preview never shows a customer's own name.
  await expect(body).toContainText(/가\S*\*\S*님/);
  await expect(body).not.toContainText("가을하나");
  await expect(body).toContainText("[무료수신거부]0801234567");
  await expect(page.getByTestId("byte-counter")).toHaveText(/\d+ \/ (90|2,000) 바이트/);
  await expect(page.getByTestId("preview-samples").locator("tbody tr")).toHaveCount(3);
  await expect(page.getByTestId("preview-samples")).toContainText("****");
  await shot(page, info, "office-campaign-composer");

  await page.getByTestId("schedule").click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByTestId("campaign-status")).toHaveText("예약됨");
  await expect(page.getByTestId("messages-queued")).toContainText("3");
  const stored = (await api.get<{ items: { name: string; scheduled_at: string; status: string }[] }>("/campaigns")).items
    .find((c) => c.name === name)!;
  expect(stored.status).toBe("scheduled");
  expect(new Date(stored.scheduled_at).getTime()).toBe(new Date(iso).getTime());

  // The report: treated against control over a window that can be changed.
  const groups = page.getByTestId("groups");
  await expect(groups.getByTestId("group-customers")).toContainText("3");
  await page.getByLabel("기간").selectOption("30");
  await expect(page.getByTestId("uplift")).toContainText("30일");
  await expect(page.getByTestId("uplift").locator("canvas")).toBeVisible();
  await shot(page, info, "office-campaign-report");

  await page.getByRole("link", { name: "캠페인 목록" }).click();
  const row = page.getByTestId("campaigns-table").locator("tr", { hasText: name });
  await expect(row).toContainText("예약됨");
  await expect(row.getByTestId("queued")).toHaveText("3");
  await expect(row.getByTestId("sent")).toHaveText("0");
  await shot(page, info, "office-campaigns");
  await row.getByRole("link", { name }).click();
  await expect(page.getByTestId("delivery")).toBeVisible();

  // The outbox lists the three messages, masked, with their history.
  await page.getByRole("link", { name: "발송함 보기" }).click();
  const outbox = page.getByTestId("outbox-table");
  await expect(outbox.locator("tbody tr")).toHaveCount(3);
  await expect(outbox).toContainText("(광고)");
  await expect(outbox).toContainText("****");
  await outbox.locator("tbody tr").first().getByRole("button").click();
  await expect(page.getByTestId("message-history")).toContainText("대기");
  await shot(page, info, "office-outbox");
  expect(csp).toEqual([]);
});

test("the at-risk list opens the composer with its audience", async ({ page }) => {
  const api = await ownerApi();
  await messagingReady(api);
  const rfm = await api.get<{ segments: { segment: string; customers: number }[] }>("/analytics/rfm?limit=1");
  const atRisk = rfm.segments
    .filter((s) => s.segment === "at_risk" || s.segment === "cannot_lose_them")
    .reduce((sum, s) => sum + s.customers, 0);
  expect(atRisk).toBeGreaterThan(0);

  await login(page);
  await page.getByRole("link", { name: "분석", exact: true }).click();
  await page.getByTestId("dash-at-risk").scrollIntoViewIfNeeded();
  await page.getByTestId("dash-at-risk").getByTestId("send-to").click();
  await expect(page).toHaveURL(/\/office\/campaigns\/new\?audience=at_risk$/);
  await expect(page.getByLabel("고객 묶음")).toHaveValue("at_risk");
  await expect(page.getByTestId("preview-audience")).toHaveText(String(atRisk));
});

test("the opt-out link works without signing in, once, and a forged one is refused", async ({ browser }, info) => {
  const api = await ownerApi();
  const [id] = await smsCustomers(api, ["윤수신"]);
  const { url } = await api.get<{ url: string }>(`/customers/${id}/opt-out-link`);
  const token = url.split("/u/")[1];
  const business = (await api.get<{ name: string }>("/business")).name;

  const context = await browser.newContext();
  const page = await context.newPage();
  const csp = watchCsp(page);
  await page.goto(`${base()}/u/${token}`);
  await expect(page.getByTestId("opt-out-business")).toHaveText(business);
  await expect(page.getByText("윤*신님")).toBeVisible();
  await expect(page.getByLabel("이메일")).toHaveCount(0);
  await shot(page, info, "opt-out");
  await page.getByTestId("opt-out-button").click();
  await expect(page.getByTestId("opt-out-done")).toContainText("수신 거부되었습니다");
  const history = await api.get<{ items: { channel: string; granted: boolean; source: string }[] }>(`/customers/${id}/consents`);
  expect(history.items.filter((e) => e.channel === "sms").map((e) => [e.granted, e.source])).toEqual([
    [true, "counter"],
    [false, "opt_out_page"],
  ]);

  await page.reload();
  await expect(page.getByTestId("opt-out-already")).toBeVisible();

  const forged = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
  await page.goto(`${base()}/u/${forged}`);
  await expect(page.getByTestId("opt-out-invalid")).toContainText("유효하지 않은 링크");
  await shot(page, info, "opt-out-invalid");
  expect(csp).toEqual([]);
  await context.close();
});

test("a customer's page shows the messages received and the consent history, and records a counter opt-out", async ({ page }) => {
  const api = await ownerApi();
  await messagingReady(api);
  const [id] = await smsCustomers(api, ["한메시지"]);
  const name = `단골 감사 ${Date.now() % 100000}`;
  const campaign = await api.post<{ id: number }>("/campaigns", {
    name,
    purpose: "advertising",
    channel: "sms",
    audience: { kind: "customer_ids", value: String(id) },
    body: "#{이름}님, 늘 감사합니다",
    sender_number: "0212345678",
    control_share_permille: 0,
  });
  await api.post(`/campaigns/${campaign.id}/schedule`, { at: tomorrowAt11().iso });

  await login(page);
  await page.goto(`${base()}/office/customers/${id}`);
  const messages = page.getByTestId("customer-messages");
  await expect(messages).toContainText(name);
  await expect(messages).toContainText("(광고)");
  await expect(messages).toContainText("대기");
  const history = page.getByTestId("consent-history");
  await expect(history.locator("tr")).toHaveCount(1);
  await expect(history).toContainText("카운터");

  page.once("dialog", (dialog) => dialog.accept());
  await page.getByTestId("counter-opt-out").click();
  await expect(page.getByTestId("customer-messaging")).toContainText("수신 거부를 등록했습니다");
  const sms = history.locator("tr", { hasText: "문자" });
  await expect(sms).toHaveCount(2);
  await expect(sms.first()).toContainText("거부");
  await expect(sms.first()).toContainText("카운터");
  await expect(page.locator(".consents li").filter({ hasText: "문자" }).locator(".consent-state")).toHaveText(/^거부/);
});
