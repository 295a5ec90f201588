"""Undo of the last action of today over HTTP, on SQLite and on PostgreSQL: a sale refunded in full
so that `dangol ledger verify` stays clean, a second undo refused with its reason, another staff
member's action refused and a manager's undo allowed, a note and a redemption, a retried undo
under the same Idempotency-Key, and bad input named by field."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, add_user, run_cli, unique  # noqa: E402

PASSWORD = "correct horse battery staple"


class UndoTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "undo")
        cls.emails = {}
        for role, name in (("staff", "alice"), ("staff", "bob"), ("manager", "mina")):
            email = f"{name}.{cls.tenant.slug}@example.com"
            add_user(cls.db_url, cls.tenant.slug, email, PASSWORD, role=role, name=name)
            cls.emails[name] = email

    def session(self, name):
        client = self.server.client()
        response = client.login(self.emails[name], PASSWORD, business=self.tenant.slug)
        self.assertEqual(response.status, 200, response)
        return client

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)
        if not hasattr(type(self), "branch"):
            branch = self.owner.post("/branches", {"name": unique("본점")})
            self.assertEqual(branch.status, 201, branch)
            type(self).branch = branch.json["id"]
            program = self.owner.request("PUT", "/loyalty/program", {"preset": "points", "min_balance_to_redeem": 0})
            self.assertEqual(program.status, 200, program)
        self.alice = self.session("alice")
        self.bob = self.session("bob")
        self.manager = self.session("mina")

    def new_customer(self):
        phone = "010" + str(abs(hash(unique("p"))) % 10**8).zfill(8)
        response = self.owner.post("/customers", {"phone": phone})
        self.assertEqual(response.status, 201, response)
        return response.json["id"]

    def sale(self, client, customer, total):
        response = client.post("/orders", {"branch_id": self.branch, "customer_id": customer, "total": total})
        self.assertEqual(response.status, 201, response)
        return response.json

    def last_action(self, client, customer):
        response = client.get(f"/customers/{customer}/last-action")
        self.assertEqual(response.status, 200, response)
        return response.json["action"]

    def assertReason(self, response, status, reason):
        self.assertError(response, status)
        self.assertEqual(response.json["error"].get("reason"), reason, response)

    def verify_ledger(self):
        verify = run_cli(["ledger", "verify", "--db", self.db_url, "--business", self.tenant.slug])
        self.assertIn("ledger ok", verify.stdout)

    def test_undoing_a_sale_refunds_it_and_a_second_undo_is_refused(self):
        customer = self.new_customer()
        order = self.sale(self.alice, customer, 30000)
        self.assertGreater(order["loyalty"]["earned"], 0)
        action = self.last_action(self.alice, customer)
        self.assertEqual((action["kind"], action["id"], action["amount"]), ("order", order["id"], 30000))

        undone = self.alice.post(f"/customers/{customer}/undo", {"kind": "order", "id": order["id"]})
        self.assertEqual(undone.status, 200, undone)
        self.assertEqual(undone.json["refund"]["total"], -30000)
        self.assertEqual(undone.json["balance"], 0)
        self.assertIsNone(self.last_action(self.alice, customer))
        profile = self.owner.get(f"/customers/{customer}").json
        self.assertEqual(profile["loyalty"]["balance"], 0)

        again = self.alice.post(f"/customers/{customer}/undo", {"kind": "order", "id": order["id"]})
        self.assertReason(again, 409, "already_undone")
        orders = self.owner.get(f"/customers/{customer}/orders").json["items"]
        self.assertEqual(sorted(o["total"] for o in orders), [-30000, 30000])
        self.verify_ledger()
        self.assertServerAlive()

    def test_only_the_staff_member_or_a_manager_may_undo(self):
        customer = self.new_customer()
        order = self.sale(self.alice, customer, 12000)
        self.assertIsNone(self.last_action(self.bob, customer))
        refused = self.bob.post(f"/customers/{customer}/undo", {"kind": "order", "id": order["id"]})
        self.assertReason(refused, 403, "not_own_action")
        self.assertEqual(self.last_action(self.manager, customer)["id"], order["id"])
        allowed = self.manager.post(f"/customers/{customer}/undo", {"kind": "order", "id": order["id"]})
        self.assertEqual(allowed.status, 200, allowed)
        self.verify_ledger()

    def test_a_note_then_the_sale_before_it(self):
        customer = self.new_customer()
        order = self.sale(self.alice, customer, 8000)
        note = self.alice.post(f"/customers/{customer}/notes", {"text": "시럽 빼고"})
        self.assertEqual(note.status, 201, note)
        stale = self.alice.post(f"/customers/{customer}/undo", {"kind": "order", "id": order["id"]})
        self.assertReason(stale, 409, "not_last_action")
        action = self.last_action(self.alice, customer)
        self.assertEqual((action["kind"], action["label"]), ("note", "시럽 빼고"))
        undone = self.alice.post(f"/customers/{customer}/undo", {"kind": "note", "id": note.json["id"]})
        self.assertEqual(undone.status, 200, undone)
        self.assertEqual(self.owner.get(f"/customers/{customer}/notes").json["items"], [])
        self.assertEqual(self.last_action(self.alice, customer)["kind"], "order")

    def test_a_redemption_is_given_back_once_under_a_retried_key(self):
        customer = self.new_customer()
        self.sale(self.alice, customer, 100000)
        before = self.owner.get(f"/customers/{customer}/loyalty").json["balance"]
        spent = self.alice.post(f"/customers/{customer}/redeem", {"amount": 700, "branch_id": self.branch})
        self.assertEqual(spent.status, 201, spent)
        action = self.last_action(self.alice, customer)
        self.assertEqual((action["kind"], action["amount"]), ("redemption", 700))
        key = {"Idempotency-Key": unique("undo")}
        body = {"kind": "redemption", "id": action["id"]}
        first = self.alice.post(f"/customers/{customer}/undo", body, headers=key)
        self.assertEqual(first.status, 200, first)
        retry = self.alice.post(f"/customers/{customer}/undo", body, headers=key)
        self.assertEqual(retry.status, 200, retry)
        self.assertEqual(retry.header("Idempotent-Replayed"), "true")
        self.assertEqual(self.owner.get(f"/customers/{customer}/loyalty").json["balance"], before)
        reversals = [e for e in self.owner.get(f"/customers/{customer}/ledger").json["items"] if e["kind"] == "reverse"]
        self.assertEqual([e["amount"] for e in reversals], [700])
        self.verify_ledger()

    def test_bad_input_names_the_field(self):
        customer = self.new_customer()
        self.assertError(self.alice.post(f"/customers/{customer}/undo", {"kind": "visit", "id": 1}), 400, field="kind")
        self.assertError(self.alice.post(f"/customers/{customer}/undo", {"kind": "order"}), 400, field="id")
        self.assertError(self.alice.get("/customers/987654321/last-action"), 404)
        nothing = self.alice.post(f"/customers/{customer}/undo", {"kind": "order", "id": 987654321})
        self.assertReason(nothing, 409, "not_last_action")


if __name__ == "__main__":
    unittest.main()
