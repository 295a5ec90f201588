"""The outbox page's API over HTTP, on SQLite and on PostgreSQL: GET /messaging/outbox lists the
business's messages newest first with their status, recipients masked and the text of advertising
messages only; it filters by campaign and by status and pages with a cursor; one message answers
its status history from `queued`; staff and other businesses see nothing; and the campaign list
counts each campaign's messages by status."""

import os
import sys
import unittest
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, unique  # noqa: E402


KST = timezone(timedelta(hours=9))


def tomorrow_at_11():
    """Tomorrow at 11:00 Seoul time: inside the daytime window whatever the hour of the test."""
    day = datetime.now(KST).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, 11, tzinfo=KST).isoformat()


def fresh_phone():
    return "010" + str(abs(hash(unique("o"))) % 10**8).zfill(8)


class OutboxTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "outbox")
        cls.other = Tenant(cls.db_url, "outbox-other")
        cls.staff_token = cls.tenant.token("staff")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        owner = cls.server.client(cls.tenant.owner_token)
        settings = owner.request("PUT", "/api/v1/messaging/settings", {
            "contact": "02-555-1234", "opt_out_number": "080-123-4567", "frequency_cap_count": 10,
            "control_share_permille": 0})
        assert settings.status == 200, settings
        sender = owner.post("/messaging/sender-numbers", {"number": "02-1234-5678"})
        assert sender.status == 201, sender

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)

    def customer(self, name):
        phone = fresh_phone()
        created = self.owner.post("/customers", {
            "name": name, "phone": phone, "consents": [{"channel": "sms", "granted": True, "source": "counter"}]})
        self.assertEqual(created.status, 201, created)
        return created.json["id"], phone

    def queue_campaign(self, ids):
        body = {"name": unique("가을"), "purpose": "advertising", "channel": "sms",
                "audience": {"kind": "customer_ids", "value": ",".join(str(i) for i in ids)},
                "body": "#{이름}님, 가을 신메뉴 10% 할인", "sender_number": "0212345678"}
        created = self.owner.post("/campaigns", body)
        self.assertEqual(created.status, 201, created)
        queued = self.owner.post(f"/campaigns/{created.json['id']}/schedule", {"at": tomorrow_at_11()})
        self.assertEqual(queued.status, 200, queued)
        return created.json["id"]

    def outbox(self, query=""):
        answer = self.owner.get(f"/messaging/outbox{query}")
        self.assertEqual(answer.status, 200, answer)
        return answer.json

    def test_messages_are_listed_masked_filtered_paged_with_their_history(self):
        people = [self.customer(f"발송{i}") for i in range(3)]
        first = self.queue_campaign([people[0][0], people[1][0]])
        second = self.queue_campaign([people[2][0]])

        listed = self.outbox(f"?campaign_id={first}")["items"]
        self.assertEqual(len(listed), 2)
        self.assertEqual({m["customer_id"] for m in listed}, {people[0][0], people[1][0]})
        for message in listed:
            self.assertEqual((message["campaign_id"], message["status"], message["purpose"]),
                             (first, "queued", "advertising"))
            self.assertTrue(message["body"].startswith("(광고)"), message)
            self.assertIn("****", message["recipient"])
        text = str(self.outbox())
        for _, phone in people:
            self.assertNotIn(phone[3:], text)
        self.assertEqual([m["customer_id"] for m in self.outbox(f"?campaign_id={second}")["items"]], [people[2][0]])

        # Newest first, one page at a time.
        page = self.outbox("?limit=2")
        self.assertEqual(len(page["items"]), 2)
        self.assertIsNotNone(page["next_cursor"])
        self.assertGreater(page["items"][0]["id"], page["items"][1]["id"])
        rest = self.outbox(f"?limit=200&cursor={page['next_cursor']}")["items"]
        self.assertTrue(rest and all(m["id"] < page["items"][1]["id"] for m in rest))
        self.assertIn(people[2][0], [m["customer_id"] for m in page["items"]])

        # Cancelling the first campaign cancels its messages: the status filter and the history show it.
        self.assertEqual(self.owner.post(f"/campaigns/{first}/cancel").status, 200)
        cancelled = self.outbox(f"?status=cancelled&campaign_id={first}")["items"]
        self.assertEqual(len(cancelled), 2)
        self.assertEqual(self.outbox(f"?status=queued&campaign_id={first}")["items"], [])
        history = self.owner.get(f"/messaging/outbox/{cancelled[0]['id']}")
        self.assertEqual(history.status, 200, history)
        self.assertEqual([e["status"] for e in history.json["events"]][0], "queued")
        self.assertEqual(history.json["events"][-1]["status"], "cancelled")

        campaigns = {c["id"]: c for c in self.owner.get("/campaigns").json["items"]}
        self.assertEqual(campaigns[first]["messages"], {"cancelled": 2})
        self.assertEqual(campaigns[second]["messages"], {"queued": 1})

    def test_informational_text_is_not_shown(self):
        someone, _ = self.customer("안내")
        self.assertEqual(self.owner.post(f"/customers/{someone}/opt-out", {}).status, 204)
        notices = self.owner.post("/messaging/consent-notices")
        self.assertEqual(notices.status, 200, notices)
        mine = [m for m in self.outbox("?limit=200")["items"] if m["customer_id"] == someone]
        self.assertTrue(mine, "the confirmation notice is in the outbox")
        for message in mine:
            self.assertEqual((message["purpose"], message["body"], message["subject"]), ("informational", None, None))

    def test_bad_parameters_staff_and_other_businesses_are_refused(self):
        self.assertError(self.owner.get("/messaging/outbox?status=lost"), 400, field="status")
        self.assertError(self.owner.get("/messaging/outbox?limit=0"), 400, field="limit")
        self.assertError(self.owner.get("/messaging/outbox?campaign_id=x"), 400, field="campaign_id")
        staff = self.server.client(self.staff_token)
        self.assertEqual(staff.get("/messaging/outbox").status, 403)
        someone, _ = self.customer("남의것")
        campaign = self.queue_campaign([someone])
        [message] = self.outbox(f"?campaign_id={campaign}")["items"]
        stranger = self.server.client(self.other.owner_token)
        self.assertEqual(stranger.get(f"/messaging/outbox/{message['id']}").status, 404)
        self.assertEqual(stranger.get(f"/messaging/outbox?campaign_id={campaign}").json["items"], [])


if __name__ == "__main__":
    unittest.main()
