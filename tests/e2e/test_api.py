"""End-to-end tests of the /api/v1 JSON API: accounts and security, customers, counter lookup,
profiles, notes, orders and refunds, prospects, roles, the access log, pagination, the OpenAPI
document, and bad input of every kind. Each class runs its own `dangol serve` on its own business."""

import os
import re
import sys
import threading
import unittest
import unicodedata
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import (  # noqa: E402
    ServerTestCase, Tenant, items_of, raw_exchange, sale, unique, walk_pages)


def create_customer(client, name, phone=None, **fields):
    """POST /customers; fails the test unless it answers 201. Returns the customer."""
    body = {"name": name, **fields}
    if phone is not None:
        body["phone"] = phone
    response = client.post("/customers", body)
    if response.status != 201:
        raise AssertionError(f"POST /customers {body}: {response!r}")
    return response.json


def create_branch(client, name=None):
    """POST /branches; fails the test unless it succeeds. Returns the branch id."""
    response = client.post("/branches", {"name": name or unique("지점")})
    if response.status not in (200, 201):
        raise AssertionError(f"POST /branches: {response!r}")
    return response.json["id"]


class TenantServerTestCase(ServerTestCase):
    """A server with one business (`tenant`) and an owner client."""

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, cls.__name__.lower()[:20])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)

    def session(self, email=None, password=None):
        client = self.server.client()
        response = client.login(email or self.tenant.email, password or self.tenant.password)
        self.assertEqual(response.status, 200, f"login: {response!r}")
        return client


class AuthTests(TenantServerTestCase):
    # At most three failed logins happen in this class, below the rate limit of the address.

    def test_login_sets_an_http_only_same_site_strict_session_cookie(self):
        response = self.server.client().post(
            "/auth/login", {"email": self.tenant.email, "password": self.tenant.password})
        self.assertEqual(response.status, 200, response)
        cookies = [c for c in response.header_values("Set-Cookie") if c.startswith("dangol_session=")]
        self.assertEqual(len(cookies), 1, response.headers)
        attributes = [part.strip().lower() for part in cookies[0].split(";")[1:]]
        self.assertIn("httponly", attributes)
        self.assertIn("samesite=strict", attributes)
        self.assertIn("path=/", attributes, "the cookie must reach every /api/v1 route")
        self.assertTrue(len(cookies[0].split(";")[0]) > len("dangol_session=") + 20, "weak session value")
        self.assertIsInstance(response.json.get("csrf_token"), str)
        self.assertGreater(len(response.json["csrf_token"]), 20)
        self.assertNotIn(response.json["csrf_token"], cookies[0], "the CSRF token must not be the cookie")

    def test_me_names_the_logged_in_staff_member_and_business(self):
        client = self.session()
        response = client.get("/auth/me")
        self.assertEqual(response.status, 200, response)
        self.assertIn(self.tenant.email, response.text)
        self.assertIn(self.tenant.slug, response.text)

    def test_login_email_is_case_insensitive_and_accepts_the_business_slug(self):
        client = self.server.client()
        response = client.login(self.tenant.email.upper(), self.tenant.password, business=self.tenant.slug)
        self.assertEqual(response.status, 200, response)
        self.assertEqual(client.get("/auth/me").status, 200)

    def test_logout_ends_the_session(self):
        client = self.session()
        old_session = client.session
        response = client.post("/auth/logout")
        self.assertIn(response.status, (200, 204), response)
        replaced = [c for c in response.header_values("Set-Cookie") if c.startswith("dangol_session=")]
        self.assertTrue(replaced, "logout must clear the cookie")
        self.assertTrue(any("max-age=0" in c.lower() or "expires=" in c.lower() for c in replaced), replaced)
        client.session = old_session
        self.assertError(client.get("/auth/me"), 401)
        self.assertError(client.get("/customers"), 401)

    def test_wrong_password_and_unknown_email_both_get_401(self):
        wrong = self.server.client().post("/auth/login", {"email": self.tenant.email, "password": "nope-nope"})
        unknown = self.server.client().post(
            "/auth/login", {"email": "nobody-" + self.tenant.email, "password": "nope-nope"})
        self.assertError(wrong, 401)
        self.assertError(unknown, 401)
        self.assertEqual(wrong.json["error"]["message"], unknown.json["error"]["message"],
                         "the answer must not tell whether the e-mail exists")
        self.assertIsNone(wrong.header("Set-Cookie"))

    def test_login_to_another_business_slug_gets_401(self):
        response = self.server.client().login(self.tenant.email, self.tenant.password,
                                              business=unique("no-such-shop"))
        self.assertError(response, 401)

    def test_login_without_password_is_400_naming_the_field(self):
        response = self.server.client().post("/auth/login", {"email": self.tenant.email})
        self.assertError(response, 400, field="password")

    def test_requests_without_credentials_get_401(self):
        anonymous = self.server.client()
        for method, path in [("GET", "/customers"), ("POST", "/customers"), ("GET", "/business"),
                             ("GET", "/auth/me"), ("GET", "/customers/lookup?q=5678"),
                             ("POST", "/orders"), ("GET", "/access-log"), ("GET", "/staff")]:
            with self.subTest(route=f"{method} {path}"):
                self.assertError(anonymous.request(method, path, body={} if method == "POST" else None), 401)

    def test_unknown_or_malformed_bearer_token_gets_401(self):
        for header in ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000]:
            with self.subTest(header=header[:30]):
                response = self.server.client().get("/customers", headers={"Authorization": header})
                self.assertError(response, 401)

    def test_unknown_session_cookie_gets_401(self):
        client = self.server.client()
        client.session = "forged-session-value"
        self.assertError(client.get("/customers"), 401)

    def test_health_needs_no_credentials(self):
        self.assertEqual(self.server.client().get("/health").status, 200)

    def test_cookie_writes_without_the_csrf_header_are_403(self):
        client = self.session()
        customer = create_customer(self.owner, "최예린", "010-7000-0001")
        preference = self.owner.post(f"/customers/{customer['id']}/preferences", {"kind": "allergy", "subject": "게"})
        self.assertIn(preference.status, (200, 201), preference)
        writes = [("DELETE", f"/customers/{customer['id']}/preferences/{preference.json['id']}", None),("POST", "/branches", {"name": unique("지점")}),
                  ("POST", "/customers", {"name": "박민수", "phone": "010-7000-0002"}),
                  ("PATCH", f"/customers/{customer['id']}", {"name": "최예나"}),
                  ("POST", f"/customers/{customer['id']}/notes", {"text": "메모"}),
                  ("POST", "/auth/logout", {})]
        for method, path, body in writes:
            with self.subTest(route=f"{method} {path}", csrf="missing"):
                self.assertError(client.request(method, path, body=body, csrf=False), 403)
            with self.subTest(route=f"{method} {path}", csrf="wrong"):
                response = client.request(method, path, body=body, csrf=False,
                                          headers={"X-CSRF-Token": "x" + (client.csrf_token or "")})
                self.assertError(response, 403)
        unchanged = self.owner.get(f"/customers/{customer['id']}").json
        self.assertEqual(unchanged["name"], "최예린")
        self.assertEqual(len(unchanged["alerts"]), 1, "the refused DELETE must not delete")
        self.assertEqual(client.get("/auth/me").status, 200, "the refused logout must not end the session")

    def test_cookie_writes_with_the_csrf_header_succeed(self):
        client = self.session()
        response = client.post("/branches", {"name": unique("지점")})
        self.assertIn(response.status, (200, 201), response)

    def test_bearer_writes_need_no_csrf_header(self):
        response = self.owner.post("/branches", {"name": unique("지점")})
        self.assertIn(response.status, (200, 201), response)

    def test_cookie_reads_need_no_csrf_header(self):
        client = self.session()
        self.assertEqual(client.get("/customers", csrf=False).status, 200)

    def test_business_is_the_callers_own(self):
        response = self.owner.get("/business")
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.json["slug"], self.tenant.slug)
        self.assertEqual(response.json["name"], self.tenant.name)


