"""Tenancy: a token or a login of business A gets 404 on every route that names an id of business B,
and B's data is unchanged afterwards. The routes come from the OpenAPI document, so a new route with
an id in its path fails this test until it is added to ID_ROUTES below."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import (  # noqa: E402
    ServerTestCase, Tenant, add_user, items_of, sale, unique, walk_pages)

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
MISSING_ID = 987654321


class Ids:
    """The ids of one business's data."""

    def __init__(self, **ids):
        self.__dict__.update(ids)


# How to call each route that takes ids: (path, body) from the ids of the path's first resource
# (`parent`) and of its last (`child`). For a route with one id both are the same business's.
ID_ROUTES = {
    ("GET", "/customers/{}"): lambda p, c: (f"/customers/{c.customer}", None),
    ("PATCH", "/customers/{}"): lambda p, c: (f"/customers/{c.customer}", {"name": "침입자", "tags": ["hacked"]}),
    ("DELETE", "/customers/{}"): lambda p, c: (f"/customers/{c.customer}", None),
    ("POST", "/customers/{}/preferences"):
        lambda p, c: (f"/customers/{c.customer}/preferences", {"kind": "allergy", "subject": "침입"}),
    ("GET", "/customers/{}/preferences"): lambda p, c: (f"/customers/{c.customer}/preferences", None),
    ("DELETE", "/customers/{}/preferences/{}"):
        lambda p, c: (f"/customers/{p.customer}/preferences/{c.preference}", None),
    ("GET", "/customers/{}/notes"): lambda p, c: (f"/customers/{c.customer}/notes", None),
    ("POST", "/customers/{}/notes"): lambda p, c: (f"/customers/{c.customer}/notes", {"text": "침입"}),
    ("PATCH", "/customers/{}/notes/{}"):
        lambda p, c: (f"/customers/{p.customer}/notes/{c.note}", {"pinned": True}),
    ("DELETE", "/customers/{}/notes/{}"): lambda p, c: (f"/customers/{p.customer}/notes/{c.note}", None),
    ("GET", "/customers/{}/orders"): lambda p, c: (f"/customers/{c.customer}/orders", None),
    ("GET", "/customers/{}/suggestions"): lambda p, c: (f"/customers/{c.customer}/suggestions", None),
    ("GET", "/orders/{}"): lambda p, c: (f"/orders/{c.order}", None),
    ("POST", "/orders/{}/refund"): lambda p, c: (f"/orders/{c.order}/refund", {"amount": 100}),
    ("GET", "/staff/{}"): lambda p, c: (f"/staff/{c.staff}", None),
    ("PATCH", "/staff/{}"):
        lambda p, c: (f"/staff/{c.staff}", {"display_name": "침입", "active": False, "daily_prospect_goal": 99}),
    ("GET", "/branches/{}"): lambda p, c: (f"/branches/{c.branch}", None),
    ("PATCH", "/branches/{}"): lambda p, c: (f"/branches/{c.branch}", {"name": "침입"}),
    ("GET", "/prospects/{}"): lambda p, c: (f"/prospects/{c.prospect}", None),
    ("GET", "/customers/{}/loyalty"): lambda p, c: (f"/customers/{c.customer}/loyalty", None),
    ("GET", "/customers/{}/ledger"): lambda p, c: (f"/customers/{c.customer}/ledger", None),
    ("GET", "/customers/{}/tier-changes"): lambda p, c: (f"/customers/{c.customer}/tier-changes", None),
    ("POST", "/customers/{}/redeem"):
        lambda p, c: (f"/customers/{c.customer}/redeem", {"amount": 1, "branch_id": c.branch}),
    ("POST", "/customers/{}/adjust"):
        lambda p, c: (f"/customers/{c.customer}/adjust", {"amount": 1000, "reason": "침입"}),
    ("POST", "/customers/{}/coupons"): lambda p, c: (f"/customers/{c.customer}/coupons", {"template_id": c.template}),
    ("GET", "/customers/{}/coupons"): lambda p, c: (f"/customers/{c.customer}/coupons", None),
    ("POST", "/coupons/{}/void"): lambda p, c: (f"/coupons/{c.coupon}/void", None),
    ("POST", "/customers/{}/referral"): lambda p, c: (f"/customers/{c.customer}/referral", {"code": "ABCDEFGH"}),
    ("GET", "/customers/{}/referrals"): lambda p, c: (f"/customers/{c.customer}/referrals", None),
    ("POST", "/customers/{}/gacha"): lambda p, c: (f"/customers/{c.customer}/gacha", None),
    ("GET", "/customers/{}/merge-preview"):
        lambda p, c: (f"/customers/{c.customer}/merge-preview?other_id={c.other_customer}", None),
    ("POST", "/customers/{}/merge"): lambda p, c: (f"/customers/{c.customer}/merge", {"other_id": c.other_customer}),
    ("POST", "/merges/{}/undo"): lambda p, c: (f"/merges/{c.merge}/undo", None),
    ("GET", "/customers/{}/export"): lambda p, c: (f"/customers/{c.customer}/export", None),
    ("GET", "/imports/{}"): lambda p, c: (f"/imports/{c.import_job}", None),
    ("GET", "/imports/{}/rejects"): lambda p, c: (f"/imports/{c.import_job}/rejects", None),
    ("GET", "/customers/{}/analytics"): lambda p, c: (f"/customers/{c.customer}/analytics", None),
    ("GET", "/segments/{}"): lambda p, c: (f"/segments/{c.segment}", None),
    ("PATCH", "/segments/{}"): lambda p, c: (f"/segments/{c.segment}", {"name": "침입", "filter": {}}),
    ("DELETE", "/segments/{}"): lambda p, c: (f"/segments/{c.segment}", None),
    ("GET", "/segments/{}/customers"): lambda p, c: (f"/segments/{c.segment}/customers", None),
    ("GET", "/segments/{}/export"): lambda p, c: (f"/segments/{c.segment}/export", None),
    ("POST", "/kiosk-devices/{}/disable"): lambda p, c: (f"/kiosk-devices/{c.kiosk_device}/disable", None),
    ("DELETE", "/tokens/{}"): lambda p, c: (f"/tokens/{c.api_token}", None),
    ("GET", "/customers/{}/messages"): lambda p, c: (f"/customers/{c.customer}/messages", None),
    ("GET", "/customers/{}/consents"): lambda p, c: (f"/customers/{c.customer}/consents", None),
    ("POST", "/customers/{}/opt-out"): lambda p, c: (f"/customers/{c.customer}/opt-out", {"channel": "sms"}),
    ("GET", "/customers/{}/opt-out-link"): lambda p, c: (f"/customers/{c.customer}/opt-out-link", None),
    ("DELETE", "/messaging/sender-numbers/{}"): lambda p, c: (f"/messaging/sender-numbers/{c.sender_number}", None),
    ("GET", "/campaigns/{}"): lambda p, c: (f"/campaigns/{c.campaign}", None),
    ("PUT", "/campaigns/{}"): lambda p, c: (f"/campaigns/{c.campaign}", {
        "name": "침입", "purpose": "advertising", "channel": "sms",
        "audience": {"kind": "customer_ids", "value": str(c.customer)},
        "body": "#{이름}님", "sender_number": "0212345678"}),
    ("POST", "/campaigns/{}/schedule"): lambda p, c: (f"/campaigns/{c.campaign}/schedule", {}),
    ("POST", "/campaigns/{}/cancel"): lambda p, c: (f"/campaigns/{c.campaign}/cancel", None),
    ("POST", "/campaigns/{}/test"): lambda p, c: (f"/campaigns/{c.campaign}/test", {"phones": ["010-1234-5678"]}),
    ("GET", "/campaigns/{}/report"): lambda p, c: (f"/campaigns/{c.campaign}/report", None),
    ("GET", "/automations/{}"): lambda p, c: (f"/automations/{c.automation}", None),
    ("PUT", "/automations/{}"): lambda p, c: (f"/automations/{c.automation}", {
        "name": "침입", "trigger": {"kind": "birthday"}, "template": {"body": "#{이름}님"}}),
    ("POST", "/automations/{}/activate"): lambda p, c: (f"/automations/{c.automation}/activate", None),
    ("POST", "/automations/{}/pause"): lambda p, c: (f"/automations/{c.automation}/pause", None),
    ("GET", "/automations/{}/dry-run"): lambda p, c: (f"/automations/{c.automation}/dry-run", None),
    ("GET", "/automations/{}/report"): lambda p, c: (f"/automations/{c.automation}/report", None),
    ("GET", "/messaging/outbox/{}"): lambda p, c: (f"/messaging/outbox/{c.outbox_message}", None),
    ("POST", "/customers/{}/erase"): lambda p, c: (f"/customers/{c.customer}/erase", {"reason": "침입"}),
    ("POST", "/tasks/{}/done"): lambda p, c: (f"/tasks/{c.task}/done", None),
    ("POST", "/tasks/{}/skip"): lambda p, c: (f"/tasks/{c.task}/skip", {"note": "침입"}),
    ("GET", "/customers/{}/last-action"): lambda p, c: (f"/customers/{c.customer}/last-action", None),
    ("POST", "/customers/{}/undo"):
        lambda p, c: (f"/customers/{c.customer}/undo", {"kind": "order", "id": c.order}),
}

