"""Automations over HTTP, on SQLite and on PostgreSQL, with the server's clock started on a fixed
day (--clock-start) and the scheduler looking every second: a birthday automation sends once at
the business's local send hour, an advertising one only to customers with consent, none to the
control group; a `kill -9` and a restart on the same day neither lose the message nor send it
again; a coupon automation gives each treated customer their own coupon, whose use the report
counts; definitions with a bad field are refused naming it; presets switch on once; a task
automation puts its task on the customer card and staff close it."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import Server, ServerTestCase, Tenant, unique  # noqa: E402

CLOCK_START = "2026-12-10T11:30:00+09:00"
POLL_SECONDS = 30


def fresh_phone():
    return "010" + str(abs(hash(unique("a"))) % 10**8).zfill(8)


class AutomationTests(ServerTestCase):
    server_arguments = ("--clock-start", CLOCK_START, "--automation-interval-seconds", "1")

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "automation")
        cls.staff_token = cls.tenant.token("staff")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        owner = cls.server.client(cls.tenant.owner_token)
        settings = owner.request("PUT", "/api/v1/messaging/settings",
                                 {"contact": "02-555-1234", "opt_out_number": "080-123-4567"})
        assert settings.status == 200, settings
        sender = owner.post("/api/v1/messaging/sender-numbers", {"number": "02-1234-5678", "label": "본점"})
        assert sender.status == 201, sender

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)

    def customer(self, birthday, consents=()):
        body = {"name": "김단골", "phone": fresh_phone(), "birthday": birthday,
                "consents": [{"channel": c, "granted": True, "source": "counter"} for c in consents]}
        response = self.owner.post("/api/v1/customers", body)
        self.assertStatus(response, 201)
        return response.json["id"]

    def messages(self, customer):
        response = self.owner.get(f"/api/v1/customers/{customer}/messages")
        self.assertStatus(response, 200)
        return [item["message"] for item in response.json["items"]
                if item["message"] is not None and item["campaign_id"] is None]

    def automation(self, **fields):
        body = {"name": unique("생일"), "trigger": {"kind": "birthday", "days": 0}, "action": "message",
                "send_hour": 11, "channel": "sms", "purpose": "informational",
                "template": {"body": "#{이름}님 생일 축하드려요"}, "frequency_cap_days": 30,
                "control_share_permille": 0, "state": "active"}
        body.update(fields)
        response = self.owner.post("/api/v1/automations", body)
        self.assertStatus(response, 201)
        return response.json

    def wait_until_run(self, automation_id):
        deadline = time.monotonic() + POLL_SECONDS
        while time.monotonic() < deadline:
            current = self.owner.get(f"/api/v1/automations/{automation_id}").json
            if current["last_run_at"] is not None:
                return current
            time.sleep(0.2)
        self.fail(f"automation {automation_id} did not run\n{self.server.log_tail()}")

    def test_birthday_goes_once_only_with_consent_and_survives_kill(self):
        consenting = self.customer("1990-12-10", ["sms"])
        silent = self.customer("1991-12-10")
        other_day = self.customer("1992-12-24", ["sms"])
        created = self.automation(purpose="advertising",
                                  template={"body": "#{이름}님 생일 축하! 이번 주 음료 1+1"})
        self.assertEqual(created["state"], "active")
        self.wait_until_run(created["id"])
        sent = self.messages(consenting)
        self.assertEqual(len(sent), 1, sent)
        self.assertTrue(sent[0]["body"].startswith("(광고)"), sent[0]["body"])
        self.assertEqual(self.messages(silent), [])
        self.assertEqual(self.messages(other_day), [])

        dry = self.owner.get(f"/api/v1/automations/{created['id']}/dry-run?date=2026-12-10")
        self.assertStatus(dry, 200)
        self.assertEqual(dry.json["counts"]["would_send"], 0)
        self.assertEqual(dry.json["counts"]["excluded"].get("already_sent"), 1)
        self.assertEqual(dry.json["counts"]["excluded"].get("no_consent"), 1)

        # kill -9 and a restart on the same day: the pass runs again and sends nothing twice.
        self.server.kill()
        type(self).server = Server(self.db_url, self._directory.name, self.server_arguments).start()
        self.owner = self.server.client(self.tenant.owner_token)
        later = self.automation(name=unique("생일2"))
        self.wait_until_run(later["id"])
        self.assertEqual(len(self.messages(consenting)), 2)  # one from each automation
        keys = sorted(m["body"] for m in self.messages(consenting))
        self.assertEqual(len(set(keys)), 2)
        self.assertServerAlive()

    def test_control_group_gets_nothing(self):
        customers = [self.customer("1990-12-10") for _ in range(12)]
        created = self.automation(control_share_permille=500)
        self.wait_until_run(created["id"])
        received = sum(1 for c in customers if self.messages(c))
        dry = self.owner.get(f"/api/v1/automations/{created['id']}/dry-run?date=2026-12-10").json
        already = [line["customer_id"] for line in dry["excluded"] if line["reason"] == "already_sent"]
        self.assertEqual(sorted(set(already) & set(customers)), sorted(customers))
        self.assertLess(received, 12)
        self.assertGreater(received, 0)

        # The report counts every occurrence, treated (those messaged) and control.
        report = self.owner.get(f"/api/v1/automations/{created['id']}/report?window_days=14")
        self.assertStatus(report, 200)
        self.assertEqual(report.json["treated"]["customers"] + report.json["control"]["customers"], len(set(already)))
        self.assertGreater(report.json["control"]["customers"], 0)
        self.assertIn("low", report.json["difference"]["revenue_per_customer"])
        self.assertEqual(report.json["funnel"]["switched_on_at"], created["activated_at"])
        self.assertError(self.owner.get(f"/api/v1/automations/{created['id']}/report?window_days=0"), 400,
                         field="window_days")
        staff = self.server.client(self.staff_token)
        self.assertStatus(staff.get(f"/api/v1/automations/{created['id']}/report"), 403)

    def test_a_coupon_automation_gives_each_treated_customer_their_own_coupon(self):
        template = self.owner.post("/api/v1/coupon-templates", {"name": "생일 음료", "kind": "amount_off",
                                                                "value": 3000, "validity": "days", "valid_days": 14})
        self.assertStatus(template, 201)
        # Birthdays three days ahead, so that the other tests' birthday automations leave them alone.
        customers = [self.customer("1993-12-13", ["sms"]) for _ in range(8)]
        created = self.automation(name=unique("생일쿠폰"), coupon_template_id=template.json["id"],
                                  trigger={"kind": "birthday", "days": 3},
                                  control_share_permille=300,
                                  template={"body": "#{이름}님 생일 축하드려요. 음료 쿠폰 #{쿠폰코드}"})
        self.wait_until_run(created["id"])
        treated = {}
        for customer in customers:
            coupons = [c for c in self.owner.get(f"/api/v1/customers/{customer}/coupons").json["items"]
                       if c["template_id"] == template.json["id"]]
            sent = [m for m in self.messages(customer) if "음료 쿠폰" in m["body"]]
            if not sent:  # the control group: neither message nor coupon
                self.assertEqual(coupons, [])
                continue
            [coupon] = coupons
            [message] = sent
            self.assertEqual(coupon["source"], "automation")
            self.assertIn(coupon["code"], message["body"])
            treated[customer] = coupon["code"]
        self.assertGreater(len(treated), 0)
        self.assertEqual(len(set(treated.values())), len(treated))

        # A redemption counts for the treated group in the automation's report.
        branch = self.owner.post("/api/v1/branches", {"name": unique("본점")})
        self.assertStatus(branch, 201)
        customer, code = next(iter(treated.items()))
        used = self.owner.post("/api/v1/coupons/redeem", {"code": code, "customer_id": customer,
                                                          "branch_id": branch.json["id"], "amount": 10000})
        self.assertStatus(used, 200)
        report = self.owner.get(f"/api/v1/automations/{created['id']}/report?window_days=14")
        self.assertStatus(report, 200)
        self.assertEqual(report.json["treated"]["redemptions"], 1)
        self.assertEqual(report.json["control"]["redemptions"], 0)

    def test_bad_definitions_name_the_field(self):
        response = self.owner.post("/api/v1/automations", {"name": "x", "trigger": {"kind": "days_after_visit"},
                                                            "template": {"body": "안녕"}})
        self.assertError(response, 400, field="trigger.days")
        response = self.owner.post("/api/v1/automations", {"name": "x", "trigger": {"kind": "sometimes"},
                                                            "template": {"body": "안녕"}})
        self.assertError(response, 400, field="trigger.kind")
        response = self.owner.post("/api/v1/automations", {"name": "x", "trigger": {"kind": "birthday"},
                                                            "template": {"body": "#{모름} 안녕"}})
        self.assertError(response, 400, field="template.body")
        staff = self.server.client(self.staff_token)
        self.assertStatus(staff.get("/api/v1/automations"), 200)
        self.assertStatus(staff.post("/api/v1/automations", {"name": "x", "trigger": {"kind": "birthday"},
                                                             "template": {"body": "안녕"}}), 403)

    def test_presets_switch_on_once(self):
        presets = self.owner.get("/api/v1/automations/presets")
        self.assertStatus(presets, 200)
        self.assertEqual([p["key"] for p in presets.json["presets"]], ["cafe", "restaurant", "salon"])
        other = Tenant(self.db_url, "preset")
        client = self.server.client(other.owner_token)
        first = client.post("/api/v1/automations/presets/salon")
        self.assertStatus(first, 201)
        self.assertTrue(all(a["state"] == "active" for a in first.json["automations"]))
        self.assertEqual(first.json["already_present"], [])
        again = client.post("/api/v1/automations/presets/salon")
        self.assertError(again, 409)
        self.assertEqual(again.json["error"]["reason"], "preset_already_applied")

    def test_task_automation_lands_on_the_customer_card(self):
        customer = self.customer("1980-12-10")
        created = self.automation(action="task", task={"title": "전화: 생일 축하", "assignee": "none"})
        self.wait_until_run(created["id"])
        card = self.owner.get(f"/api/v1/customers/{customer}")
        self.assertStatus(card, 200)
        tasks = card.json["open_tasks"]
        self.assertEqual(len(tasks), 1, tasks)
        self.assertTrue(tasks[0]["title"].startswith("전화: 생일 축하"))
        staff = self.server.client(self.staff_token)
        done = staff.post(f"/api/v1/tasks/{tasks[0]['id']}/done")
        self.assertStatus(done, 200)
        self.assertEqual(done.json["status"], "done")
        again = staff.post(f"/api/v1/tasks/{tasks[0]['id']}/skip", {"note": "x"})
        self.assertError(again, 409)
        self.assertEqual(again.json["error"]["reason"], "task_closed")
        self.assertEqual(self.owner.get(f"/api/v1/customers/{customer}").json["open_tasks"], [])


if __name__ == "__main__":
    unittest.main()
