"""The kiosk over HTTP, on SQLite and on PostgreSQL: a manager enables a kiosk device; its
credential reads the notices, looks a guest up by a full phone number (their own standing only)
and registers a guest, refused without the required notices (400 naming the item); the terms and
privacy versions and times are stored on the customer; the credential is refused on every other
route of the API; a disabled device is refused at once."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, unique  # noqa: E402

KIOSK_ROUTES = {("GET", "/api/v1/kiosk/notices"), ("GET", "/api/v1/kiosk/lookup"),
                ("POST", "/api/v1/kiosk/register")}
CURRENT = [{"item": "terms", "version": "2026-01"}, {"item": "privacy", "version": "2026-01"}]


def fresh_phone():
    return "010" + str(abs(hash(unique("k"))) % 10**8).zfill(8)


class KioskTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "kiosk")
        cls.staff_token = cls.tenant.token("staff")

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)
        enabled = self.owner.post("/kiosk-devices", {"name": "입구 태블릿"})
        self.assertEqual(enabled.status, 201, enabled)
        self.assertTrue(enabled.json["token"].startswith("kio_"))
        self.device_id = enabled.json["id"]
        self.kiosk = self.server.client(enabled.json["token"])

    def assertReason(self, response, status, reason, field=None):
        self.assertError(response, status, field=field)
        self.assertEqual(response.json["error"].get("reason"), reason, response)

    def test_a_guest_registers_with_the_required_notices_kept_on_the_customer(self):
        notices = self.kiosk.get("/kiosk/notices")
        self.assertEqual(notices.status, 200, notices)
        self.assertEqual([(n["item"], n["required"]) for n in notices.json["items"]],
                         [("terms", True), ("privacy", True)])
        phone = fresh_phone()
        unknown = self.kiosk.get(f"/kiosk/lookup?phone={phone}")
        self.assertEqual((unknown.status, unknown.json["known"]), (200, False))

        body = {"phone": phone, "agreements": CURRENT[:1],
                "consents": [{"channel": "sms", "granted": False}, {"channel": "kakao", "granted": True}]}
        self.assertReason(self.kiosk.post("/kiosk/register", body), 400, "required_consent_missing",
                          field="agreements.privacy")
        old = {**body, "agreements": [CURRENT[0], {"item": "privacy", "version": "2020-01"}]}
        self.assertReason(self.kiosk.post("/kiosk/register", old), 400, "notice_version_outdated",
                          field="agreements.privacy")
        self.assertReason(self.kiosk.post("/kiosk/register", {**body, "agreements": []}), 400,
                          "required_consent_missing", field="agreements.terms")
        self.assertFalse(self.kiosk.get(f"/kiosk/lookup?phone={phone}").json["known"])

        registered = self.kiosk.post("/kiosk/register", {**body, "agreements": CURRENT},
                                     headers={"Idempotency-Key": unique("kiosk")})
        self.assertEqual(registered.status, 201, registered)
        self.assertTrue(registered.json["known"])
        self.assertNotIn("id", registered.json)
        self.assertEqual(registered.json["agreements"], CURRENT)

        customer_id = self.owner.get(f"/customers/lookup?q={phone}").json["items"][0]["id"]
        profile = self.owner.get(f"/customers/{customer_id}").json
        self.assertEqual(profile["source"], "kiosk")
        self.assertEqual([(a["item"], a["version"], a["source"]) for a in profile["agreements"]],
                         [("terms", "2026-01", "kiosk"), ("privacy", "2026-01", "kiosk")])
        self.assertTrue(all(a["accepted_at"].endswith("Z") for a in profile["agreements"]))
        consents = {c["channel"]: c["granted"] for c in profile["consents"]}
        self.assertEqual(consents, {"sms": False, "kakao": True})
        self.assertReason(self.kiosk.post("/kiosk/register", {**body, "agreements": CURRENT}), 409, "phone_taken")

    def test_lookup_needs_a_full_number_and_shows_only_the_guests_own_standing(self):
        self.assertEqual(self.owner.request("PUT", "/loyalty/program", {"preset": "points"}).status, 200)
        phone = fresh_phone()
        customer = self.owner.post("/customers", {"name": "김비밀", "phone": phone}).json["id"]
        branch = self.owner.post("/branches", {"name": unique("지점")}).json["id"]
        self.assertEqual(self.owner.post("/orders", {"branch_id": branch, "customer_id": customer,
                                                     "total": 10000}).status, 201)
        standing = self.kiosk.get(f"/kiosk/lookup?phone={phone}")
        self.assertEqual(standing.status, 200, standing)
        self.assertEqual(standing.json["loyalty"]["balance"], 150)
        self.assertEqual(standing.json["loyalty"]["coupons"], [])
        text = standing.body.decode("utf-8")
        self.assertNotIn("김비밀", text)
        self.assertEqual(set(standing.json), {"known", "loyalty"})
        self.assertFalse({"id", "customer_id", "referral_code", "referrer_id"} & set(standing.json["loyalty"]))
        self.assertError(self.kiosk.get(f"/kiosk/lookup?phone={phone[-4:]}"), 400, field="phone")
        self.assertError(self.kiosk.get("/kiosk/lookup"), 400, field="phone")

    def test_the_kiosk_credential_is_refused_on_every_other_route(self):
        document = self.server.client().get("/openapi.json").json
        checked = 0
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                full = path if path.startswith("/api/") else "/api/v1" + path
                if (method.upper(), full) in KIOSK_ROUTES or operation.get("security") == []:
                    continue
                concrete = full
                while "{" in concrete:
                    start = concrete.index("{")
                    concrete = concrete[:start] + "1" + concrete[concrete.index("}") + 1:]
                body = {} if method in {"post", "put", "patch"} else None
                response = self.kiosk.request(method.upper(), concrete, body)
                self.assertReason(response, 403, "kiosk_not_allowed")
                checked += 1
        self.assertGreater(checked, 40)
        # A kiosk device cannot enable another, nor reach its own device list.
        self.assertReason(self.kiosk.post("/kiosk-devices", {"name": "x"}), 403, "kiosk_not_allowed")

    def test_only_managers_enable_devices_and_a_disabled_device_is_refused_at_once(self):
        staff = self.server.client(self.staff_token)
        self.assertError(staff.post("/kiosk-devices", {"name": "몰래"}), 403)
        self.assertError(self.owner.post("/kiosk-devices", {"name": ""}), 400, field="name")
        devices = self.owner.get("/kiosk-devices").json["items"]
        self.assertIn(self.device_id, [d["id"] for d in devices])
        self.assertNotIn("token", devices[0])
        self.assertEqual(self.kiosk.get("/kiosk/notices").status, 200)
        self.assertEqual(self.owner.post(f"/kiosk-devices/{self.device_id}/disable").status, 204)
        self.assertError(self.kiosk.get("/kiosk/notices"), 401)
        # Staff may use the kiosk routes too (a tablet signed in as staff).
        self.assertEqual(staff.get(f"/kiosk/lookup?phone={fresh_phone()}").status, 200)


if __name__ == "__main__":
    unittest.main()
