"""Campaigns over HTTP, on SQLite and on PostgreSQL: every advertising message starts with "(광고)"
and carries the business, the contact and the 080 opt-out (ADV-03, MSG-07); customers without
consent, with an 080 opt-out or who opted out at the counter or on the public page receive nothing
and are counted by reason; the frequency cap holds a second campaign back; an advertising send into
21:00-08:00 local is refused unless held to night consent (ADV-02); AlimTalk never advertises and
only registered sender numbers send (MSG-02, MSG-06); the control group receives nothing, not even
a coupon; and the uplift report equals this test's own computation from the orders it posts."""

import math
import os
import sys
import unittest
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, unique  # noqa: E402

KST = timezone(timedelta(hours=9))
Z95 = 1.959963984540054
OPT_OUT_080 = "0801234567"


def fresh_phone():
    return "010" + str(abs(hash(unique("c"))) % 10**8).zfill(8)


def at_local(hour, days_ahead=1):
    """An ISO time `days_ahead` days from now at `hour`:00 Seoul time."""
    day = datetime.now(KST).date() + timedelta(days=days_ahead)
    return datetime(day.year, day.month, day.day, hour, tzinfo=KST).isoformat()


def welch(values_treated, values_control):
    """Difference of means with the Welch standard error and the 95 % interval."""
    def mean_var(values):
        n = len(values)
        mean = sum(values) / n
        var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
        return mean, var
    m1, v1 = mean_var(values_treated)
    m0, v0 = mean_var(values_control)
    se = math.sqrt(v1 / len(values_treated) + v0 / len(values_control))
    diff = m1 - m0
    return diff, diff - Z95 * se, diff + Z95 * se


class CampaignTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "campaign")
        cls.staff_token = cls.tenant.token("staff")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        owner = cls.server.client(cls.tenant.owner_token)
        settings = owner.request("PUT", "/api/v1/messaging/settings", {
            "contact": "02-555-1234", "opt_out_number": "080-123-4567", "frequency_cap_count": 1,
            "frequency_cap_days": 7, "control_share_permille": 0})
        assert settings.status == 200, settings
        sender = owner.post("/messaging/sender-numbers", {"number": "02-1234-5678", "label": "본점"})
        assert sender.status == 201, sender
        cls.branch = owner.post("/branches", {"name": unique("본점")}).json["id"]

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)

    def customer(self, name, consents=(), email=None):
        body = {"name": name, "phone": fresh_phone(),
                "consents": [{"channel": c, "granted": True, "source": "counter"} for c in consents]}
        if email:
            body["email"] = email
        created = self.owner.post("/customers", body)
        self.assertEqual(created.status, 201, created)
        return created.json["id"]

    def campaign(self, ids, **fields):
        body = {"name": unique("봄"), "purpose": "advertising", "channel": "sms",
                "audience": {"kind": "customer_ids", "value": ",".join(str(i) for i in ids)},
                "body": "#{이름}님, 이번 주 아메리카노 1+1", "sender_number": "0212345678"}
        body.update(fields)
        return body

    def create(self, body):
        created = self.owner.post("/campaigns", body)
        self.assertEqual(created.status, 201, created)
        return created.json

    def messages(self, customer):
        answer = self.owner.get(f"/customers/{customer}/messages")
        self.assertEqual(answer.status, 200, answer)
        return answer.json["items"]

    def assertReason(self, response, status, reason, field=None):
        self.assertError(response, status, field=field)
        self.assertEqual(response.json["error"].get("reason"), reason, response)

    def test_only_consenting_unsuppressed_customers_get_a_legal_advertisement(self):
        consenting = self.customer("김단골", ["sms"])
        without = self.customer("이무동의")
        suppressed = self.customer("박수신거부", ["sms"])
        counter = self.customer("최카운터", ["sms"])
        phone_of = self.owner.get(f"/customers/{suppressed}").json["phone"]
        added = self.owner.post("/messaging/suppressions/080", {"numbers": [phone_of]})
        self.assertEqual((added.status, added.json["added"]), (200, 1), added)
        self.assertEqual(self.owner.post(f"/customers/{counter}/opt-out", {}).status, 204)
        history = self.owner.get(f"/customers/{counter}/consents").json["items"]
        self.assertEqual([(e["channel"], e["granted"], e["source"]) for e in history][:2],
                         [("sms", True, "counter"), ("sms", False, "counter")])

        body = self.campaign([consenting, without, suppressed, counter], scheduled_at=at_local(11))
        preview = self.owner.post("/campaigns/preview", body)
        self.assertEqual(preview.status, 200, preview)
        self.assertEqual(preview.json["audience"], 4)
        self.assertEqual(preview.json["treated"], 1)
        self.assertEqual(preview.json["exclusions"], {"no_consent": 2, "opted_out_080": 1})
        self.assertEqual(preview.json["samples"][0]["name"], "김*골")
        self.assertNotIn(phone_of, str(preview.json))
        self.assertEqual(preview.json["total_cost"], preview.json["costs"][0]["unit_price"])
        text = preview.json["message"]
        self.assertTrue(text["body"].startswith("(광고)"), text)
        self.assertIn(OPT_OUT_080, text["body"])
        self.assertEqual(text["violations"], [])

        created = self.create(body)
        scheduled = self.owner.post(f"/campaigns/{created['id']}/schedule", {"at": at_local(11)})
        self.assertEqual(scheduled.status, 200, scheduled)
        self.assertEqual(scheduled.json["status"], "scheduled")
        self.assertEqual(scheduled.json["counts"], {"audience": 4, "treated": 1, "control": 0, "excluded": 3})
        [entry] = self.messages(consenting)
        message = entry["message"]
        self.assertEqual((entry["group"], message["status"], message["purpose"]), ("treated", "queued", "advertising"))
        self.assertTrue(message["body"].startswith("(광고)"), message)
        self.assertIn(self.tenant.name, message["body"])
        self.assertIn("무료수신거부", message["body"])
        self.assertIn(OPT_OUT_080, message["body"])
        self.assertIn("김단골님", message["body"])
        for customer, reason in ((without, "no_consent"), (suppressed, "opted_out_080"), (counter, "no_consent")):
            [entry] = self.messages(customer)
            self.assertEqual((entry["group"], entry["exclusion"], entry["message"]), ("excluded", reason, None))

        # The frequency cap (1 in 7 days) holds the next advertisement back.
        again = self.create(self.campaign([consenting]))
        preview = self.owner.post("/campaigns/preview", {**self.campaign([consenting]), "scheduled_at": at_local(12)})
        self.assertEqual(preview.json["exclusions"], {"frequency_cap": 1}, preview)
        report = self.owner.get(f"/campaigns/{created['id']}/report")
        self.assertEqual(report.status, 200, report)
        self.assertEqual(report.json["exclusions"], {"no_consent": 2, "opted_out_080": 1})
        self.assertEqual(report.json["progress"], "scheduled")
        cancelled = self.owner.post(f"/campaigns/{again['id']}/cancel")
        self.assertEqual(cancelled.json["status"], "cancelled")

    def test_night_advertising_is_refused_or_held_to_night_consent(self):
        day = self.customer("정낮", ["sms"])
        night = self.customer("한밤", ["sms", "night"])
        draft = self.create(self.campaign([day, night]))
        refused = self.owner.post(f"/campaigns/{draft['id']}/schedule", {"at": at_local(22)})
        self.assertReason(refused, 400, "night_hours", field="scheduled_at")
        self.assertEqual(self.owner.get(f"/campaigns/{draft['id']}").json["status"], "draft")
        early = self.owner.post(f"/campaigns/{draft['id']}/schedule", {"at": at_local(7)})
        self.assertReason(early, 400, "night_hours", field="scheduled_at")

        held = self.create(self.campaign([day, night], night_policy="night_consent_only"))
        queued = self.owner.post(f"/campaigns/{held['id']}/schedule", {"at": at_local(22)})
        self.assertEqual(queued.status, 200, queued)
        self.assertEqual(queued.json["counts"]["treated"], 1)
        [entry] = self.messages(day)
        self.assertEqual(entry["exclusion"], "night_without_consent")
        self.assertEqual(self.messages(night)[0]["group"], "treated")

        # E-mail is exempt from the night window.
        mail = self.customer("서메일", ["email"], email=f"{unique('m')}@example.com")
        email = self.create(self.campaign([mail], channel="email", subject="봄 할인", sender_number=""))
        sent = self.owner.post(f"/campaigns/{email['id']}/schedule", {"at": at_local(23)})
        self.assertEqual(sent.status, 200, sent)
        [entry] = self.messages(mail)
        self.assertTrue(entry["message"]["subject"].startswith("(광고)"), entry)
        self.assertIn("/u/", entry["message"]["body"])

    def test_the_composer_refuses_a_message_that_breaks_a_rule_and_names_it(self):
        someone = self.customer("규칙", ["sms", "kakao"])
        alimtalk = self.owner.post("/campaigns", self.campaign([someone], channel="alimtalk"))
        self.assertReason(alimtalk, 400, "rule_msg_02", field="channel")
        unregistered = self.owner.post("/campaigns", self.campaign([someone], sender_number="0299998888"))
        self.assertError(unregistered, 400, field="body")
        self.assertIn("MSG-06", unregistered.json["error"]["message"])
        emoji = self.owner.post("/campaigns", self.campaign([someone], body="#{이름}님 🎉 할인"))
        self.assertError(emoji, 400, field="body")
        staff = self.server.client(self.staff_token)
        self.assertEqual(staff.post("/campaigns", self.campaign([someone])).status, 403)
        self.assertError(self.owner.post("/campaigns", {**self.campaign([someone]), "channel": "fax"}), 400,
                         field="channel")

    def test_the_public_opt_out_link_withdraws_consent_without_a_login(self):
        customer = self.customer("윤링크", ["sms", "email"])
        link = self.owner.get(f"/customers/{customer}/opt-out-link")
        self.assertEqual(link.status, 200, link)
        token = link.json["url"].rsplit("/u/", 1)[1]
        anonymous = self.server.client()
        page = anonymous.get(f"/opt-out?token={token}")
        self.assertEqual(page.status, 200, page)
        self.assertEqual((page.json["business"], page.json["customer"], page.json["receiving"]),
                         (self.tenant.name, "윤*크", True))
        forged = token[:-1] + ("0" if token[-1] != "0" else "1")
        self.assertEqual(anonymous.get(f"/opt-out?token={forged}").status, 404)
        other = token.replace(f".{customer}.", f".{customer + 1}.")
        self.assertEqual(anonymous.post("/opt-out", {"token": other}).status, 404)
        done = anonymous.post("/opt-out", {"token": token})
        self.assertEqual((done.status, done.json["receiving"]), (200, False), done)
        history = self.owner.get(f"/customers/{customer}/consents").json["items"]
        self.assertIn(("sms", False, "opt_out_page"), [(e["channel"], e["granted"], e["source"]) for e in history])
        preview = self.owner.post("/campaigns/preview", self.campaign([customer], scheduled_at=at_local(11)))
        self.assertEqual(preview.json["exclusions"], {"no_consent": 1})
        # The confirmation notice (ADV-04) goes out as an informational SMS, never AlimTalk.
        notices = self.owner.post("/messaging/consent-notices")
        self.assertEqual(notices.status, 200, notices)
        self.assertGreaterEqual(notices.json["confirmations"], 1)
        sent = [e["message"] for e in self.messages(customer) if e["campaign_id"] is None]
        self.assertTrue(sent and all(m["channel"] in ("sms", "lms") and m["purpose"] == "informational" for m in sent))
        self.assertEqual(self.owner.post("/messaging/consent-notices").json["confirmations"], 0)
        processors = self.owner.get("/messaging/processors")
        self.assertIn("수탁자", processors.json["ko"])

    def test_the_control_group_gets_nothing_and_the_uplift_is_computed_from_orders(self):
        customers = [self.customer(f"대조{i}", ["sms", "night"]) for i in range(30)]
        template = self.owner.post("/coupon-templates", {"name": "아메리카노", "kind": "amount_off", "value": 3000,
                                                        "validity": "days", "valid_days": 14})
        self.assertEqual(template.status, 201, template)
        body = self.campaign(customers, control_share_permille=300, seed=12345, night_policy="night_consent_only",
                             coupon_template_id=template.json["id"], body="#{이름}님 쿠폰 #{쿠폰코드}")
        created = self.create(body)
        queued = self.owner.post(f"/campaigns/{created['id']}/schedule", {})
        self.assertEqual(queued.status, 200, queued)
        counts = queued.json["counts"]
        self.assertEqual(counts["treated"] + counts["control"], 30)
        self.assertGreater(counts["control"], 0)
        groups = {}
        for customer in customers:
            [entry] = self.messages(customer)
            groups[customer] = entry["group"]
            coupons = self.owner.get(f"/customers/{customer}/coupons").json["items"]
            if entry["group"] == "control":
                self.assertIsNone(entry["message"])
                self.assertEqual(coupons, [])
            else:
                [coupon] = coupons
                self.assertIn(coupon["code"], entry["message"]["body"])
        self.assertEqual(sum(1 for g in groups.values() if g == "control"), counts["control"])

        revenue = {c: 0 for c in customers}
        visits = {c: 0 for c in customers}
        for index, customer in enumerate(customers):
            for repeat in range(index % 3):
                total = 1000 * (1 + (index + repeat) % 7)
                posted = self.owner.post("/orders", {"branch_id": self.branch, "customer_id": customer,
                                                     "total": total})
                self.assertEqual(posted.status, 201, posted)
                revenue[customer] += total
                visits[customer] += 1
        report = self.owner.get(f"/campaigns/{created['id']}/report")
        self.assertEqual(report.status, 200, report)
        treated = [c for c in customers if groups[c] == "treated"]
        control = [c for c in customers if groups[c] == "control"]
        self.assertEqual(report.json["treated"]["revenue"], sum(revenue[c] for c in treated))
        self.assertEqual(report.json["control"]["visits"], sum(visits[c] for c in control))
        self.assertEqual(report.json["treated"]["buyers"], sum(1 for c in treated if visits[c]))
        diff, low, high = welch([revenue[c] for c in treated], [revenue[c] for c in control])
        got = report.json["uplift"]["revenue_per_customer"]
        self.assertAlmostEqual(got["difference"], diff, places=6)
        self.assertAlmostEqual(got["low"], low, places=6)
        self.assertAlmostEqual(got["high"], high, places=6)
        diff, _, _ = welch([visits[c] for c in treated], [visits[c] for c in control])
        self.assertAlmostEqual(report.json["uplift"]["visits_per_customer"]["difference"], diff, places=9)
        incremental = round((sum(revenue[c] for c in treated) / len(treated)
                             - sum(revenue[c] for c in control) / len(control)) * len(treated))
        self.assertEqual(report.json["uplift"]["incremental_revenue"], incremental)
        self.assertEqual(report.json["uplift"]["net"], incremental - queued.json["cost_estimate"])

    def test_loyalty_variables_are_each_recipients_own_in_preview_and_messages(self):
        program = self.owner.request("PUT", "/loyalty/program", {"preset": "points"})
        self.assertEqual(program.status, 200, program)
        saver = self.customer("정적립", ["sms"])
        newcomer = self.customer("한처음", ["sms"])
        for total in (12000, 8000):  # 1.5 % of 20,000 won: 300 points
            posted = self.owner.post("/orders", {"branch_id": self.branch, "customer_id": saver, "total": total})
            self.assertEqual(posted.status, 201, posted)
        body = self.campaign([saver, newcomer], purpose="informational", control_share_permille=0,
                             body="#{이름}님 포인트 #{포인트}점. #{다음보상}")
        preview = self.owner.post("/campaigns/preview", body)
        self.assertEqual(preview.status, 200, preview)
        expected = {saver: "정적립님 포인트 300점. 4,700포인트 더 모으면 사용할 수 있어요",
                    newcomer: "한처음님 포인트 0점. 5,000포인트 더 모으면 사용할 수 있어요"}
        # The preview shows each sample's own figures with the name masked; the messages carry it.
        samples = {s["customer_id"]: s["body"] for s in preview.json["samples"]}
        self.assertEqual(samples, {saver: expected[saver].replace("정적립", "정*립"),
                                   newcomer: expected[newcomer].replace("한처음", "한*음")})
        self.assertNotIn("정적립", preview.json["message"]["body"] + preview.json["message"].get("subject", ""))
        created = self.create(body)
        queued = self.owner.post(f"/campaigns/{created['id']}/schedule", {})
        self.assertEqual(queued.status, 200, queued)
        for customer, text in expected.items():
            [entry] = self.messages(customer)
            self.assertEqual(entry["message"]["body"], text)

    def test_the_right_of_access_holds_consents_messages_and_who_looked(self):
        customer = self.customer("유열람", ["sms"])
        phone = self.owner.get(f"/customers/{customer}").json["phone"]  # a view, logged
        self.assertEqual(self.owner.post(f"/customers/{customer}/opt-out", {"channels": ["email"]}).status, 204)
        body = self.campaign([customer], purpose="informational", control_share_permille=0,
                             body="#{이름}님, 적립 내역을 알려드려요")
        created = self.create(body)
        self.assertEqual(self.owner.post(f"/campaigns/{created['id']}/schedule", {}).status, 200)

        record = self.owner.get(f"/customers/{customer}/export")
        self.assertEqual(record.status, 200, record)
        consents = [(e["channel"], e["granted"], e["source"]) for e in record.json["consent_history"]]
        self.assertIn(("sms", True, "counter"), consents)
        self.assertIn(("email", False, "counter"), consents)
        [message] = record.json["messages"]
        self.assertEqual((message["channel"], message["purpose"], message["campaign_id"]),
                         ("sms", "informational", created["id"]))
        self.assertEqual(message["body"], "유열람님, 적립 내역을 알려드려요")
        digits = phone.replace("-", "")
        self.assertTrue(message["recipient"].endswith(digits[-8:]), message)
        actions = [e["action"] for e in record.json["access_log"]]
        self.assertIn("create", actions)
        self.assertIn("view_profile", actions)
        self.assertTrue(all(e["customer_id"] == customer for e in record.json["access_log"]))


if __name__ == "__main__":
    unittest.main()
