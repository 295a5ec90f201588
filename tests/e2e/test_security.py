"""Credentials end when their holder changes, and limits hold per account, per client and per
device: a new password, a new role or a disabled account ends that staff member's sessions at once;
disabling also revokes the API tokens they created. Owners list tokens with their last use and
revoke them (API and CLI); a revoked token fails at once. Passwords follow the policy (10
characters, not common). Login failures are limited per account and per client address, the
address taken from X-Forwarded-For only when the peer is a trusted proxy, with Retry-After on the
429. A kiosk credential's lookups are limited per device. Runs on SQLite, and on PostgreSQL with
DANGOL_E2E_BACKEND=postgres."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, items_of, run_cli, unique  # noqa: E402

STAFF_PASSWORD = "counter shift morning"


class SessionTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "sessions")

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)

    def new_account(self, role="staff", password=STAFF_PASSWORD):
        email = f"{unique(role)}@example.com"
        created = self.owner.post("/staff", {"email": email, "display_name": "직원", "password": password,
                                             "role": role})
        self.assertEqual(created.status, 201, created)
        session = self.server.client()
        login = session.login(email, password, business=self.tenant.slug)
        self.assertEqual(login.status, 200, login)
        self.assertEqual(session.get("/auth/me").status, 200)
        return created.json["id"], email, session

    def test_a_new_password_ends_the_old_session_at_once(self):
        staff_id, email, session = self.new_account()
        changed = self.owner.patch(f"/staff/{staff_id}", {"password": "a different morning"})
        self.assertEqual(changed.status, 200, changed)
        self.assertError(session.get("/auth/me"), 401)
        again = self.server.client()
        self.assertEqual(again.login(email, "a different morning", business=self.tenant.slug).status, 200)
        self.assertEqual(again.get("/auth/me").status, 200)

    def test_a_new_role_ends_the_session_so_the_old_role_is_never_used_again(self):
        staff_id, _, session = self.new_account(role="manager")
        self.assertEqual(session.get("/auth/me").json["role"], "manager")
        changed = self.owner.patch(f"/staff/{staff_id}", {"role": "staff"})
        self.assertEqual(changed.status, 200, changed)
        self.assertError(session.get("/auth/me"), 401)
        self.assertError(session.get("/customers"), 401)

    def test_disabling_an_account_ends_its_sessions_and_revokes_its_tokens(self):
        owner_id, _, session = self.new_account(role="owner")
        made = session.post("/tokens", {"role": "staff", "name": "their pos"})
        self.assertEqual(made.status, 201, made)
        their_token = self.server.client(made.json["token"])
        self.assertEqual(their_token.get("/customers").status, 200)
        cli_token = self.server.client(self.tenant.token("staff"))  # made on the command line: no creator
        self.assertEqual(cli_token.get("/customers").status, 200)

        disabled = self.owner.patch(f"/staff/{owner_id}", {"active": False})
        self.assertEqual(disabled.status, 200, disabled)
        self.assertError(session.get("/auth/me"), 401)
        self.assertError(their_token.get("/customers"), 401)
        self.assertEqual(cli_token.get("/customers").status, 200)
        listed = {token["name"]: token for token in items_of(self.owner.get("/tokens").json)}
        self.assertIsNotNone(listed["their pos"]["revoked_at"])
        self.assertEqual(listed["their pos"]["created_by"], owner_id)

    def test_other_changes_keep_the_session(self):
        staff_id, _, session = self.new_account()
        self.assertEqual(self.owner.patch(f"/staff/{staff_id}", {"display_name": "새 이름"}).status, 200)
        self.assertEqual(session.get("/auth/me").status, 200)

    def test_passwords_follow_the_policy(self):
        for password, words in (("short-pw", "10 characters"), ("1234567890", "common"),
                                ("Password123!", "common"), ("zzzzzzzzzzzz", "repeated")):
            with self.subTest(password=password):
                response = self.owner.post("/staff", {"email": f"{unique('pw')}@example.com",
                                                      "display_name": "직원", "password": password})
                self.assertError(response, 400, field="password")
                self.assertIn(words, response.json["error"]["message"])


class TokenTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "tokens")

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)

    def token_named(self, name):
        for token in items_of(self.owner.get("/tokens").json):
            if token["name"] == name:
                return token
        raise AssertionError(f"no token named {name}")

    def test_owners_list_tokens_with_their_last_use_and_never_a_secret(self):
        made = self.owner.post("/tokens", {"role": "staff", "name": "pos-1"})
        self.assertEqual(made.status, 201, made)
        self.assertIsNone(self.token_named("pos-1")["last_used_at"])
        self.assertEqual(self.server.client(made.json["token"]).get("/customers").status, 200)
        listed = self.owner.get("/tokens")
        self.assertEqual(listed.status, 200, listed)
        self.assertNotIn(made.json["token"], listed.text)
        self.assertNotIn("hash", listed.text)
        pos = self.token_named("pos-1")
        self.assertIsNotNone(pos["last_used_at"])
        self.assertEqual(pos["role"], "staff")
        self.assertIsNone(pos["revoked_at"])

    def test_a_revoked_token_fails_at_once(self):
        made = self.owner.post("/tokens", {"role": "manager", "name": "to-revoke"})
        client = self.server.client(made.json["token"])
        self.assertEqual(client.get("/customers").status, 200)  # now cached by the server
        revoked = self.owner.delete(f"/tokens/{self.token_named('to-revoke')['id']}")
        self.assertEqual(revoked.status, 204, revoked)
        self.assertError(client.get("/customers"), 401)
        self.assertIsNotNone(self.token_named("to-revoke")["revoked_at"])
        self.assertError(self.owner.delete(f"/tokens/{self.token_named('to-revoke')['id']}"), 404)

    def test_only_owners_see_or_revoke_tokens(self):
        manager = self.server.client(self.tenant.token("manager"))
        self.assertError(manager.get("/tokens"), 403)
        self.assertError(manager.delete(f"/tokens/{self.token_named('e2e owner')['id']}"), 403)

    def test_the_command_line_lists_and_revokes_tokens(self):
        secret = self.tenant.token("staff")
        listed = run_cli(["token", "list", "--db", self.db_url, "--business", self.tenant.slug]).stdout
        self.assertNotIn(secret, listed)
        rows = [line.split("\t") for line in listed.strip().split("\n")]
        self.assertEqual(rows[0][:3], ["id", "name", "role"])
        token_id = max(int(row[0]) for row in rows[1:])
        revoked = run_cli(["token", "revoke", "--db", self.db_url, "--business", self.tenant.slug,
                           "--id", str(token_id)])
        self.assertIn(f"token {token_id} revoked", revoked.stdout)
        self.assertError(self.server.client(secret).get("/customers"), 401)
        again = run_cli(["token", "revoke", "--db", self.db_url, "--business", self.tenant.slug,
                         "--id", str(token_id)], expect_success=False)
        self.assertEqual(again.returncode, 2, again.stderr)


class TrustedProxyLoginLimitTests(ServerTestCase):
    """Its own server, behind a "proxy" at 127.0.0.1: the failures it provokes block addresses."""

    server_arguments = ("--trusted-proxy", "127.0.0.1")

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "proxy")

    def login_from(self, address, email, password):
        return self.server.client().post("/auth/login", {"email": email, "password": password},
                                         headers={"X-Forwarded-For": address})

    def test_failures_are_counted_per_forwarded_client_with_retry_after(self):
        statuses = []
        for attempt in range(15):
            response = self.login_from("198.51.100.1", f"guess{attempt}.{self.tenant.email}", "wrong password")
            statuses.append(response.status)
            if response.status == 429:
                break
        self.assertEqual(statuses[-1], 429, statuses)
        retry_after = int(response.header("Retry-After"))
        self.assertTrue(1 <= retry_after <= 900, retry_after)
        # Another client behind the same proxy still signs in.
        self.assertEqual(self.login_from("198.51.100.2", self.tenant.email, self.tenant.password).status, 200)
        # A client cannot escape its own limit by writing a header the proxy then appends to.
        self.assertError(self.login_from("203.0.113.5, 198.51.100.1", self.tenant.email, "wrong password"), 429)


class AccountLoginLimitTests(ServerTestCase):
    """Its own server: failures for one account from many addresses lock that account only."""

    server_arguments = ("--trusted-proxy", "127.0.0.1")

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "account")

    def test_failures_for_one_account_from_many_addresses_are_limited(self):
        statuses = []
        for attempt in range(15):
            response = self.server.client().post(
                "/auth/login", {"email": self.tenant.email, "password": "wrong password"},
                headers={"X-Forwarded-For": f"198.51.100.{attempt + 10}"})
            statuses.append(response.status)
            if response.status == 429:
                break
        self.assertEqual(statuses[-1], 429, statuses)
        self.assertIsNotNone(response.header("Retry-After"))


class ListPrivacyTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "lists")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)
        cls.staff = cls.server.client(cls.tenant.token("staff"))
        cls.manager = cls.server.client(cls.tenant.token("manager"))
        created = cls.owner.post("/customers", {"name": "김단골", "phone": "010-4321-8765",
                                                "email": "dangol@example.com", "address": "서울 마포구",
                                                "birthday": {"date": "1990-03-15", "calendar": "solar"}})
        if created.status != 201:
            raise AssertionError(f"POST /customers: {created!r}")
        cls.customer_id = created.json["id"]

    def list_entries(self):
        return [entry for entry in items_of(self.owner.get("/access-log?limit=200").json) if entry["action"] == "list"]

    def test_lists_mask_personal_data_by_default(self):
        for client in (self.staff, self.manager, self.owner):
            item = items_of(client.get("/customers").json)[0]
            self.assertEqual(item["name"], "김단골")
            self.assertIsNone(item["phone"])
            self.assertEqual(item["phone_masked"], "010-****-8765")
            self.assertNotEqual(item["email"], "dangol@example.com")
            self.assertIsNone(item["birthday"])
            self.assertIsNone(item.get("address"))

    def test_unmasking_is_for_managers_and_owners(self):
        self.assertError(self.staff.get("/customers?unmask=true"), 403)
        self.assertError(self.staff.get("/customers?unmask=yes"), 400, field="unmask")
        for client in (self.manager, self.owner):
            item = items_of(client.get("/customers?unmask=true").json)[0]
            self.assertEqual(item["phone"], "+821043218765")
            self.assertEqual(item["email"], "dangol@example.com")

    def test_every_list_read_is_in_the_access_log_with_its_count(self):
        before = len(self.list_entries())
        self.assertEqual(self.staff.get("/customers").status, 200)
        self.assertEqual(self.manager.get("/customers?unmask=true").status, 200)
        segment = self.owner.post("/segments", {"name": unique("모두"), "filter": {}})
        self.assertEqual(segment.status, 201, segment)
        self.assertEqual(self.manager.get(f"/segments/{segment.json['id']}/customers").status, 200)
        entries = self.list_entries()[: len(self.list_entries()) - before]
        details = sorted(entry["detail"] for entry in entries)
        self.assertEqual(details, sorted(["customers: 1 customers, masked", "customers: 1 customers, unmasked",
                                          f"segment {segment.json['id']}: 1 customers, masked"]))
        self.assertTrue(all(entry["customer_id"] is None for entry in entries))


class KioskLimitTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "kiosk-limit")

    def test_a_kiosk_credential_cannot_enumerate_numbers(self):
        owner = self.server.client(self.tenant.owner_token)
        devices = [owner.post("/kiosk-devices", {"name": name}).json["token"] for name in ("입구", "창가")]
        kiosk = self.server.client(devices[0])
        statuses = [kiosk.get(f"/kiosk/lookup?phone=010{55550000 + i}").status for i in range(25)]
        self.assertEqual(statuses[:20], [200] * 20)
        self.assertEqual(statuses[20:], [429] * 5)
        refused = kiosk.get("/kiosk/lookup?phone=01055559999")
        self.assertError(refused, 429)
        self.assertTrue(1 <= int(refused.header("Retry-After")) <= 60)
        # The limit is the device's own.
        self.assertEqual(self.server.client(devices[1]).get("/kiosk/lookup?phone=01055550001").status, 200)


if __name__ == "__main__":
    unittest.main()
