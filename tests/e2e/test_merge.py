"""Duplicates and merges over HTTP, on SQLite and on PostgreSQL: the review queue and dismissing a
pair, the merge preview, a merge with per-field choices that moves orders, points, coupons, notes and
preferences, its refusals (409 with a reason, 400 naming the field, 403 for staff), the merge
history, undo (once) and the access log; the ledger stays verified throughout."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, items_of, run_cli, unique, walk_pages  # noqa: E402


class MergeTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "merge")
        cls.manager_token = cls.tenant.token("manager")
        cls.staff_token = cls.tenant.token("staff")

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)
        self.manager = self.server.client(self.manager_token)
        self.staff = self.server.client(self.staff_token)
        if not hasattr(type(self), "branch"):
            branch = self.owner.post("/branches", {"name": unique("본점")})
            self.assertEqual(branch.status, 201, branch)
            type(self).branch = branch.json["id"]
            program = self.owner.request("PUT", "/loyalty/program", {"preset": "points"})
            self.assertEqual(program.status, 200, program)

    def new_customer(self, name, last4=None, **fields):
        digits = str(abs(hash(unique("p"))) % 10**4).zfill(4)
        body = {"name": name, "phone": f"010-{digits}-{last4 or digits}"}
        body.update(fields)
        response = self.owner.post("/customers", body)
        self.assertEqual(response.status, 201, response)
        return response.json["id"]

    def sale(self, customer, total):
        response = self.owner.post("/orders", {"branch_id": self.branch, "customer_id": customer,
                                               "lines": [{"product": "라떼", "category": "커피", "quantity": 1,
                                                          "unit_price": total}]})
        self.assertEqual(response.status, 201, response)
        return response.json

    def balance(self, customer):
        response = self.owner.get(f"/customers/{customer}/loyalty")
        self.assertEqual(response.status, 200, response)
        return response.json["balance"]

    def ledger_sum(self, customer):
        return sum(entry["amount"] for entry in walk_pages(self.owner, f"/customers/{customer}/ledger", 50))

    def verify_ledger(self):
        verify = run_cli(["ledger", "verify", "--db", self.db_url, "--business", self.tenant.slug],
                         expect_success=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)

    def pair_in_queue(self, first, second):
        queue = self.manager.get("/duplicates?limit=1000")
        self.assertEqual(queue.status, 200, queue)
        low, high = sorted((first, second))
        return next((item for item in items_of(queue.json)
                     if (item["first_id"], item["second_id"]) == (low, high)), None)

    def test_review_merge_and_undo(self):
        name = "한" + unique("손님")[-6:]
        last4 = str(abs(hash(name)) % 10**4).zfill(4)
        survivor = self.new_customer(name, last4)
        other = self.new_customer(name.replace("한", "한 "), last4, email=f"{unique('m')}@example.com",
                                  tags=["online"])
        self.assertEqual(self.owner.post(f"/customers/{other}/notes", {"text": "온라인 주문 고객"}).status, 201)
        self.assertEqual(self.owner.post(f"/customers/{other}/preferences",
                                         {"kind": "allergy", "subject": "땅콩"}).status, 201)
        self.sale(survivor, 10_000)
        self.sale(other, 30_000)
        points = self.balance(survivor) + self.balance(other)
        other_profile = self.owner.get(f"/customers/{other}").json

        candidate = self.pair_in_queue(survivor, other)
        self.assertIsNotNone(candidate, "the pair is in the review queue")
        self.assertIn("same_name_and_last4", candidate["reasons"])
        self.assertGreater(candidate["score"], 0)

        preview = self.manager.get(f"/customers/{survivor}/merge-preview?other_id={other}")
        self.assertEqual(preview.status, 200, preview)
        self.assertEqual(preview.json["survivor"]["id"], survivor)
        self.assertEqual(preview.json["other"]["id"], other)
        for field in ("name", "phone", "email", "tags"):
            self.assertIn(field, preview.json["differing"])
        self.assertEqual(preview.json["defaults"]["email"], "other")  # the survivor has none
        self.assertEqual(preview.json["defaults"]["name"], "this")

        merged = self.manager.post(f"/customers/{survivor}/merge", {"other_id": other, "keep": {"phone": "other"}})
        self.assertEqual(merged.status, 200, merged)
        customer = merged.json["customer"]
        self.assertEqual(customer["id"], survivor)
        self.assertEqual(customer["phone"], other_profile["phone"])
        self.assertEqual(customer["email"], other_profile["email"])
        self.assertEqual(customer["visit_count"], 2)
        self.assertIn("online", customer["tags"])
        merge_id = merged.json["merge_id"]

        self.assertError(self.owner.get(f"/customers/{other}"), 404)
        self.assertEqual(self.balance(survivor), points)
        self.assertEqual(self.ledger_sum(survivor), points)
        self.verify_ledger()
        orders = walk_pages(self.owner, f"/customers/{survivor}/orders", 50)
        self.assertEqual(len(orders), 2)
        notes = items_of(self.owner.get(f"/customers/{survivor}/notes").json)
        self.assertIn("온라인 주문 고객", [note["text"] for note in notes])
        self.assertIsNone(self.pair_in_queue(survivor, other))
        lookup = self.owner.get("/customers/lookup?q=" + other_profile["phone"])
        self.assertEqual([hit["id"] for hit in items_of(lookup.json)], [survivor])

        history = items_of(self.manager.get("/merges").json)
        record = next(item for item in history if item["id"] == merge_id)
        self.assertEqual((record["survivor_id"], record["merged_id"], record["undone_at"]), (survivor, other, None))
        self.assertEqual(record["choices"]["phone"], "other")

        again = self.manager.post(f"/customers/{survivor}/merge", {"other_id": other})
        self.assertError(again, 409, field="other_id")
        self.assertIn(f"merged into customer {survivor}", again.json["error"]["message"])

        undone = self.manager.post(f"/merges/{merge_id}/undo")
        self.assertEqual(undone.status, 200, undone)
        self.assertIsNotNone(undone.json["undone_at"])
        restored = self.owner.get(f"/customers/{other}")
        self.assertEqual(restored.status, 200, restored)
        for field in ("name", "phone", "email", "tags", "visit_count", "total_spend"):
            self.assertEqual(restored.json[field], other_profile[field], field)
        self.assertEqual(len(walk_pages(self.owner, f"/customers/{survivor}/orders", 50)), 1)
        self.assertEqual(self.balance(survivor) + self.balance(other), points)
        self.verify_ledger()
        self.assertError(self.manager.post(f"/merges/{merge_id}/undo"), 409)

        log = items_of(self.owner.get("/access-log?limit=200").json)
        actions = {(entry["action"], entry["customer_id"]) for entry in log}
        for customer_id in (survivor, other):
            self.assertIn(("merge", customer_id), actions)
            self.assertIn(("undo_merge", customer_id), actions)
        self.assertNotIn(name, str(log), "no personal data in the access log")

    def test_refusals_name_their_reason(self):
        first = self.new_customer("정" + unique("a")[-4:])
        second = self.new_customer("정" + unique("b")[-4:])
        self.assertError(self.manager.post(f"/customers/{first}/merge", {"other_id": first}), 409, field="other_id")
        self.assertError(self.manager.post(f"/customers/{first}/merge", {"other_id": 987654321}), 409,
                         field="other_id")
        self.assertError(self.manager.post(f"/customers/{987654321}/merge", {"other_id": first}), 404)
        self.assertError(self.manager.post(f"/customers/{first}/merge", {}), 400, field="other_id")
        self.assertError(self.manager.post(f"/customers/{first}/merge",
                                           {"other_id": second, "keep": {"shoe_size": "other"}}), 400,
                         field="keep.shoe_size")
        self.assertError(self.manager.post(f"/customers/{first}/merge",
                                           {"other_id": second, "keep": {"phone": "both"}}), 400, field="keep.phone")
        self.assertError(self.manager.post(f"/customers/{first}/merge",
                                           {"other_id": second, "keep": {"name": 1}}), 400, field="keep.name")
        self.assertError(self.manager.get(f"/customers/{first}/merge-preview"), 400, field="other_id")
        self.assertError(self.staff.post(f"/customers/{first}/merge", {"other_id": second}), 403)
        self.assertError(self.staff.get("/duplicates"), 403)
        self.assertError(self.staff.get("/merges"), 403)
        self.assertError(self.manager.post("/merges/987654321/undo"), 404)
        # Nothing of the refused merges happened.
        self.assertEqual(self.owner.get(f"/customers/{second}").status, 200)

    def test_the_analytics_follow_a_merge_and_its_undo(self):
        survivor = self.new_customer("분석" + unique("a")[-4:])
        merged = self.new_customer("분석" + unique("b")[-4:])
        self.sale(survivor, 12000)
        self.sale(survivor, 8000)
        self.sale(merged, 5000)

        def monetary(customer):
            response = self.owner.get(f"/customers/{customer}/analytics")
            self.assertEqual(response.status, 200, response)
            return response.json["rfm"]["monetary"]

        self.assertEqual((monetary(survivor), monetary(merged)), (20000, 5000))
        merge = self.manager.post(f"/customers/{survivor}/merge", {"other_id": merged})
        self.assertEqual(merge.status, 200, merge)
        self.assertEqual(monetary(survivor), 25000)
        self.assertEqual(self.owner.get(f"/customers/{merged}/analytics").status, 404)
        undone = self.manager.post(f"/merges/{merge.json['merge_id']}/undo")
        self.assertEqual(undone.status, 200, undone)
        self.assertEqual((monetary(survivor), monetary(merged)), (20000, 5000))

    def test_a_dismissed_pair_leaves_the_queue(self):
        name = "서" + unique("d")[-5:]
        last4 = str(abs(hash(name)) % 10**4).zfill(4)
        first = self.new_customer(name, last4)
        second = self.new_customer(name, last4)
        self.assertIsNotNone(self.pair_in_queue(first, second))
        dismissed = self.manager.post("/duplicates/dismiss", {"first_id": second, "second_id": first})
        self.assertEqual(dismissed.status, 200, dismissed)
        self.assertEqual((dismissed.json["first_id"], dismissed.json["second_id"]), tuple(sorted((first, second))))
        self.assertIsNone(self.pair_in_queue(first, second))
        self.assertError(self.manager.post("/duplicates/dismiss", {"first_id": first, "second_id": 987654321}), 404)
        self.assertError(self.manager.post("/duplicates/dismiss", {"first_id": first}), 400, field="second_id")


if __name__ == "__main__":
    unittest.main()
