"""Idempotency-Key end to end, on SQLite and PostgreSQL: a key belongs to the principal that used it
first, a saved answer never holds a secret (not in the table, not in `dangol backup`), the same
JSON written with other key order or spacing is the same request, and an order's external id used
again with another order is refused with both totals."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, run_cli, unique  # noqa: E402


class IdempotencyTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "idem")
        cls.manager_token = cls.tenant.token("manager")
        cls.staff_token = cls.tenant.token("staff")

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)
        self.manager = self.server.client(self.manager_token)
        self.staff = self.server.client(self.staff_token)

    def branch(self):
        response = self.owner.post("/branches", {"name": unique("지점")})
        self.assertStatus(response, 200, 201)
        return response.json["id"]

    def customer(self):
        phone = "010" + str(abs(hash(unique("p"))) % 10**8).zfill(8)
        response = self.owner.post("/customers", {"name": "김멱등", "phone": phone})
        self.assertEqual(response.status, 201, response)
        return response.json["id"]

    def assertReason(self, response, status, reason):
        self.assertError(response, status)
        self.assertEqual(response.json["error"].get("reason"), reason, response)

    # ---- a key belongs to the principal that used it first ----

    def test_another_token_reusing_the_owners_key_on_tokens_gets_409_and_no_token(self):
        key = unique("tok")
        body = {"role": "owner", "name": "pos"}
        first = self.owner.post("/tokens", body, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        secret = first.json["token"]
        for other in (self.staff, self.manager):
            again = other.post("/tokens", body, headers={"Idempotency-Key": key})
            self.assertReason(again, 409, "idempotency_key_owned_by_another")
            self.assertNotIn(secret, again.text)
            self.assertNotIn("dgl_", again.text)

    def test_another_token_reusing_a_key_on_adjust_and_staff_gets_409_not_the_answer(self):
        customer = self.customer()
        program = self.owner.request("PUT", "/loyalty/program", {"preset": "points"})
        self.assertEqual(program.status, 200, program)
        key = unique("adj")
        body = {"amount": 500, "reason": "사과의 뜻"}
        first = self.owner.post(f"/customers/{customer}/adjust", body, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        again = self.staff.post(f"/customers/{customer}/adjust", body, headers={"Idempotency-Key": key})
        self.assertReason(again, 409, "idempotency_key_owned_by_another")
        self.assertNotIn("entry", again.json)
        replay = self.owner.post(f"/customers/{customer}/adjust", body, headers={"Idempotency-Key": key})
        self.assertEqual((replay.status, replay.header("Idempotent-Replayed")), (201, "true"), replay)
        self.assertEqual(replay.json, first.json)
        self.assertEqual(self.owner.get(f"/customers/{customer}/loyalty").json["balance"], 500)

        key = unique("staff")
        staff_body = {"display_name": "박직원", "email": f"{unique('s')}@example.com", "password": "long enough pass 1",
                      "role": "staff"}
        created = self.owner.post("/staff", staff_body, headers={"Idempotency-Key": key})
        self.assertEqual(created.status, 201, created)
        stolen = self.manager.post("/staff", staff_body, headers={"Idempotency-Key": key})
        self.assertReason(stolen, 409, "idempotency_key_owned_by_another")
        self.assertNotIn(staff_body["email"], stolen.text)

    # ---- no secret in a saved answer ----

    def test_a_new_token_is_never_saved_with_its_key_nor_replayed(self):
        key = unique("secret")
        body = {"role": "staff", "name": "kiosk pos"}
        first = self.owner.post("/tokens", body, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        secret = first.json["token"]
        replay = self.owner.post("/tokens", body, headers={"Idempotency-Key": key})
        self.assertReason(replay, 409, "idempotency_secret_not_replayed")
        self.assertNotIn(secret, replay.text)
        device = self.owner.post("/kiosk-devices", {"name": "입구 태블릿"}, headers={"Idempotency-Key": key + "-k"})
        self.assertEqual(device.status, 201, device)
        device_secret = device.json["token"]
        self.assertReason(self.owner.post("/kiosk-devices", {"name": "입구 태블릿"},
                                          headers={"Idempotency-Key": key + "-k"}),
                          409, "idempotency_secret_not_replayed")
        # Neither the table (every saved answer read back through a backup of the business) nor
        # the backup holds either secret, nor its hash-free form.
        path = os.path.join(self._directory.name, unique("backup") + ".jsonl")
        run_cli(["backup", "--db", self.db_url, "--business", self.tenant.slug, "--output", path])
        with open(path, "rb") as backup:
            content = backup.read().decode("utf-8")
        self.assertIn("idempotency_keys", content)
        self.assertIn(key, content, "the key itself is backed up")
        self.assertNotIn(secret, content)
        self.assertNotIn(device_secret, content)
        if self.db_url.startswith("sqlite:"):
            import sqlite3
            with sqlite3.connect(self.db_url[len("sqlite:"):]) as connection:
                saved = [row[0] for row in connection.execute("SELECT response FROM idempotency_keys")]
            self.assertTrue(saved)
            for response in saved:
                self.assertNotIn("dgl_", response)
                self.assertNotIn(device_secret, response)

    # ---- canonical JSON ----

    def test_the_same_json_with_other_key_order_and_spacing_is_a_retry(self):
        customer = self.customer()
        branch = self.branch()
        key = unique("canon")
        first = self.owner.request(
            "POST", "/orders", raw=('{"branch_id": %d, "customer_id": %d, "total": 4500}' % (branch, customer)).encode(),
            headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        reordered = ('{ "total":4500,\n  "customer_id" : %d,"branch_id":%d }' % (customer, branch)).encode()
        again = self.owner.request("POST", "/orders", raw=reordered, headers={"Idempotency-Key": key})
        self.assertEqual((again.status, again.header("Idempotent-Replayed")), (201, "true"), again)
        self.assertEqual(again.json["id"], first.json["id"])
        other = ('{"total":5000,"customer_id":%d,"branch_id":%d}' % (customer, branch)).encode()
        self.assertReason(self.owner.request("POST", "/orders", raw=other, headers={"Idempotency-Key": key}),
                          409, "idempotency_conflict")
        orders = self.owner.get(f"/customers/{customer}/orders").json["items"]
        self.assertEqual([order["id"] for order in orders], [first.json["id"]])

    # ---- external ids ----

    def test_an_external_id_used_again_for_another_order_is_409_with_both_totals(self):
        branch = self.branch()
        external = {"external_source": "pos-1", "external_id": unique("ext")}
        first = self.owner.post("/orders", {"branch_id": branch, "total": 4500, **external})
        self.assertEqual(first.status, 201, first)
        retry = self.owner.post("/orders", {"branch_id": branch, "total": 4500, **external})
        self.assertEqual((retry.status, retry.json["id"]), (200, first.json["id"]), retry)
        other = self.owner.post("/orders", {"branch_id": branch, "total": 9000, **external})
        self.assertReason(other, 409, "external_id_conflict")
        self.assertEqual(other.json["error"]["field"], "external_id")
        self.assertEqual(other.json["error"]["figures"],
                         {"total": 9000, "existing_total": 4500, "existing_order_id": first.json["id"]})
        self.assertEqual(self.owner.get(f"/orders/{first.json['id']}").json["total"], 4500)


if __name__ == "__main__":
    unittest.main()
