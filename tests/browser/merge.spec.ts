// The duplicate review page: a pair of one person's two profiles is compared field by field,
// merged with the other profile's phone kept, and the merge undone; a pair of different people is
// taken off the list.
import { expect, test } from "@playwright/test";
import { base, login, ownerApi, shot } from "./helpers";

function digits(n: number): string {
  return String(Math.floor(10 ** (n - 1) + Math.random() * 9 * 10 ** (n - 1)));
}

async function pairOfOnePerson(tag: string) {
  const api = await ownerApi();
  const name = `중복${tag}${digits(4)}`;
  const last4 = digits(4);
  const email = `dup-${tag}-${digits(6)}@example.com`;
  const first = await api.post<{ id: number }>("/customers", { name, phone: `010-${digits(4)}-${last4}`, email });
  const secondPhone = `010-${digits(4)}-${last4}`;
  const second = await api.post<{ id: number; phone: string }>("/customers", {
    name: name.slice(0, 2) + " " + name.slice(2),
    phone: secondPhone,
    email,
  });
  return { api, first: first.id, second: second.id, secondPhone: second.phone };
}

test("duplicates are compared, merged with a choice per field, and the merge undone", async ({ page }, info) => {
  const { api, first, second, secondPhone } = await pairOfOnePerson(info.project.name);
  await login(page);
  await page.getByRole("link", { name: "중복 고객" }).click();
  await expect(page.getByRole("heading", { name: "중복 고객 검토" })).toBeVisible();
  const row = page.locator(`tr[data-pair="${first}-${second}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText("같은 이메일");
  // The pair is named by both masked names, never by bare ids.
  await expect(row.locator("td").first()).not.toContainText("#");
  await row.getByRole("button", { name: "비교" }).click();

  const preview = page.getByTestId("merge-preview");
  await expect(preview).toBeVisible();
  await expect(preview).toContainText("전화번호");
  await page.getByLabel("남길 값: 전화번호").selectOption("other");
  await shot(page, info, "duplicates-preview");
  await page.getByRole("button", { name: "병합", exact: true }).click();
  await expect(page.getByTestId("notice")).toContainText(`#${second}`);
  await expect(row).toHaveCount(0);

  // The survivor now has the other profile's phone; the merged profile is gone.
  const survivor = await api.get<{ phone: string }>(`/customers/${first}`);
  expect(survivor.phone).toBe(secondPhone);
  await expect(api.get(`/customers/${second}`)).rejects.toThrow(/404/);

  const history = page.getByTestId("merges-table");
  const merged = history.locator("tr").filter({ hasText: `고객 ${second}번 → 고객 ${first}번` }).first();
  await merged.getByRole("button", { name: "병합 취소" }).click();
  await expect(page.getByTestId("notice")).toContainText("취소했습니다");
  await expect(merged).toContainText("취소됨");
  const back = await api.get<{ phone: string }>(`/customers/${second}`);
  expect(back.phone).toBe(secondPhone);
});

test("a pair of different people is taken off the list", async ({ page }, info) => {
  const { first, second } = await pairOfOnePerson(`${info.project.name}d`);
  await login(page);
  await page.goto(`${base()}/office/duplicates`);
  const row = page.locator(`tr[data-pair="${first}-${second}"]`);
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "다른 사람" }).click();
  await expect(page.getByTestId("notice")).toContainText("목록에서 뺐습니다");
  await expect(row).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("heading", { name: "중복 고객 검토" })).toBeVisible();
  await expect(page.locator(`tr[data-pair="${first}-${second}"]`)).toHaveCount(0);
});