class LoginRateLimitTests(TenantServerTestCase):
    """Its own server, because the failures it provokes block the address for a while."""

    def test_repeated_wrong_passwords_are_refused_with_429(self):
        statuses = []
        for _ in range(12):
            response = self.server.client().post(
                "/auth/login", {"email": self.tenant.email, "password": "wrong password"})
            statuses.append(response.status)
            if response.status == 429:
                self.assertJsonError(response)
                break
            self.assertError(response, 401)
        self.assertEqual(statuses[-1], 429, f"no 429 after {len(statuses)} wrong passwords: {statuses}")
        self.assertGreaterEqual(len(statuses), 3, f"locked out too early: {statuses}")
        # While locked, even the right password is refused: otherwise guessing just continues.
        response = self.server.client().post(
            "/auth/login", {"email": self.tenant.email, "password": self.tenant.password})
        self.assertError(response, 429)
        self.assertIsNone(response.header("Set-Cookie"))
        # API tokens are not affected.
        self.assertEqual(self.owner.get("/customers").status, 200)


class LoginRateLimitPerAddressTests(TenantServerTestCase):
    """Its own server: guessing across many e-mails from one address is limited too."""

    def test_wrong_logins_for_many_emails_from_one_address_are_refused_with_429(self):
        statuses = []
        for attempt in range(15):
            response = self.server.client().post(
                "/auth/login", {"email": f"guess{attempt}.{self.tenant.email}", "password": "wrong password"})
            statuses.append(response.status)
            if response.status == 429:
                self.assertJsonError(response)
                break
            self.assertError(response, 401)
        self.assertEqual(statuses[-1], 429, f"no 429 after {len(statuses)} failed logins: {statuses}")