# The id routes this issue defines; the OpenAPI document must have them all.
REQUIRED_ID_ROUTES = [
    ("GET", "/customers/{}"), ("PATCH", "/customers/{}"), ("POST", "/customers/{}/preferences"),
    ("DELETE", "/customers/{}/preferences/{}"), ("GET", "/customers/{}/notes"), ("POST", "/customers/{}/notes"),
    ("PATCH", "/customers/{}/notes/{}"), ("GET", "/customers/{}/orders"), ("GET", "/orders/{}"),
    ("POST", "/orders/{}/refund"), ("PATCH", "/staff/{}"),
]


def id_routes_of(document):
    """{(METHOD, "/path/{}")} for every operation whose path has a parameter."""
    routes = set()
    for path, item in document.get("paths", {}).items():
        if "{" not in path:
            continue
        relative = path[len("/api/v1"):] if path.startswith("/api/v1/") else path
        template = re.sub(r"\{[^}]*\}", "{}", relative)
        routes.update((method.upper(), template) for method in item if method.lower() in HTTP_METHODS)
    return routes


class TenancyTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.a = Tenant(cls.db_url, "tenant-a")
        cls.b = Tenant(cls.db_url, "tenant-b")
        # One person working for both businesses, with a different password in each.
        cls.shared_email = f"{unique('shared')}@example.com"
        add_user(cls.db_url, cls.a.slug, cls.shared_email, "password-for-a", role="staff", name="겸직 A")
        add_user(cls.db_url, cls.b.slug, cls.shared_email, "password-for-b", role="staff", name="겸직 B")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a_token = cls.server.client(cls.a.owner_token)
        cls.b_token = cls.server.client(cls.b.owner_token)
        cls.a_session = cls.login(cls.a)
        cls.b_session = cls.login(cls.b)
        cls.a_ids = cls.populate(cls.a_token, cls.a_session, "A")
        cls.b_ids = cls.populate(cls.b_token, cls.b_session, "B")
        response = cls.server.client().get("/openapi.json")
        if response.status != 200:
            raise AssertionError(f"GET /openapi.json: {response!r}")
        cls.document = response.json

    @classmethod
    def login(cls, tenant):
        client = cls.server.client()
        response = client.login(tenant.email, tenant.password)
        if response.status != 200:
            raise AssertionError(f"login to {tenant.slug}: {response!r}")
        return client

    @classmethod
    def populate(cls, token, session, label):
        """A branch, customers with a preference, notes and orders, a staff member and a
        prospect, all made by the business's own owner."""
        def created(response, what):
            if response.status not in (200, 201, 202):
                raise AssertionError(f"creating {what} of {label}: {response!r}")
            return response.json["id"]

        branch = created(token.post("/branches", {"name": f"본점 {label}"}), "branch")
        # Both businesses know the same phone number: uniqueness is per business.
        customer = created(token.post("/customers", {"name": "김철수", "phone": "010-1111-2222"}), "customer")
        other_customer = created(token.post("/customers", {"name": f"고객{label}", "phone": f"010-3333-{ord(label):04d}"}),
                                 "second customer")
        preference = created(token.post(f"/customers/{customer}/preferences",
                                        {"kind": "allergy", "subject": "땅콩"}), "preference")
        note = created(token.post(f"/customers/{customer}/notes", {"text": f"메모 {label}"}), "note")
        order = created(token.post("/orders", sale(branch, [("라떼", "커피", 2, 5000)], customer_id=customer,
                                                   external_source="pos", external_id="same-in-both")), "order")
        staff = created(token.post("/staff", {"email": f"{unique('staff')}@example.com", "display_name": f"직원 {label}",
                                              "password": "longenough1", "role": "staff", "branch_ids": [branch],
                                              "daily_prospect_goal": 3}), "staff")
        prospect = created(session.post("/prospects", {"name": f"새 손님 {label}", "branch_id": branch}), "prospect")
        program = token.request("PUT", "/loyalty/program",
                                {"preset": "points", "gacha": [{"label": "꽝", "weight": 1, "points": 0}]})
        if program.status != 200:
            raise AssertionError(f"setting the program of {label}: {program!r}")
        template = created(token.post("/coupon-templates", {"name": f"쿠폰 {label}", "kind": "amount_off",
                                                            "value": 1000}), "coupon template")
        coupon = created(token.post(f"/customers/{customer}/coupons", {"template_id": template}), "coupon")
        survivor = created(token.post("/customers", {"name": f"병합{label}"}), "merge survivor")
        merged = created(token.post("/customers", {"name": f"병합 {label}"}), "merged customer")
        merge = token.post(f"/customers/{survivor}/merge", {"other_id": merged})
        if merge.status != 200:
            raise AssertionError(f"merging customers of {label}: {merge!r}")
        import_job = created(token.request("POST", "/imports?kind=customers&dry_run=true&mode=valid_rows",
                                           raw="이름,휴대폰\n박민수,010-1234\n".encode(),
                                           headers={"Content-Type": "text/csv"}), "import")
        segment = created(token.post("/segments", {"name": f"세그먼트 {label}", "filter": {"min_visits": 1}}),
                          "segment")
        kiosk_device = created(token.post("/kiosk-devices", {"name": f"키오스크 {label}"}), "kiosk device")
        api_token = created(token.post("/tokens", {"role": "staff", "name": f"토큰 {label}"}), "API token")
        settings = token.request("PUT", "/messaging/settings", {"contact": "02-555-1234",
                                                                "opt_out_number": "080-123-4567"})
        if settings.status != 200:
            raise AssertionError(f"messaging settings of {label}: {settings!r}")
        sender_number = created(token.post("/messaging/sender-numbers", {"number": "02-1234-5678", "label": label}),
                                "sender number")
        campaign = created(token.post("/campaigns", {
            "name": f"캠페인 {label}", "purpose": "advertising", "channel": "sms",
            "audience": {"kind": "customer_ids", "value": str(customer)},
            "body": "#{이름}님, 이번 주 아메리카노 1+1", "sender_number": "0212345678"}), "campaign")
        test_send = token.post(f"/campaigns/{campaign}/test", {"phones": ["010-1234-5678"]})
        if test_send.status != 202:
            raise AssertionError(f"test send of {label}: {test_send!r}")
        outbox_message = token.get("/messaging/outbox?limit=1").json["items"][0]["id"]
        automation = created(token.post("/automations", {
            "name": f"생일 {label}", "trigger": {"kind": "birthday"}, "template": {"body": "#{이름}님 생일 축하"}}),
            "automation")
        task = created(token.post("/tasks", {"customer_id": customer, "title": f"전화 {label}",
                                             "due_date": "2026-12-07"}), "task")
        return Ids(outbox_message=outbox_message, automation=automation, task=task, api_token=api_token, sender_number=sender_number, campaign=campaign, branch=branch, customer=customer, other_customer=other_customer, preference=preference,
                   note=note, order=order, staff=staff, prospect=prospect, template=template, coupon=coupon,
                   merge=merge.json["merge_id"], import_job=import_job, segment=segment, kiosk_device=kiosk_device)

    def snapshot(self, client, ids):
        """Everything of one business that an attack could change, read with its own token."""
        def read(path):
            response = client.get(path)
            self.assertEqual(response.status, 200, f"GET {path}: {response!r}")
            return response.json

        return {
            "customer": read(f"/customers/{ids.customer}"),
            "automations": read("/automations"),
            "tasks": read("/tasks?assignee=all"),
            "kiosk_devices": read("/kiosk-devices"),
            "other_customer": read(f"/customers/{ids.other_customer}"),
            "notes": read(f"/customers/{ids.customer}/notes"),
            "orders": walk_pages(client, f"/customers/{ids.customer}/orders", 50),
            "order": read(f"/orders/{ids.order}"),
            "staff": read("/staff"),
            "branches": read("/branches"),
            "customers": walk_pages(client, "/customers", 50),
            "prospects": read("/prospects"),
            "loyalty": read(f"/customers/{ids.customer}/loyalty"),
            "ledger": walk_pages(client, f"/customers/{ids.customer}/ledger", 50),
            "coupons": read(f"/customers/{ids.customer}/coupons"),
            "segment": read(f"/segments/{ids.segment}"),
            # Not last_used_at: the snapshot's own reads may move it.
            "tokens": [(t["id"], t["name"], t["revoked_at"]) for t in read("/tokens")["items"]],
        }

    def attack_clients(self):
        return [("A token", self.a_token), ("A cookie session", self.a_session)]

    def test_openapi_document_has_every_id_route_of_the_issue(self):
        documented = id_routes_of(self.document)
        missing = [f"{m} {p}" for m, p in REQUIRED_ID_ROUTES if (m, p) not in documented]
        self.assertEqual(missing, [], "id routes missing from the OpenAPI document")

    def test_every_id_route_of_the_openapi_document_is_exercised(self):
        unexercised = sorted(f"{m} {p}" for m, p in id_routes_of(self.document) if (m, p) not in ID_ROUTES)
        self.assertEqual(unexercised, [], "add these routes to ID_ROUTES in test_tenancy.py")

    def test_other_business_ids_are_404_on_every_id_route(self):
        routes = sorted(id_routes_of(self.document) | set(REQUIRED_ID_ROUTES))
        before_b = self.snapshot(self.b_token, self.b_ids)
        before_a = self.snapshot(self.a_token, self.a_ids)
        unexercised = []
        for method, template in routes:
            build = ID_ROUTES.get((method, template))
            if build is None:
                unexercised.append(f"{method} {template}")
                continue
            variants = [("B's ids", self.b_ids, self.b_ids), ("unknown ids", Ids(**{k: MISSING_ID for k in
                                                                                 vars(self.b_ids)}), None)]
            if template.count("{}") > 1:
                variants += [("A's parent, B's child", self.a_ids, self.b_ids),
                             ("B's parent, A's child", self.b_ids, self.a_ids)]
            for who, client in self.attack_clients():
                for label, parent, child in variants:
                    path, body = build(parent, child if child is not None else parent)
                    with self.subTest(route=f"{method} {template}", ids=label, principal=who):
                        response = client.request(method, path, body=body)
                        self.assertError(response, 404)
        self.assertEqual(self.snapshot(self.b_token, self.b_ids), before_b, "B's data changed")
        self.assertEqual(self.snapshot(self.a_token, self.a_ids), before_a, "A's data changed")
        self.assertEqual(unexercised, [], "id routes in the OpenAPI document that this test does not call")

    def test_other_business_ids_in_request_bodies_are_refused(self):
        before_b = self.snapshot(self.b_token, self.b_ids)
        line = [("라떼", "커피", 1, 5000)]
        for who, client in self.attack_clients():
            with self.subTest(principal=who, case="order at B's branch"):
                self.assertError(client.post("/orders", sale(self.b_ids.branch, line)), 404)
            with self.subTest(principal=who, case="order for B's customer"):
                self.assertError(client.post("/orders", sale(self.a_ids.branch, line,
                                                             customer_id=self.b_ids.customer)), 404)
            # Other ids in bodies: the answer must be the one for an id that does not exist at all.
            cases = [
                ("note at B's branch", "POST", f"/customers/{self.a_ids.customer}/notes",
                 lambda branch, customer: {"text": "x", "branch_id": branch}),
                ("customer referred by B's customer", "POST", "/customers",
                 lambda branch, customer: {"name": "추천받은손님", "referrer_id": customer}),
                ("customer edited to B's referrer", "PATCH", f"/customers/{self.a_ids.other_customer}",
                 lambda branch, customer: {"referrer_id": customer}),
                ("staff for B's branch", "POST", "/staff",
                 lambda branch, customer: {"email": f"{unique('x')}@example.com", "display_name": "x",
                                           "password": "longenough1", "role": "staff", "branch_ids": [branch]}),
                ("staff moved to B's branch", "PATCH", f"/staff/{self.a_ids.staff}",
                 lambda branch, customer: {"branch_ids": [branch]}),
            ]
            cases += [
                ("merge with B's customer", "POST", f"/customers/{self.a_ids.customer}/merge",
                 lambda branch, customer: {"other_id": customer}),
                ("dismiss a pair with B's customer", "POST", "/duplicates/dismiss",
                 lambda branch, customer: {"first_id": self.a_ids.customer, "second_id": customer}),
            ]
            if client is self.a_session:
                cases.append(("prospect at B's branch", "POST", "/prospects",
                              lambda branch, customer: {"name": "x", "branch_id": branch}))
            for case, method, path, body in cases:
                with self.subTest(principal=who, case=case):
                    foreign = client.request(method, path, body=body(self.b_ids.branch, self.b_ids.customer))
                    missing = client.request(method, path, body=body(MISSING_ID, MISSING_ID))
                    self.assertClientError(foreign, case)
                    self.assertEqual((foreign.status, foreign.json["error"]["code"]),
                                     (missing.status, missing.json["error"]["code"]),
                                     f"{case}: B's id is told apart from a missing one")
        self.assertEqual(self.snapshot(self.b_token, self.b_ids), before_b, "B's data changed")
        staff = {s["id"]: s for s in items_of(self.a_token.get("/staff").json)}
        self.assertEqual(staff[self.a_ids.staff]["branch_ids"], [self.a_ids.branch])

    def test_an_external_id_of_another_business_creates_a_separate_order(self):
        before_b = self.snapshot(self.b_token, self.b_ids)
        response = self.a_token.post("/orders", sale(self.a_ids.branch, [("우유", "음료", 1, 3000)],
                                                     external_source="pos", external_id="b-only-id"))
        self.assertEqual(response.status, 201, response)
        replay_of_b = self.b_token.post("/orders", sale(self.b_ids.branch, [("우유", "음료", 1, 3000)],
                                                        external_source="pos", external_id="b-only-id"))
        self.assertEqual(replay_of_b.status, 201, f"B's first post of its own id: {replay_of_b!r}")
        self.assertNotEqual(replay_of_b.json["id"], response.json["id"])
        self.assertEqual(replay_of_b.json["branch_id"], self.b_ids.branch)
        # Both businesses already posted ("pos", "same-in-both"): each replay (the same sale) returns
        # its own order.
        a_replay = self.a_token.post("/orders", sale(self.a_ids.branch, [("라떼", "커피", 2, 5000)],
                                                     customer_id=self.a_ids.customer,
                                                     external_source="pos", external_id="same-in-both"))
        self.assertEqual((a_replay.status, a_replay.json["id"]), (200, self.a_ids.order))
        self.assertError(self.a_token.get(f"/orders/{replay_of_b.json['id']}"), 404)
        after_b = self.snapshot(self.b_token, self.b_ids)
        self.assertEqual(after_b["customer"], before_b["customer"])

    def test_lists_and_lookup_never_show_the_other_business(self):
        b_customer_ids = {c["id"] for c in walk_pages(self.b_token, "/customers", 50)}
        a_customer_ids = {c["id"] for c in walk_pages(self.a_token, "/customers", 50)}
        self.assertFalse(a_customer_ids & b_customer_ids)
        for who, client in self.attack_clients():
            with self.subTest(principal=who):
                lookup = client.get("/customers/lookup?q=010-3333-%04d" % ord("B"))
                self.assertEqual((lookup.status, lookup.json["items"]), (200, []), lookup)
                lookup = client.get("/customers/lookup?q=%04d" % ord("B"))
                self.assertEqual(lookup.json["items"], [], lookup)
                shared = client.get("/customers/lookup?q=010-1111-2222").json["items"]
                self.assertEqual([item["id"] for item in shared], [self.a_ids.customer])
                self.assertNotIn(str(self.b_ids.branch), [str(b["id"]) for b in items_of(client.get("/branches").json)])
                staff_ids = [s["id"] for s in items_of(client.get("/staff").json)]
                self.assertNotIn(self.b_ids.staff, staff_ids)
                prospects = client.get("/prospects")
                self.assertNotIn("새 손님 B", prospects.text)
                log = client.get("/access-log")
                self.assertEqual(log.status, 200, log)
                self.assertFalse({e.get("customer_id") for e in items_of(log.json)} & b_customer_ids)
                self.assertEqual(client.get("/business").json["slug"], self.a.slug)

    def test_an_email_in_two_businesses_logs_in_to_the_one_named(self):
        anonymous = self.server.client()
        self.assertError(anonymous.login(self.shared_email, "password-for-a"), 400, field="business")
        self.assertError(anonymous.login(self.shared_email, "password-for-a", business=self.b.slug), 401)
        client = self.server.client()
        self.assertEqual(client.login(self.shared_email, "password-for-b", business=self.b.slug).status, 200)
        self.assertEqual(client.get("/business").json["slug"], self.b.slug)
        self.assertError(client.get(f"/customers/{self.a_ids.customer}"), 404)

    def test_a_session_cookie_of_a_cannot_be_combined_with_b_token(self):
        # When both credentials come, neither may widen the other: A's cookie with B's token must
        # not reach A's data as B or B's data as A, whichever the server chooses to honour.
        client = self.server.client(self.b.owner_token)
        client.session = self.a_session.session
        client.csrf_token = self.a_session.csrf_token
        business = client.get("/business")
        if business.status == 200:
            slug = business.json["slug"]
            own, foreign = (self.a_ids, self.b_ids) if slug == self.a.slug else (self.b_ids, self.a_ids)
            self.assertEqual(client.get(f"/customers/{own.customer}").status, 200)
            self.assertError(client.get(f"/customers/{foreign.customer}"), 404)
        else:
            self.assertClientError(business)


if __name__ == "__main__":
    unittest.main()
