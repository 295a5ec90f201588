// The customer kiosk: required consent cannot be skipped, optional consent can, and the screen
// starts over by itself.
import { expect, test } from "@playwright/test";
import { freshPhone, login, openKiosk, ownerApi, shot, base } from "./helpers";

test("a new guest accepts the items one by one and the kiosk starts over", async ({ page }, info) => {
  await openKiosk(page, 6);
  const kiosk = page.getByTestId("kiosk");
  await expect(kiosk.getByRole("heading", { name: "어서 오세요!" })).toBeVisible();
  // No staff controls and no other customer's data.
  await expect(page.getByRole("navigation")).toHaveCount(0);
  await expect(page.getByRole("search")).toHaveCount(0);
  await shot(page, info, "kiosk-phone");

  const phone = freshPhone();
  for (const digit of phone.replace(/\D/g, "")) await kiosk.getByRole("button", { name: digit, exact: true }).click();
  await expect(page.getByLabel("휴대폰 번호")).toHaveValue(phone);
  await kiosk.getByRole("button", { name: "다음" }).click();

  // Terms (required): declining keeps the guest on the same item.
  await expect(kiosk.getByRole("heading", { name: /서비스 이용약관/ })).toBeVisible();
  await kiosk.getByRole("button", { name: "동의하지 않습니다" }).click();
  await expect(page.getByRole("alert")).toHaveText("필수 항목에 동의해야 가입할 수 있습니다.");
  await expect(kiosk.getByRole("heading", { name: /서비스 이용약관/ })).toBeVisible();
  await shot(page, info, "kiosk-consent-required");
  await kiosk.getByRole("button", { name: "동의합니다" }).click();
  // Privacy (required).
  await expect(kiosk.getByRole("heading", { name: /개인정보 수집·이용/ })).toBeVisible();
  await kiosk.getByRole("button", { name: "동의하지 않습니다" }).click();
  await expect(kiosk.getByRole("heading", { name: /개인정보 수집·이용/ })).toBeVisible();
  await kiosk.getByRole("button", { name: "동의합니다" }).click();
  // Marketing items are optional: declining moves on.
  await expect(kiosk.getByRole("heading", { name: /문자\(SMS\) 광고 수신/ })).toBeVisible();
  await kiosk.getByRole("button", { name: "동의하지 않습니다" }).click();
  await expect(kiosk.getByRole("heading", { name: /카카오톡 광고 수신/ })).toBeVisible();
  await kiosk.getByRole("button", { name: "동의합니다" }).click();
  await expect(kiosk.getByRole("heading", { name: /야간/ })).toBeVisible();
  const created = page.waitForRequest((r) => r.url().endsWith("/api/v1/kiosk/register") && r.method() === "POST");
  await kiosk.getByRole("button", { name: "동의하지 않습니다" }).click();
  const request = await created;
  // The device's own credential, no staff session.
  expect(request.headers()["authorization"]).toMatch(/^Bearer kio_/);
  expect(request.headers()["cookie"]).toBeUndefined();
  await expect(kiosk.getByRole("heading", { name: "등록되었습니다. 감사합니다!" })).toBeVisible();
  // Stored on the customer: the notices with their versions, and each marketing choice.
  const owner = await ownerApi();
  const found = await owner.get<{ items: { id: number }[] }>(`/customers/lookup?q=${phone.replace(/-/g, "")}`);
  const profile = await owner.get<{
    source: string;
    agreements: { item: string; version: string }[];
    consents: { channel: string; granted: boolean }[];
  }>(`/customers/${found.items[0].id}`);
  expect(profile.source).toBe("kiosk");
  expect(profile.agreements.map((a) => a.item)).toEqual(["terms", "privacy"]);
  expect(profile.agreements.every((a) => /^\d{4}-\d{2}$/.test(a.version))).toBe(true);
  const consent = (channel: string) => profile.consents.find((c) => c.channel === channel)?.granted;
  expect(consent("sms")).toBe(false);
  expect(consent("kakao")).toBe(true);
  expect(consent("night")).toBe(false);
  await shot(page, info, "kiosk-done");

  // Left alone, the kiosk starts over.
  await expect(kiosk.getByRole("heading", { name: "어서 오세요!" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByLabel("휴대폰 번호")).toHaveValue("");

  // The same guest again is recognised without the consent steps.
  for (const digit of phone.replace(/\D/g, "")) await kiosk.getByRole("button", { name: digit, exact: true }).click();
  await kiosk.getByRole("button", { name: "다음" }).click();
  await expect(kiosk.getByRole("heading", { name: "반갑습니다! 확인되었습니다." })).toBeVisible();
});

test("a half-finished kiosk form is cleared after the timeout", async ({ page }) => {
  await openKiosk(page, 5);
  const kiosk = page.getByTestId("kiosk");
  for (const digit of "0109") await kiosk.getByRole("button", { name: digit, exact: true }).click();
  await expect(page.getByLabel("휴대폰 번호")).toHaveValue("010-9");
  await expect(page.getByLabel("휴대폰 번호")).toHaveValue("", { timeout: 15_000 });
});

test("a kiosk turned off in the back office is refused at once", async ({ page, browser }) => {
  const name = `태블릿 ${Date.now()}`;
  await openKiosk(page, 60, name);
  const office = await browser.newPage();
  await login(office);
  await office.goto(`${base()}/office/team`);
  const devices = office.getByTestId("kiosk-devices");
  await devices.getByRole("listitem").filter({ hasText: name }).getByRole("button", { name: "끄기" }).click();
  await expect(devices.getByRole("status")).toHaveText(`'${name}' 키오스크를 껐습니다.`);
  await office.close();

  const kiosk = page.getByTestId("kiosk");
  for (const digit of freshPhone().replace(/\D/g, "")) await kiosk.getByRole("button", { name: digit, exact: true }).click();
  await kiosk.getByRole("button", { name: "다음" }).click();
  await expect(page.getByRole("alert")).toHaveText("이 키오스크는 사용 중지되었습니다.");
});

test("a refusal of the number is cleared as soon as the number becomes valid", async ({ page }) => {
  await openKiosk(page, 60, "번호 확인 태블릿");
  const kiosk = page.getByTestId("kiosk");
  for (const digit of "010123") await kiosk.getByRole("button", { name: digit, exact: true }).click();
  await kiosk.getByRole("button", { name: "다음" }).click();
  await expect(page.getByRole("alert")).toHaveText("휴대폰 번호를 확인하세요.");
  // Still too short: the refusal stays; one digit more makes it a number and the refusal goes.
  for (const digit of "456") await kiosk.getByRole("button", { name: digit, exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText("휴대폰 번호를 확인하세요.");
  await kiosk.getByRole("button", { name: "7", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveCount(0);
  // The keys are large enough for a finger (at least 48 px).
  const box = (await kiosk.getByRole("button", { name: "5", exact: true }).boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(48);
  expect(box.width).toBeGreaterThanOrEqual(48);
});
