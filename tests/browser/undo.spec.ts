// Undo of the last action of today at the counter: an order undone in two taps is refunded in
// full on the server, and the same undo pressed on a second tablet is refused with its reason.
import { expect, test, type Page } from "@playwright/test";
import { freshPhone, login, ownerApi, shot } from "./helpers";

async function newCustomerCard(page: Page, phone: string) {
  await page.getByRole("searchbox").fill(phone);
  await page.getByRole("button", { name: "찾기" }).click();
  await page.getByRole("button", { name: "이 번호로 새 고객 등록" }).click();
  await page.getByRole("button", { name: "저장" }).click();
  const card = page.getByTestId("customer-card");
  await expect(card).toContainText(`010-****-${phone.slice(-4)}`);
  return card;
}

test("an order is undone in two taps and a second undo is refused", async ({ page, context }, info) => {
  await login(page, process.env.DANGOL_STAFF_EMAIL!);
  const phone = freshPhone();
  const card = await newCustomerCard(page, phone);
  // Nothing done for this customer today yet: nothing to undo.
  await expect(card.getByTestId("undo")).toHaveCount(0);

  await card.getByRole("button", { name: "주문 등록" }).click();
  await card.getByLabel("결제 금액 (원)").fill("15000");
  await card.getByRole("button", { name: "등록", exact: true }).click();
  await expect(page.getByTestId("notice")).toHaveText("15,000원 주문을 등록했습니다.");
  const undoButton = card.getByTestId("undo-button");
  await expect(undoButton).toHaveText("↶ 되돌리기: 주문 15,000원");

  // A second tablet of the same staff member shows the same card.
  const other = await context.newPage();
  await other.goto(page.url());
  await other.getByRole("searchbox").fill(phone);
  await other.getByRole("button", { name: "찾기" }).click();
  await other.getByTestId("pick-list").getByRole("button").first().click();
  await other.getByTestId("undo-button").click();

  await undoButton.click();
  await expect(card.getByRole("alertdialog")).toContainText("주문 15,000원 — 정말 되돌릴까요?");
  await shot(page, info, "counter-undo");
  await card.getByTestId("undo-yes").click();
  await expect(page.getByTestId("notice")).toHaveText("되돌렸습니다: 주문 15,000원");
  await expect(card.getByTestId("undo")).toHaveCount(0);

  // The server wrote one sale and its full refund.
  const owner = await ownerApi();
  const lookup = await owner.get<{ items: { id: number }[] }>(`/customers/lookup?q=${encodeURIComponent(phone)}`);
  const orders = await owner.get<{ items: { total: number; kind: string }[] }>(`/customers/${lookup.items[0].id}/orders`);
  expect(orders.items.map((o) => o.total).sort((a, b) => a - b)).toEqual([-15000, 15000]);

  await other.getByTestId("undo-yes").click();
  await expect(other.getByTestId("undo").getByRole("alert")).toHaveText("이미 되돌린 작업입니다.");
  await other.close();
});

test("a note is undone in English", async ({ page }) => {
  await login(page, process.env.DANGOL_STAFF_EMAIL!, "en");
  const phone = freshPhone();
  await page.getByRole("searchbox").fill(phone);
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("button", { name: "Register this number as a new customer" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  const card = page.getByTestId("customer-card");
  await card.getByRole("button", { name: "Note", exact: true }).click();
  await card.getByRole("textbox", { name: "Note" }).fill("no syrup");
  await card.getByRole("button", { name: "Save" }).click();
  await expect(card.getByTestId("undo-button")).toHaveText("↶ Undo: note “no syrup”");
  await card.getByTestId("undo-button").click();
  await card.getByTestId("undo-yes").click();
  await expect(page.getByTestId("notice").first()).toHaveText("Undone: note “no syrup”");
  await expect(card.getByTestId("undo")).toHaveCount(0);
});
