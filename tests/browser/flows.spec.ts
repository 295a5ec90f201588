// The counter's bad paths in Korean and in English (each at tablet and phone size through the
// projects): a wrong password, an unknown number, and a customer named with HTML shown as text.
import { expect, test } from "@playwright/test";
import { fixture } from "./global-setup";
import { base, freshPhone, login, loginLabels, type Lang } from "./helpers";

const text: Record<Lang, { wrong: string; find: string; noMatch: string; register: string }> = {
  ko: { wrong: "이메일 또는 비밀번호가 맞지 않습니다.", find: "찾기", noMatch: "일치하는 고객이 없습니다.", register: "이 번호로 새 고객 등록" },
  en: { wrong: "The e-mail or password is wrong.", find: "Find", noMatch: "No customer matches.", register: "Register this number as a new customer" },
};

for (const lang of ["ko", "en"] as const) {
  test.describe(lang, () => {
    test("a wrong password is refused in the chosen language", async ({ page }) => {
      if (lang !== "ko") await page.addInitScript((chosen) => localStorage.setItem("dangol.lang", chosen), lang);
      await page.goto(`${base()}/`);
      const labels = loginLabels[lang];
      await page.getByLabel(labels.email).fill(process.env.DANGOL_STAFF_EMAIL!);
      await page.getByLabel(labels.password).fill("not-the-password");
      await page.getByRole("button", { name: labels.submit }).click();
      await expect(page.getByRole("alert")).toHaveText(text[lang].wrong);
      await expect(page.getByRole("search")).toHaveCount(0);
    });

    test("an unknown number offers to register it and a customer named with HTML is text", async ({ page }) => {
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await login(page, process.env.DANGOL_STAFF_EMAIL!, lang);
      const phone = freshPhone();
      await page.getByRole("searchbox").fill(phone);
      await page.getByRole("button", { name: text[lang].find }).click();
      await expect(page.getByText(text[lang].noMatch)).toBeVisible();
      await expect(page.getByRole("button", { name: text[lang].register })).toBeVisible();

      await page.getByRole("searchbox").fill("010-7103-9090");
      await page.getByRole("button", { name: text[lang].find }).click();
      await page.getByTestId("pick-list").getByRole("button").first().click();
      const card = page.getByTestId("customer-card");
      await expect(card.getByRole("heading", { level: 2 })).toHaveText(fixture.xssName);
      expect(await card.locator("img").count()).toBe(0);
      expect(dialogs).toEqual([]);
    });
  });
}