class CustomerTests(TenantServerTestCase):

    def test_each_accepted_phone_format_is_stored_as_e164(self):
        cases = {"010-2345-0001": "+821023450001", "+82 10 2345 0002": "+821023450002",
                 "821023450003": "+821023450003", "1023450004": "+821023450004",
                 "01023450005": "+821023450005", "(010) 2345.0006": "+821023450006"}
        for written, e164 in cases.items():
            with self.subTest(phone=written):
                customer = create_customer(self.owner, "한지민", written)
                self.assertEqual(customer["phone"], e164)
                self.assertEqual(customer["phone_masked"], f"010-****-{e164[-4:]}")
                self.assertEqual(self.owner.get(f"/customers/{customer['id']}").json["phone"], e164)

    def test_one_number_in_another_format_conflicts_with_409_naming_phone(self):
        first = create_customer(self.owner, "김철수", "010-1234-5678")
        self.assertEqual(first["phone"], "+821012345678")
        for written in ["+82 10 1234 5678", "821012345678", "1012345678", "01012345678", "010-1234-5678"]:
            with self.subTest(phone=written):
                response = self.owner.post("/customers", {"name": "김철수", "phone": written})
                self.assertError(response, 409, field="phone")

    def test_invalid_phone_is_400_naming_phone(self):
        for written in ["12345", "010-1234-567", "abc-defg-hijk", "010-1234-5678-9999-1",
                        "900101-1234567", "+", "010\u00001234\u00005678"]:
            with self.subTest(phone=written):
                response = self.owner.post("/customers", {"name": "오류", "phone": written})
                self.assertError(response, 400, field="phone")

    def test_profile_fields_round_trip_and_are_normalised(self):
        nfd_name = unicodedata.normalize("NFD", "정다은")
        body = {"name": nfd_name, "phone": "010-2345-1001", "email": "Da.Eun@Example.COM",
                "birthday": {"date": "1990-03-15", "calendar": "lunar", "leap_month": False},
                "gender": "female", "anniversaries": [{"label": "결혼기념일", "date": "2015-10-03"}],
                "tags": ["vip", "단골"], "source": "counter", "address": "서울 마포구",
                "consents": [{"channel": "sms", "granted": True, "source": "counter"},
                             {"channel": "night", "granted": False, "source": "counter"}]}
        created = self.owner.post("/customers", body)
        self.assertEqual(created.status, 201, created)
        customer = self.owner.get(f"/customers/{created.json['id']}").json
        self.assertEqual(customer["name"], "정다은")
        self.assertEqual(customer["name"], unicodedata.normalize("NFC", customer["name"]))
        self.assertEqual(customer["family_name"], "정")
        self.assertEqual(customer["email"], "da.eun@example.com")
        self.assertEqual(customer["birthday"]["date"], "1990-03-15")
        self.assertEqual(customer["birthday"]["calendar"], "lunar")
        self.assertEqual(customer["gender"], "female")
        self.assertEqual([(a["label"], a["date"]) for a in customer["anniversaries"]], [("결혼기념일", "2015-10-03")])
        self.assertEqual(sorted(customer["tags"]), sorted(["vip", "단골"]))
        self.assertEqual(customer["address"], "서울 마포구")
        consents = {c["channel"]: c for c in customer["consents"]}
        self.assertTrue(consents["sms"]["granted"])
        self.assertFalse(consents["night"]["granted"])
        self.assertTrue(consents["sms"].get("at"), "a consent carries its date")
        self.assertEqual(customer["stage"], "prospect")
        self.assertEqual(customer["visit_count"], 0)
        self.assertEqual(customer["total_spend"], 0)
        self.assertIsNone(customer["last_visit_at"])

    def test_compound_surnames_split_correctly(self):
        for name, family, given in [("남궁민", "남궁", "민"), ("황보영", "황보", "영"), ("제갈성렬", "제갈", "성렬"),
                                    ("선우진", "선우", "진"), ("독고영재", "독고", "영재"), ("김철수", "김", "철수")]:
            with self.subTest(name=name):
                customer = create_customer(self.owner, name)
                self.assertEqual(customer["family_name"], family)
                self.assertEqual(customer["given_name"], given)

    def test_text_that_looks_like_sql_is_stored_verbatim(self):
        name = "Robert'); DROP TABLE customers;--"
        customer = create_customer(self.owner, name, address="' OR '1'='1", tags=["x' OR 1=1 --"])
        stored = self.owner.get(f"/customers/{customer['id']}").json
        self.assertEqual((stored["name"], stored["address"], stored["tags"]),
                         (name, "' OR '1'='1", ["x' OR 1=1 --"]))
        self.assertEqual(self.owner.get("/customers?limit=1").status, 200)

    def test_patch_changes_only_the_fields_given(self):
        customer = create_customer(self.owner, "윤서연", "010-2345-2001", email="yoon@example.com")
        response = self.owner.patch(f"/customers/{customer['id']}", {"name": "윤서영", "phone": "+82 10 2345 2002"})
        self.assertEqual(response.status, 200, response)
        stored = self.owner.get(f"/customers/{customer['id']}").json
        self.assertEqual(stored["name"], "윤서영")
        self.assertEqual(stored["phone"], "+821023452002")
        self.assertEqual(stored["email"], "yoon@example.com")

    def test_patch_to_another_customers_phone_is_409(self):
        create_customer(self.owner, "강하늘", "010-2345-3001")
        other = create_customer(self.owner, "강바다", "010-2345-3002")
        response = self.owner.patch(f"/customers/{other['id']}", {"phone": "01023453001"})
        self.assertError(response, 409, field="phone")
        self.assertEqual(self.owner.get(f"/customers/{other['id']}").json["phone"], "+821023453002")

    def test_patch_with_invalid_phone_is_400_and_changes_nothing(self):
        customer = create_customer(self.owner, "임수정", "010-2345-4001")
        self.assertError(self.owner.patch(f"/customers/{customer['id']}", {"name": "임수진", "phone": "010"}),
                         400, field="phone")
        self.assertEqual(self.owner.get(f"/customers/{customer['id']}").json["name"], "임수정")

    def test_unknown_customer_is_404(self):
        self.assertError(self.owner.get("/customers/987654321"), 404)
        self.assertError(self.owner.patch("/customers/987654321", {"name": "없음"}), 404)

    def test_malformed_json_is_400_naming_the_body(self):
        for raw in [b'{"name": "\xea\xb9\x80', b"{name: 1}", b'{"name": "a",}', b"[1, 2", b"nul"]:
            with self.subTest(body=raw):
                self.assertError(self.owner.post("/customers", raw=raw), 400, field="body")

    def test_body_over_one_mebibyte_is_413(self):
        body = b'{"name": "' + b"a" * ((1 << 20) + 1024) + b'"}'
        request = (f"POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"Authorization: Bearer {self.tenant.owner_token}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
        status, headers, response_body = raw_exchange(self.server.port, request)
        self.assertEqual(status, 413, response_body[:300])
        self.assertIn(b'"error"', response_body)
        self.assertServerAlive()

    def test_chunked_body_over_one_mebibyte_is_413(self):
        chunk = b"a" * 65536
        body = b'{"name": "'
        request = (f"POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"Authorization: Bearer {self.tenant.owner_token}\r\nContent-Type: application/json\r\n"
                   f"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
        request += b"%x\r\n%s\r\n" % (len(body), body)
        for _ in range(20):
            request += b"%x\r\n%s\r\n" % (len(chunk), chunk)
        request += b'2\r\n"}\r\n0\r\n\r\n'
        status, _, response_body = raw_exchange(self.server.port, request)
        self.assertEqual(status, 413, response_body[:300])
        self.assertServerAlive()


class LookupTests(TenantServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ids = {}
        for name, phone in [("김철수", "010-1234-5678"), ("박영희", "010-2222-5678"), ("이민호", "010-3333-5678"),
                            ("김철민", "010-4444-1111"), ("박철수", "010-6666-3333"), ("남궁민", "010-5555-2222")]:
            cls.ids[name] = create_customer(cls.owner, name, phone)["id"]
        allergy = cls.owner.post(f"/customers/{cls.ids['김철수']}/preferences", {"kind": "allergy", "subject": "땅콩"})
        if allergy.status not in (200, 201):
            raise AssertionError(f"adding an allergy: {allergy!r}")

    def lookup(self, query):
        response = self.owner.get("/customers/lookup?q=" + urllib.parse.quote(query))
        self.assertEqual(response.status, 200, f"lookup {query!r}: {response!r}")
        return response

    def test_last_four_digits_list_every_match_masked_and_never_choose(self):
        response = self.lookup("5678")
        self.assertEqual(response.json["matched_by"], "last4")
        items = response.json["items"]
        self.assertEqual(sorted(item["id"] for item in items),
                         sorted([self.ids["김철수"], self.ids["박영희"], self.ids["이민호"]]))
        self.assertEqual(sorted(item["name"] for item in items), sorted(["김*수", "박*희", "이*호"]))
        for item in items:
            self.assertEqual(item["phone"], "010-****-5678")
            for key in ["id", "name", "phone", "last_visit_at", "visit_count", "stage", "tier", "alerts"]:
                self.assertIn(key, item)
        for secret in ["김철수", "박영희", "이민호", "+821012345678", "01012345678", "1234", "2222", "3333"]:
            self.assertNotIn(secret, response.text, "the pick list must not reveal full names or numbers")

    def test_a_single_last_four_match_is_still_a_pick_list(self):
        response = self.lookup("1111")
        self.assertEqual(response.json["matched_by"], "last4")
        self.assertEqual([item["id"] for item in response.json["items"]], [self.ids["김철민"]])
        self.assertNotIn("preferences", response.json["items"][0])

    def test_whole_phone_number_in_any_format_finds_one_customer(self):
        for written in ["010-1234-5678", "01012345678", "+82 10 1234 5678", "821012345678", "1012345678"]:
            with self.subTest(query=written):
                response = self.lookup(written)
                self.assertEqual(response.json["matched_by"], "phone")
                self.assertEqual([item["id"] for item in response.json["items"]], [self.ids["김철수"]])
                self.assertEqual(response.json["items"][0]["name"], "김*수")

    def test_unknown_phone_number_finds_nobody(self):
        response = self.lookup("010-9876-0000")
        self.assertEqual(response.json["items"], [])

    def test_name_prefix_finds_the_names_that_start_with_it(self):
        response = self.lookup("김철")
        self.assertEqual(response.json["matched_by"], "name")
        self.assertEqual(sorted(item["id"] for item in response.json["items"]),
                         sorted([self.ids["김철수"], self.ids["김철민"]]))
        response = self.lookup("남궁")
        self.assertEqual([item["id"] for item in response.json["items"]], [self.ids["남궁민"]])
        self.assertEqual(response.json["items"][0]["name"], "남궁*")

    def test_initial_consonants_find_the_matching_name_only(self):
        response = self.lookup("ㄱㅊㅅ")
        self.assertEqual(response.json["matched_by"], "initials")
        self.assertEqual([item["id"] for item in response.json["items"]], [self.ids["김철수"]])
        response = self.lookup("ㅂㅊ")
        self.assertEqual(response.json["matched_by"], "initials")
        self.assertEqual([item["id"] for item in response.json["items"]], [self.ids["박철수"]])

    def test_nfd_query_finds_the_nfc_name(self):
        query = unicodedata.normalize("NFD", "김철수")
        self.assertNotEqual(query, "김철수")
        response = self.lookup(query)
        self.assertEqual([item["id"] for item in response.json["items"]], [self.ids["김철수"]])
        response = self.lookup(unicodedata.normalize("NFD", "김철"))
        self.assertEqual(len(response.json["items"]), 2)

    def test_pick_list_shows_alerts(self):
        item = self.lookup("010-1234-5678").json["items"][0]
        self.assertEqual([alert["subject"] for alert in item["alerts"]], ["땅콩"])
        self.assertEqual(item["alerts"][0]["kind"], "allergy")

    def test_search_wildcards_in_the_query_match_only_themselves(self):
        for query in ["%", "_", "김%", "김_", "%수", "\\", "*"]:
            with self.subTest(query=query):
                response = self.owner.get("/customers/lookup?q=" + urllib.parse.quote(query))
                if response.status == 200:
                    self.assertEqual(response.json["items"], [], f"{query!r} matched names it is not a prefix of")
                else:
                    self.assertError(response, 400, field="q")

    def test_tag_filter_wildcards_match_only_themselves(self):
        create_customer(self.owner, "와일드", tags=["abc"])
        for tag in ["%", "_bc", "a%", "*"]:
            with self.subTest(tag=tag):
                response = self.owner.get("/customers?tag=" + urllib.parse.quote(tag))
                self.assertEqual((response.status, response.json["items"]), (200, []), response)

    def test_empty_or_blank_query_is_400_naming_q(self):
        for url in ["/customers/lookup", "/customers/lookup?q=", "/customers/lookup?q=%20%20"]:
            with self.subTest(url=url):
                self.assertError(self.owner.get(url), 400, field="q")


class ProfileTests(TenantServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch_id = create_branch(cls.owner)

    def add_preference(self, customer_id, kind, subject):
        response = self.owner.post(f"/customers/{customer_id}/preferences", {"kind": kind, "subject": subject})
        self.assertIn(response.status, (200, 201), response)
        self.assertEqual(response.json["kind"], kind)
        return response.json["id"]

    def test_full_profile_starts_with_alerts_and_lists_allergy_and_never_first(self):
        customer = create_customer(self.owner, "이영희", "010-3456-0001")
        self.add_preference(customer["id"], "like", "아메리카노")
        self.add_preference(customer["id"], "allergy", "땅콩")
        self.add_preference(customer["id"], "dislike", "고수")
        self.add_preference(customer["id"], "never", "참기름")
        self.add_preference(customer["id"], "like", "window seat")
        response = self.owner.get(f"/customers/{customer['id']}")
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.top_level_keys()[0], "alerts", response.text[:200])
        self.assertLess(response.text.index('"alerts"'), response.text.index('"id"'))
        self.assertLess(response.text.index('"alerts"'), response.text.index('"name"'))
        alerts = response.json["alerts"]
        self.assertEqual(sorted((a["kind"], a["subject"]) for a in alerts),
                         [("allergy", "땅콩"), ("never", "참기름")])
        kinds = [p["kind"] for p in response.json["preferences"]]
        self.assertEqual(len(kinds), 5)
        self.assertEqual(sorted(kinds[:2]), ["allergy", "never"], kinds)
        self.assertEqual(sorted(kinds[2:]), ["dislike", "like", "like"], kinds)

    def test_customer_without_alerts_has_an_empty_alert_list_first(self):
        customer = create_customer(self.owner, "조민준", "010-3456-0002")
        response = self.owner.get(f"/customers/{customer['id']}")
        self.assertEqual(response.top_level_keys()[0], "alerts")
        self.assertEqual(response.json["alerts"], [])

    def test_patch_answer_shows_alerts_first_too(self):
        customer = create_customer(self.owner, "배수지", "010-3456-0003")
        self.add_preference(customer["id"], "allergy", "우유")
        response = self.owner.patch(f"/customers/{customer['id']}", {"address": "부산"})
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.top_level_keys()[0], "alerts")
        self.assertEqual([a["subject"] for a in response.json["alerts"]], ["우유"])

    def test_deleted_preference_disappears_and_deleting_again_is_404(self):
        customer = create_customer(self.owner, "신동엽", "010-3456-0004")
        preference_id = self.add_preference(customer["id"], "allergy", "새우")
        response = self.owner.delete(f"/customers/{customer['id']}/preferences/{preference_id}")
        self.assertIn(response.status, (200, 204), response)
        self.assertEqual(self.owner.get(f"/customers/{customer['id']}").json["alerts"], [])
        self.assertError(self.owner.delete(f"/customers/{customer['id']}/preferences/{preference_id}"), 404)

    def test_preference_of_another_customer_cannot_be_deleted_through_this_one(self):
        first = create_customer(self.owner, "유재석", "010-3456-0005")
        second = create_customer(self.owner, "유재훈", "010-3456-0006")
        preference_id = self.add_preference(first["id"], "never", "술")
        self.assertError(self.owner.delete(f"/customers/{second['id']}/preferences/{preference_id}"), 404)
        self.assertEqual(len(self.owner.get(f"/customers/{first['id']}").json["alerts"]), 1)

    def test_bad_preference_is_400(self):
        customer = create_customer(self.owner, "하정우", "010-3456-0007")
        path = f"/customers/{customer['id']}/preferences"
        self.assertError(self.owner.post(path, {"kind": "hate", "subject": "x"}), 400, field="kind")
        self.assertError(self.owner.post(path, {"kind": "like"}), 400, field="subject")
        self.assertError(self.owner.post(path, {"kind": "like", "subject": "   "}), 400, field="subject")

    def test_pinned_notes_come_first(self):
        customer = create_customer(self.owner, "송혜교", "010-3456-0008")
        path = f"/customers/{customer['id']}/notes"
        first = self.owner.post(path, {"text": "첫 방문, 라떼 주문"})
        self.assertIn(first.status, (200, 201), first)
        second = self.owner.post(path, {"text": "생일 쿠폰 사용", "branch_id": self.branch_id})
        self.assertIn(second.status, (200, 201), second)
        self.assertEqual(second.json["branch_id"], self.branch_id)
        third = self.owner.post(path, {"text": "창가 자리 선호", "pinned": True})
        self.assertTrue(third.json["pinned"])
        ids = [n["id"] for n in items_of(self.owner.get(path).json)]
        self.assertEqual(sorted(ids), sorted([first.json["id"], second.json["id"], third.json["id"]]))
        self.assertEqual(ids[0], third.json["id"])

        response = self.owner.patch(f"{path}/{first.json['id']}", {"pinned": True})
        self.assertEqual(response.status, 200, response)
        notes = items_of(self.owner.get(path).json)
        self.assertEqual(sorted(n["id"] for n in notes[:2]), sorted([first.json["id"], third.json["id"]]))
        self.assertEqual(notes[2]["id"], second.json["id"])
        self.assertFalse(notes[2]["pinned"])

        self.owner.patch(f"{path}/{third.json['id']}", {"pinned": False})
        self.owner.patch(f"{path}/{first.json['id']}", {"pinned": False})
        notes = items_of(self.owner.get(path).json)
        self.assertFalse(any(n["pinned"] for n in notes))
        for note in notes:
            self.assertTrue(note["created_at"])

    def test_note_of_another_customer_cannot_be_pinned_through_this_one(self):
        first = create_customer(self.owner, "공유", "010-3456-0009")
        second = create_customer(self.owner, "공효진", "010-3456-0010")
        note = self.owner.post(f"/customers/{first['id']}/notes", {"text": "메모"}).json
        self.assertError(self.owner.patch(f"/customers/{second['id']}/notes/{note['id']}", {"pinned": True}), 404)
        self.assertFalse(items_of(self.owner.get(f"/customers/{first['id']}/notes").json)[0]["pinned"])

    def test_bad_notes_are_400_or_404(self):
        customer = create_customer(self.owner, "전지현", "010-3456-0011")
        path = f"/customers/{customer['id']}/notes"
        self.assertError(self.owner.post(path, {}), 400, field="text")
        self.assertError(self.owner.post(path, {"text": ""}), 400, field="text")
        self.assertError(self.owner.post(path, {"text": "x", "branch_id": 987654321}), 404)
        note = self.owner.post(path, {"text": "x"}).json
        self.assertError(self.owner.patch(f"{path}/{note['id']}", {}), 400, field="pinned")
        self.assertError(self.owner.patch(f"{path}/{note['id']}", {"pinned": "yes"}), 400, field="pinned")
        self.assertError(self.owner.patch(f"{path}/987654321", {"pinned": True}), 404)


class OrderTests(TenantServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch_id = create_branch(cls.owner)

    def customer_stats(self, customer_id):
        return self.owner.get(f"/customers/{customer_id}").json

    def post_order(self, body, status=201):
        response = self.owner.post("/orders", body)
        self.assertEqual(response.status, status, f"POST /orders {body}: {response!r}")
        return response.json

    def test_posting_orders_updates_visits_spend_last_visit_and_stage(self):
        customer = create_customer(self.owner, "김민지", "010-4567-0001")
        first = self.post_order(sale(self.branch_id, [("아메리카노", "커피", 2, 4500), ("치즈케이크", "디저트", 1, 6500)],
                                     customer_id=customer["id"]))
        self.assertEqual(first["total"], 15500)
        self.assertEqual(first["customer_id"], customer["id"])
        self.assertEqual(first["branch_id"], self.branch_id)
        self.assertEqual([(l["product"], l["category"], l["quantity"], l["unit_price"]) for l in first["lines"]],
                         [("아메리카노", "커피", 2, 4500), ("치즈케이크", "디저트", 1, 6500)])
        stats = self.customer_stats(customer["id"])
        self.assertEqual((stats["visit_count"], stats["total_spend"], stats["stage"]), (1, 15500, "new"))
        self.assertEqual(stats["last_visit_at"], first["ordered_at"])

        second = self.post_order(sale(self.branch_id, [("라떼", "커피", 1, 5000)], customer_id=customer["id"], total=5000))
        stats = self.customer_stats(customer["id"])
        self.assertEqual((stats["visit_count"], stats["total_spend"], stats["stage"]), (2, 20500, "regular"))
        self.assertEqual(stats["last_visit_at"], second["ordered_at"])

        fetched = self.owner.get(f"/orders/{first['id']}")
        self.assertEqual(fetched.status, 200, fetched)
        self.assertEqual(fetched.json["total"], 15500)
        self.assertEqual(fetched.json["lines"], first["lines"])
        listed = walk_pages(self.owner, f"/customers/{customer['id']}/orders", 1)
        self.assertEqual(sorted(o["id"] for o in listed), sorted([first["id"], second["id"]]))

    def test_an_older_order_does_not_move_the_last_visit_back(self):
        customer = create_customer(self.owner, "오세훈", "010-4567-0002")
        recent = self.post_order(sale(self.branch_id, [("빙수", "디저트", 1, 9000)], customer_id=customer["id"]))
        old = self.post_order(sale(self.branch_id, [("빙수", "디저트", 1, 9000)], customer_id=customer["id"],
                                   ordered_at="2024-05-01T03:00:00Z"))
        self.assertTrue(old["ordered_at"].startswith("2024-05-01T03:00:00"), old)
        stats = self.customer_stats(customer["id"])
        self.assertEqual(stats["last_visit_at"], recent["ordered_at"])
        self.assertEqual((stats["visit_count"], stats["total_spend"]), (2, 18000))

    def test_same_external_id_twice_returns_the_first_order_and_counts_once(self):
        customer = create_customer(self.owner, "장원영", "010-4567-0003")
        body = sale(self.branch_id, [("크루아상", "베이커리", 3, 3800)], customer_id=customer["id"],
                    external_source="pos-1", external_id="R-1001", channel="pos")
        first = self.post_order(body, 201)
        again = self.post_order(body, 200)
        self.assertEqual(again["id"], first["id"])
        # Another sale under the same external id is refused with both totals, never answered with
        # the first order as if it were a retry.
        changed = dict(body, lines=[{"product": "바게트", "category": "베이커리", "quantity": 1, "unit_price": 100}])
        refused = self.owner.post("/orders", changed)
        self.assertError(refused, 409, field="external_id")
        self.assertEqual(refused.json["error"]["reason"], "external_id_conflict")
        self.assertEqual(refused.json["error"]["figures"],
                         {"total": 100, "existing_total": 11400, "existing_order_id": first["id"]})
        stats = self.customer_stats(customer["id"])
        self.assertEqual((stats["visit_count"], stats["total_spend"]), (1, 11400))
        other_source = self.post_order(dict(body, external_source="pos-2"), 201)
        self.assertNotEqual(other_source["id"], first["id"])
        self.assertEqual(self.customer_stats(customer["id"])["visit_count"], 2)

    def test_concurrent_posts_of_one_external_id_create_one_order(self):
        customer = create_customer(self.owner, "안유진", "010-4567-0004")
        body = sale(self.branch_id, [("녹차", "차", 1, 4000)], customer_id=customer["id"],
                    external_source="kiosk", external_id="K-77")
        results = []
        lock = threading.Lock()
        start = threading.Barrier(8)

        def post():
            start.wait(timeout=30)
            response = self.owner.post("/orders", body)
            with lock:
                results.append(response)

        threads = [threading.Thread(target=post) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(len(results), 8)
        self.assertEqual(sorted(r.status for r in results), [200] * 7 + [201], results)
        self.assertEqual(len({r.json["id"] for r in results}), 1)
        stats = self.customer_stats(customer["id"])
        self.assertEqual((stats["visit_count"], stats["total_spend"]), (1, 4000))

    def test_total_that_differs_from_the_lines_is_400_naming_total(self):
        body = sale(self.branch_id, [("라떼", "커피", 2, 5000)], total=9000)
        self.assertError(self.owner.post("/orders", body), 400, field="total")

    def test_anonymous_sale_without_lines_takes_its_total(self):
        order = self.post_order({"branch_id": self.branch_id, "total": 12000})
        self.assertEqual(order["total"], 12000)
        self.assertIsNone(order["customer_id"])

    def test_bad_orders_are_rejected(self):
        cases = [({"lines": [{"product": "a", "quantity": 1, "unit_price": 1}]}, 400, "branch_id"),
                 ({"branch_id": self.branch_id}, 400, None),
                 ({"branch_id": self.branch_id, "total": 0}, 400, "total"),
                 ({"branch_id": self.branch_id, "total": -100}, 400, "total"),
                 (sale(self.branch_id, [("a", "b", 0, 100)]), 400, "lines[0].quantity"),
                 (sale(self.branch_id, [("a", "b", 1, -100)]), 400, "lines[0].unit_price"),
                 (sale(self.branch_id, [("", "b", 1, 100)]), 400, "lines[0].product"),
                 (sale(self.branch_id, [("a", "b", 1, 100)], channel="fax"), 400, "channel"),
                 (sale(self.branch_id, [("a", "b", 1, 100)], ordered_at="yesterday"), 400, "ordered_at"),
                 (sale(987654321, [("a", "b", 1, 100)]), 404, None),
                 (sale(self.branch_id, [("a", "b", 1, 100)], customer_id=987654321), 404, None)]
        for body, status, field in cases:
            with self.subTest(body=body):
                self.assertError(self.owner.post("/orders", body), status, field=field)

    def test_unknown_order_is_404(self):
        self.assertError(self.owner.get("/orders/987654321"), 404)
        self.assertError(self.owner.post("/orders/987654321/refund", {}), 404)

    def test_refunds_restore_spend_and_over_refund_is_409(self):
        customer = create_customer(self.owner, "차은우", "010-4567-0005")
        order = self.post_order(sale(self.branch_id, [("케이크", "디저트", 2, 10000)], customer_id=customer["id"]))
        path = f"/orders/{order['id']}/refund"
        partial = self.owner.post(path, {"amount": 5000})
        self.assertIn(partial.status, (200, 201), partial)
        self.assertEqual(partial.json["kind"], "refund")
        self.assertEqual(partial.json["original_order_id"], order["id"])
        self.assertEqual(partial.json["total"], -5000)
        stats = self.customer_stats(customer["id"])
        self.assertEqual((stats["visit_count"], stats["total_spend"]), (1, 15000))

        self.assertError(self.owner.post(path, {"amount": 15001}), 409, field="amount")
        self.assertEqual(self.customer_stats(customer["id"])["total_spend"], 15000)

        rest = self.owner.post(path, {})
        self.assertIn(rest.status, (200, 201), rest)
        self.assertEqual(rest.json["total"], -15000)
        stats = self.customer_stats(customer["id"])
        self.assertEqual((stats["visit_count"], stats["total_spend"]), (0, 0))
        self.assertError(self.owner.post(path, {"amount": 1}), 409, field="amount")
        self.assertEqual(self.owner.get(f"/orders/{order['id']}").json["total"], 20000, "the original stays")

    def test_bad_refunds_are_rejected(self):
        order = self.post_order(sale(self.branch_id, [("쿠키", "디저트", 1, 3000)]))
        path = f"/orders/{order['id']}/refund"
        self.assertError(self.owner.post(path, {"amount": 0}), 400, field="amount")
        self.assertError(self.owner.post(path, {"amount": -10}), 400, field="amount")
        self.assertError(self.owner.post(path, {"amount": "1000"}), 400, field="amount")
        refund = self.owner.post(path, {"amount": 1000})
        self.assertIn(refund.status, (200, 201), refund)
        self.assertClientError(self.owner.post(f"/orders/{refund.json['id']}/refund", {}), "refund of a refund")
        self.assertEqual(self.owner.get(f"/orders/{order['id']}").json["total"], 3000)


class ProspectTests(TenantServerTestCase):

    def test_prospect_cards_count_towards_each_staff_members_daily_goal(self):
        owner_session = self.session()
        staff_email = f"staff.{self.tenant.slug}@example.com"
        staff = self.owner.post("/staff", {"email": staff_email, "display_name": "알바 지수", "password": "staffpass123",
                                           "role": "staff", "branch_ids": [], "daily_prospect_goal": 5})
        self.assertIn(staff.status, (200, 201), staff)
        staff_session = self.session(staff_email, "staffpass123")

        for name in ["안경 쓴 남자 손님", "강아지 데려온 손님"]:
            response = owner_session.post("/prospects", {"name": name, "how_met": "지나가다 들어옴", "liked": "라떼"})
            self.assertIn(response.status, (200, 201), response)
        response = staff_session.post("/prospects", {"name": "이웃 꽃집 사장님", "phone": "010-5678-0001"})
        self.assertIn(response.status, (200, 201), response)

        names = [p["name"] for p in items_of(self.owner.get("/prospects").json)]
        self.assertEqual(sorted(names), sorted(["안경 쓴 남자 손님", "강아지 데려온 손님", "이웃 꽃집 사장님"]))

        progress = {p["display_name"]: p for p in items_of(self.owner.get("/prospects/progress").json)}
        self.assertEqual((progress["김사장"]["goal"], progress["김사장"]["today"]), (3, 2))
        self.assertEqual((progress["알바 지수"]["goal"], progress["알바 지수"]["today"]), (5, 1))

        changed = self.owner.patch(f"/staff/{staff.json['id']}", {"daily_prospect_goal": 4})
        self.assertEqual(changed.status, 200, changed)
        progress = {p["display_name"]: p for p in items_of(self.owner.get("/prospects/progress").json)}
        self.assertEqual(progress["알바 지수"]["goal"], 4)

    def test_bad_prospects_are_rejected(self):
        session = self.session()
        self.assertError(session.post("/prospects", {"name": "손님", "phone": "12345"}), 400, field="phone")
        self.assertError(session.post("/prospects", {"name": 5}), 400, field="name")
        self.assertError(session.post("/prospects", {"name": "손님", "branch_id": 987654321}), 404)

    def test_api_tokens_cannot_write_prospect_cards(self):
        self.assertError(self.owner.post("/prospects", {"name": "토큰 손님"}), 403)


class RoleTests(TenantServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.server.client(cls.tenant.token("manager"))
        cls.staff = cls.server.client(cls.tenant.token("staff"))

    def new_staff(self, client, role, **fields):
        email = f"{unique(role)}@example.com"
        body = {"email": email, "display_name": f"{role} 직원", "password": "longenough1", "role": role,
                "branch_ids": [], "daily_prospect_goal": 3, **fields}
        return email, client.post("/staff", body)

    def test_staff_token_cannot_create_branches(self):
        self.assertError(self.staff.post("/branches", {"name": unique("지점")}), 403)
        self.assertEqual(self.staff.get("/branches").status, 200)

    def test_manager_token_can_create_branches(self):
        self.assertIn(self.manager.post("/branches", {"name": unique("지점")}).status, (200, 201))

    def test_duplicate_branch_name_is_409(self):
        name = unique("지점")
        self.assertIn(self.owner.post("/branches", {"name": name}).status, (200, 201))
        self.assertError(self.owner.post("/branches", {"name": name}), 409, field="name")
        self.assertIn(name, [b["name"] for b in items_of(self.owner.get("/branches").json)])

    def test_manager_cannot_create_owners_or_managers_but_can_create_staff(self):
        self.assertError(self.new_staff(self.manager, "owner")[1], 403)
        self.assertError(self.new_staff(self.manager, "manager")[1], 403)
        self.assertIn(self.new_staff(self.manager, "staff")[1].status, (200, 201))

    def test_staff_cannot_create_staff(self):
        self.assertError(self.new_staff(self.staff, "staff")[1], 403)

    def test_manager_cannot_promote_anyone_to_owner(self):
        _, created = self.new_staff(self.owner, "staff")
        response = self.manager.patch(f"/staff/{created.json['id']}", {"role": "owner"})
        self.assertError(response, 403)
        roles = {s["id"]: s["role"] for s in items_of(self.owner.get("/staff").json)}
        self.assertEqual(roles[created.json["id"]], "staff")

    def test_owner_creates_staff_and_bad_staff_is_rejected(self):
        email, created = self.new_staff(self.owner, "manager")
        self.assertIn(created.status, (200, 201), created)
        self.assertEqual(created.json["role"], "manager")
        self.assertError(self.new_staff(self.owner, "staff", email=email.upper())[1], 409, field="email")
        self.assertError(self.new_staff(self.owner, "staff", password="short")[1], 400, field="password")
        self.assertError(self.new_staff(self.owner, "admin")[1], 400, field="role")
        self.assertError(self.new_staff(self.owner, "staff", email="not-an-email")[1], 400, field="email")
        listing = self.owner.get("/staff")
        self.assertEqual(listing.status, 200)
        self.assertIn(email, listing.text)
        self.assertNotIn("argon2", listing.text)
        self.assertNotIn("password", listing.text)

    def test_deactivated_staff_cannot_log_in(self):
        email, created = self.new_staff(self.owner, "staff")
        client = self.server.client()
        self.assertEqual(client.login(email, "longenough1").status, 200)
        response = self.owner.patch(f"/staff/{created.json['id']}", {"active": False})
        self.assertEqual(response.status, 200, response)
        self.assertError(client.get("/customers"), 401)
        self.assertError(self.server.client().login(email, "longenough1"), 401)

    def test_staff_limited_to_a_branch_cannot_sell_at_another(self):
        own_branch = create_branch(self.owner)
        other_branch = create_branch(self.owner)
        email, _ = self.new_staff(self.owner, "staff", branch_ids=[own_branch])
        client = self.server.client()
        self.assertEqual(client.login(email, "longenough1").status, 200)
        self.assertEqual(client.post("/orders", sale(own_branch, [("라떼", "커피", 1, 5000)])).status, 201)
        self.assertError(client.post("/orders", sale(other_branch, [("라떼", "커피", 1, 5000)])), 403)

    def test_tokens_are_created_by_owners_within_their_role(self):
        response = self.owner.post("/tokens", {"role": "staff", "name": "POS 1"})
        self.assertIn(response.status, (200, 201), response)
        token = response.json.get("token") or response.json.get("secret")
        self.assertIsInstance(token, str)
        pos = self.server.client(token)
        self.assertEqual(pos.get("/customers").status, 200)
        self.assertError(pos.post("/branches", {"name": unique("지점")}), 403)
        self.assertError(self.staff.post("/tokens", {"role": "staff", "name": "x"}), 403)
        self.assertError(self.manager.post("/tokens", {"role": "owner", "name": "x"}), 403)
        self.assertError(self.owner.post("/tokens", {"role": "root", "name": "x"}), 400, field="role")

    def test_access_log_is_owner_only(self):
        self.assertError(self.manager.get("/access-log"), 403)
        self.assertError(self.staff.get("/access-log"), 403)


class AccessLogTests(TenantServerTestCase):

    def test_viewing_a_profile_writes_a_view_profile_entry(self):
        customer = create_customer(self.owner, "권지용", "010-6789-0001")
        self.assertEqual(self.owner.get(f"/customers/{customer['id']}").status, 200)
        session = self.session()
        self.assertEqual(session.get(f"/customers/{customer['id']}").status, 200)
        response = self.owner.get("/access-log")
        self.assertEqual(response.status, 200, response)
        views = [e for e in items_of(response.json)
                 if e["action"] == "view_profile" and e["customer_id"] == customer["id"]]
        self.assertEqual(len(views), 2, response.text[:2000])
        self.assertTrue(all(e["at"] for e in views))
        self.assertTrue(any(e.get("staff_id") for e in views), "the session view names the staff member")
        self.assertTrue(any(e.get("token_id") for e in views), "the token view names the token")
        self.assertNotIn("권지용", response.text, "no personal data in the access log")
        self.assertNotIn("+821067890001", response.text)

    def test_a_lookup_is_not_a_profile_view(self):
        customer = create_customer(self.owner, "태양", "010-6789-0002")
        self.assertEqual(self.owner.get("/customers/lookup?q=0002").status, 200)
        views = [e for e in items_of(self.owner.get("/access-log").json)
                 if e["action"] == "view_profile" and e["customer_id"] == customer["id"]]
        self.assertEqual(views, [])


class PaginationTests(TenantServerTestCase):

    def test_cursor_pagination_visits_every_customer_exactly_once(self):
        tag = unique("page")
        created = [create_customer(self.owner, f"손님{i}", f"010-7890-{i:04d}", tags=[tag])["id"]
                   for i in range(23)]
        others = [create_customer(self.owner, f"다른손님{i}")["id"] for i in range(4)]
        for limit in [1, 5, 23, 100]:
            with self.subTest(limit=limit):
                items = walk_pages(self.owner, f"/customers?tag={tag}", limit)
                ids = [item["id"] for item in items]
                self.assertEqual(len(ids), len(set(ids)), "a customer appeared twice")
                self.assertEqual(sorted(ids), sorted(created))
        everyone = [item["id"] for item in walk_pages(self.owner, "/customers", 7)]
        self.assertEqual(len(everyone), len(set(everyone)))
        self.assertTrue(set(created + others) <= set(everyone))

    def test_list_rows_carry_each_customers_tags(self):
        tag = unique("vip")
        created = create_customer(self.owner, "태그손님", tags=[tag, "단골"])
        rows = walk_pages(self.owner, f"/customers?tag={tag}", 10)
        self.assertEqual([row["id"] for row in rows], [created["id"]])
        self.assertEqual(sorted(rows[0]["tags"]), sorted([tag, "단골"]), rows[0])

    def test_first_page_respects_the_limit(self):
        for i in range(3):
            create_customer(self.owner, f"첫페이지{i}")
        response = self.owner.get("/customers?limit=2")
        self.assertEqual(response.status, 200)
        self.assertEqual(len(response.json["items"]), 2)
        self.assertIsNotNone(response.json["next_cursor"])

    def test_bad_cursor_or_limit_is_400(self):
        for url, field in [("/customers?limit=abc", "limit"), ("/customers?limit=1.5", "limit"),
                           ("/customers?cursor=abc", "cursor"), ("/customers?cursor=12abc", "cursor")]:
            with self.subTest(url=url):
                self.assertError(self.owner.get(url), 400, field=field)


# Every route these tests call; the OpenAPI document must describe each.
ROUTES_CALLED = [
    ("GET", "/health"), ("GET", "/openapi.json"),
    ("POST", "/auth/login"), ("POST", "/auth/logout"), ("GET", "/auth/me"),
    ("GET", "/business"), ("GET", "/branches"), ("POST", "/branches"),
    ("GET", "/staff"), ("POST", "/staff"), ("PATCH", "/staff/{}"), ("POST", "/tokens"),
    ("GET", "/customers"), ("POST", "/customers"), ("GET", "/customers/lookup"),
    ("GET", "/customers/{}"), ("PATCH", "/customers/{}"),
    ("POST", "/customers/{}/preferences"), ("DELETE", "/customers/{}/preferences/{}"),
    ("GET", "/customers/{}/notes"), ("POST", "/customers/{}/notes"), ("PATCH", "/customers/{}/notes/{}"),
    ("GET", "/customers/{}/orders"),
    ("POST", "/orders"), ("GET", "/orders/{}"), ("POST", "/orders/{}/refund"),
    ("GET", "/prospects"), ("POST", "/prospects"), ("GET", "/prospects/progress"),
    ("GET", "/access-log"),
]
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def openapi_routes(document):
    """{(METHOD, "/path/{}")} of an OpenAPI document, relative to /api/v1."""
    routes = set()
    for path, item in document.get("paths", {}).items():
        relative = path[len("/api/v1"):] if path.startswith("/api/v1/") else path
        template = re.sub(r"\{[^}]*\}", "{}", relative)
        for method in item:
            if method.lower() in HTTP_METHODS:
                routes.add((method.upper(), template))
    return routes


class OpenApiTests(TenantServerTestCase):

    def test_openapi_document_lists_every_route_the_tests_call(self):
        response = self.server.client().get("/openapi.json")
        self.assertEqual(response.status, 200, response)
        self.assertTrue(str(response.json.get("openapi", "")).startswith("3."), response.text[:200])
        documented = openapi_routes(response.json)
        missing = [f"{m} {p}" for m, p in ROUTES_CALLED if (m, p) not in documented]
        self.assertEqual(missing, [], "routes missing from /api/v1/openapi.json")

    def test_openapi_path_parameters_are_declared(self):
        document = self.server.client().get("/openapi.json").json
        for path, item in document.get("paths", {}).items():
            names = re.findall(r"\{([^}]*)\}", path)
            for method, operation in item.items():
                if method.lower() not in HTTP_METHODS:
                    continue
                declared = {p.get("name") for p in item.get("parameters", []) + operation.get("parameters", [])
                            if p.get("in") == "path"}
                with self.subTest(route=f"{method.upper()} {path}"):
                    self.assertEqual(set(names) - declared, set())


class GarbageInputTests(TenantServerTestCase):
    """Bad input of every shape is a 4xx JSON error, never a 500, and the server stays up."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch_id = create_branch(cls.owner)
        cls.customer = create_customer(cls.owner, "테스트", "010-8901-0001")
        note = cls.owner.post(f"/customers/{cls.customer['id']}/notes", {"text": "메모"})
        cls.note_id = note.json["id"]
        order = cls.owner.post("/orders", sale(cls.branch_id, [("a", "b", 1, 1000)]))
        cls.order_id = order.json["id"]

    def tearDown(self):
        self.assertServerAlive()

    def check_all(self, cases):
        for method, path, body in cases:
            with self.subTest(route=f"{method} {path}", body=str(body)[:80]):
                kwargs = {"raw": body} if isinstance(body, bytes) else {"body": body}
                response = self.owner.request(method, path, **kwargs)
                self.assertClientError(response, f"{method} {path} {str(body)[:80]}")

    def test_wrong_types_are_4xx(self):
        c = self.customer["id"]
        line = {"product": "a", "category": "b", "quantity": 1, "unit_price": 100}
        self.check_all([
            ("POST", "/customers", {"name": "x", "phone": 123}),
            ("POST", "/customers", {"name": 5}),
            ("POST", "/customers", {"name": ["김"]}),
            ("POST", "/customers", {"name": "x", "tags": "vip"}),
            ("POST", "/customers", {"name": "x", "tags": [1, 2]}),
            ("POST", "/customers", {"name": "x", "birthday": {"date": "2023-02-30"}}),
            ("POST", "/customers", {"name": "x", "birthday": {"date": "1990-01-01", "calendar": "mayan"}}),
            ("POST", "/customers", {"name": "x", "birthday": 19900101}),
            ("POST", "/customers", {"name": "x", "gender": "robot"}),
            ("POST", "/customers", {"name": "x", "consents": [{"channel": "fax", "granted": True}]}),
            ("POST", "/customers", {"name": "x", "consents": [{"channel": "sms", "granted": "yes"}]}),
            ("POST", "/customers", {"name": "x", "consents": {"channel": "sms"}}),
            ("POST", "/customers", {"name": "x", "anniversaries": [{"label": "x", "date": "tomorrow"}]}),
            ("POST", "/customers", {"name": "x", "referrer_id": "1"}),
            ("POST", "/customers", {"name": "x", "referrer_id": 987654321}),
            ("POST", "/customers", {"name": "x", "email": "not an email"}),
            ("POST", "/customers", {"name": "x", "source": "telepathy"}),
            ("POST", "/customers", []),
            ("POST", "/customers", "just a string"),
            ("POST", "/customers", b"null"),
            ("POST", "/customers", b"42"),
            ("PATCH", f"/customers/{c}", {"tags": {"a": 1}}),
            ("POST", "/orders", {"branch_id": self.branch_id, "lines": "x"}),
            ("POST", "/orders", {"branch_id": self.branch_id, "lines": {"product": "a"}}),
            ("POST", "/orders", {"branch_id": self.branch_id, "lines": [dict(line, quantity="x")]}),
            ("POST", "/orders", {"branch_id": self.branch_id, "lines": [dict(line, quantity=1.5)]}),
            ("POST", "/orders", {"branch_id": self.branch_id, "lines": [dict(line, unit_price=99.9)]}),
            ("POST", "/orders", {"branch_id": self.branch_id, "lines": ["a"]}),
            ("POST", "/orders", {"branch_id": self.branch_id, "lines": [None]}),
            ("POST", "/orders", {"branch_id": str(self.branch_id), "total": 100}),
            ("POST", "/orders", {"branch_id": True, "total": 100}),
            ("POST", "/orders", {"branch_id": self.branch_id, "total": "100"}),
            ("POST", "/orders", {"branch_id": self.branch_id, "total": 100, "customer_id": [c]}),
            ("POST", "/orders", {"branch_id": self.branch_id, "total": 100, "external_id": 5}),
            ("POST", "/branches", {"name": 7}),
            ("POST", "/branches", {}),
            ("POST", "/staff", {"email": 1}),
            ("PATCH", "/staff/1", {"daily_prospect_goal": "three"}),
            ("POST", "/tokens", {"role": 3}),
            ("POST", f"/customers/{c}/preferences", {"kind": 1, "subject": "x"}),
            ("POST", f"/customers/{c}/notes", {"text": 12}),
            ("PATCH", f"/customers/{c}/notes/{self.note_id}", {"pinned": 1}),
            ("POST", "/auth/login", {"email": 1, "password": 2}),
            ("POST", "/auth/login", ["x"]),
        ])

    def test_huge_numbers_are_4xx(self):
        line = '{"product":"a","category":"b","quantity":%s,"unit_price":%s}'
        b = self.branch_id
        self.check_all([
            ("POST", "/orders", f'{{"branch_id":{b},"lines":[{line % ("99999999999999999999999", "1")}]}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"lines":[{line % ("1e400", "1")}]}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"lines":[{line % ("2", "9223372036854775807")}]}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"lines":[{line % ("100000", "10000000000")}]}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"lines":[{line % ("1", "-9223372036854775808")}]}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"total":9223372036854775807}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"total":18446744073709551615}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"total":1e308}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"total":-1e308}}'.encode()),
            ("POST", "/orders", b'{"branch_id":18446744073709551615,"total":100}'),
            ("POST", "/orders", b'{"branch_id":9223372036854775808,"total":100}'),
            ("POST", "/orders", b'{"branch_id":-1,"total":100}'),
            ("POST", "/orders", b'{"branch_id":0,"total":100}'),
            ("POST", "/orders", f'{{"branch_id":{b},"total":100,"customer_id":18446744073709551615}}'.encode()),
            ("POST", "/orders", f'{{"branch_id":{b},"lines":[{",".join([line % (1, 1)] * 501)}]}}'.encode()),
            ("POST", f"/orders/{self.order_id}/refund", b'{"amount":18446744073709551615}'),
            ("POST", f"/orders/{self.order_id}/refund", b'{"amount":1e400}'),
            ("PATCH", "/staff/1", b'{"daily_prospect_goal":99999999999999999999}'),
            ("GET", "/customers?limit=1e9", None),
            ("GET", "/customers?cursor=99999999999999999999999", None),
        ])

    def test_invalid_utf8_and_deep_nesting_are_4xx(self):
        self.check_all([
            ("POST", "/customers", b'{"name":"\xff\xfe\xfd","phone":"010-8901-0002"}'),
            ("POST", "/customers", b'{"name":"\xed\xa0\x80"}'),
            ("POST", "/customers", b'{"name":"\xc0\xaf"}'),
            ("POST", "/customers", b'{"name":"ok","address":"\xe1\x80"}'),
            ("POST", f"/customers/{self.customer['id']}/notes", b'{"text":"\x80"}'),
            ("POST", "/customers", b'{"name":"\\ud800"}'),
            ("POST", "/customers", b"[" * 100000 + b"]" * 100000),
            ("POST", "/customers", b'{"a":' * 5000 + b"1" + b"}" * 5000),
            ("GET", "/customers/lookup?q=%FF%FE", None),
            ("GET", "/customers/lookup?q=%C0%AF", None),
            ("GET", "/customers/lookup?q=%ZZ", None),
            ("GET", "/customers/lookup?q=%", None),
            ("GET", "/customers?tag=%FF", None),
        ])

    def test_malformed_path_ids_are_4xx(self):
        cases = []
        for bad in ["abc", "-1", "0", "1.5", "1e3", "99999999999999999999", "9223372036854775808",
                    "0x10", "%20", "%00", "12abc", "+1"]:
            cases += [("GET", f"/customers/{bad}", None),
                      ("PATCH", f"/customers/{bad}", {"name": "x"}),
                      ("GET", f"/customers/{bad}/notes", None),
                      ("GET", f"/customers/{bad}/orders", None),
                      ("POST", f"/customers/{bad}/preferences", {"kind": "like", "subject": "x"}),
                      ("DELETE", f"/customers/{self.customer['id']}/preferences/{bad}", None),
                      ("PATCH", f"/customers/{self.customer['id']}/notes/{bad}", {"pinned": True}),
                      ("GET", f"/orders/{bad}", None),
                      ("POST", f"/orders/{bad}/refund", {}),
                      ("PATCH", f"/staff/{bad}", {"display_name": "x"})]
        self.check_all(cases)
        self.assertEqual(self.owner.get(f"/customers/{self.customer['id']}").json["name"], "테스트")

    def test_unknown_routes_and_methods_are_4xx_json(self):
        self.check_all([("GET", "/nope", None), ("GET", "/customers/1/nope", None),
                        ("DELETE", "/branches", None), ("PUT", "/customers", {})])
        self.assertEqual(self.owner.get(f"/customers/{self.customer['id']}").status, 200)

    def test_text_with_nul_or_control_characters_never_crashes(self):
        for body in [{"name": "a\u0000b"}, {"name": "\u202e\u200b"}, {"name": "x" * 100000},
                     {"name": "😀" * 1000, "address": "\u0000" * 10}, {"name": "x", "tags": ["t"] * 10000}]:
            with self.subTest(body=str(body)[:40]):
                response = self.owner.post("/customers", body)
                self.assertLess(response.status, 500, response)
                if response.status >= 400:
                    self.assertClientError(response)

    def test_protocol_garbage_does_not_bring_the_server_down(self):
        for request in [b"GET /api/v1/customers/\xff HTTP/1.1\r\nHost: x\r\n\r\n",
                        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 64,
                        b"POST /api/v1/customers HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                        b"POST /api/v1/customers HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}",
                        b"GET / HTTP/1.1\r\n" + b"X-Long: " + b"a" * 200000 + b"\r\n\r\n",
                        b"GET /api/v1/health HTTP/9.9\r\n\r\n"]:
            with self.subTest(request=request[:40]):
                status, _, _ = raw_exchange(self.server.port, request, timeout=5)
                self.assertTrue(status is None or 400 <= status < 600 and status != 500 or status == 200,
                                f"answered {status}")
                self.assertServerAlive()


if __name__ == "__main__":
    unittest.main()
