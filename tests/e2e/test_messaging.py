"""The outbox end to end, against the local fake provider (scripts/fake-provider):

* kill -9 during dispatch: 10,000 messages are queued (rows written with SQL, as the campaigns
  side writes them in its transactions); `dangol serve --outbox` sends them to the Solapi-like
  fake, which refuses some requests with 503 (chosen by seed) and rate-limits; the server is killed
  with SIGKILL in mid-dispatch and started again. The fake must have received every message exactly
  once by idempotency key; the duplicate attempts it dropped are at most one claimed batch (the
  messages in flight at the kill); every row ends sent and then delivered with the fake's message
  id, and its history holds each step (MSG-08, MSG-09).
* e-mail through the SMTP sink: an advertising e-mail arrives with List-Unsubscribe and
  List-Unsubscribe-Post (one-click) headers and both text and HTML parts (ADV-03).

Runs on SQLite and on PostgreSQL (DANGOL_E2E_BACKEND)."""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import (DangolTestCase, Server, Tenant, create_business, database_url, default_backend,  # noqa: E402
                        unique)
from fake_provider import FakeProvider  # noqa: E402

MESSAGES = 10_000
CLAIM_BATCH = 500  # DispatcherSettings.claim_batch_size: the most a killed dispatcher has in flight
WAIT_SECONDS = 180


class Sql:
    """Runs SQL on the test database: sqlite3 for SQLite, psql for PostgreSQL."""

    def __init__(self, url):
        self.url = url

    def run(self, statement, params=()):
        if self.url.startswith("sqlite:"):
            with sqlite3.connect(self.url[len("sqlite:"):], timeout=30) as connection:
                return connection.execute(statement, params).fetchall()
        for value in params:  # psql gets literals: only integers and plain keys in these tests
            statement = statement.replace("?", str(value) if isinstance(value, int) else "'" + value + "'", 1)
        output = subprocess.run(["psql", self.url, "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", statement],
                                capture_output=True, text=True, check=True, timeout=120).stdout
        return [tuple(line.split("\t")) for line in output.splitlines() if line]

    def business_id(self, slug):
        return int(self.run("SELECT id FROM businesses WHERE slug = ?", (slug,))[0][0])

    def enqueue_many(self, business, prefix, count, now_micros):
        """Queues `count` informational SMS as the outbox rows the campaigns side writes."""
        sqlite = self.url.startswith("sqlite:")
        numbers = ("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {count}) "
                   if sqlite else "").format(count=count)
        source = "g" if sqlite else f"generate_series(1, {count}) AS g(n)"
        pad = "printf('%08d', n)" if sqlite else "lpad(n::text, 8, '0')"
        self.run(
            f"{numbers}INSERT INTO outbox_messages (business_id, channel, purpose, recipient, sender, body, "
            f"idempotency_key, status, attempts, next_attempt_at, due_at, created_at, updated_at) "
            f"SELECT {business}, 1, 1, '+8210' || {pad}, '0212345678', '포인트 적립 안내 ' || n, "
            f"'{prefix}-' || n, 1, 0, {now_micros}, {now_micros}, {now_micros}, {now_micros} FROM {source}")

    def status_counts(self, business):
        return {int(status): int(count) for status, count in self.run(
            "SELECT status, COUNT(*) FROM outbox_messages WHERE business_id = ? GROUP BY status", (business,))}


def now_micros():
    return int(time.time() * 1_000_000)


def wait_until(condition, what, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class MessagingTest(DangolTestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="dangol-messaging-")
        cls.db_url = database_url(default_backend(), cls.directory.name)
        cls.sql = Sql(cls.db_url)
        cls.fake = FakeProvider(cls.directory.name, "--seed", "13", "--rate", "3000", "--transient-rate", "0.05",
                                "--report-delay", "0.5").start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        cls.directory.cleanup()

    def server(self):
        env = dict(os.environ, **self.fake.solapi_env(rate=2000))
        return Server(self.db_url, self.directory.name,
                      arguments=["--outbox", "--outbox-lease-seconds", "3", "--outbox-report-poll-seconds", "1"],
                      env=env)

    def new_business(self, prefix):
        slug = unique(prefix)
        create_business(self.db_url, slug, f"가게 {slug}")
        return self.sql.business_id(slug)

    def test_kill_during_dispatch_sends_each_message_exactly_once(self):
        business = self.new_business("crash")
        self.sql.enqueue_many(business, "crash", MESSAGES, now_micros())
        keys = {f"{business}-crash-{n}" for n in range(1, MESSAGES + 1)}

        def ours():
            listing = self.fake.received()
            return [r for r in listing["received"] if r["key"] in keys], listing["attempts"]

        before = self.fake.count()
        server = self.server().start()
        try:
            wait_until(lambda: self.fake.count() - before >= 1500, "the first messages to arrive")
            server.kill()
        finally:
            server.kill()
        at_kill = len(ours()[0])
        self.assertLess(at_kill, MESSAGES, "the kill came after the dispatch had finished: nothing was tested")

        server = self.server().start()
        try:
            wait_until(lambda: self.sql.status_counts(business).get(4, 0) == MESSAGES,
                       "every message to be sent and reported delivered")
        finally:
            server.stop()

        received, attempts = ours()
        received_keys = [r["key"] for r in received]
        self.assertEqual(len(received_keys), MESSAGES)
        self.assertEqual(set(received_keys), keys, "each message received exactly once")
        duplicates = sum(attempts[key] - 1 for key in keys)
        self.assertLessEqual(duplicates, CLAIM_BATCH, "only messages in flight at the kill may be re-sent")
        self.assertEqual(self.sql.status_counts(business), {4: MESSAGES})

        # The row keeps the fake's message id, also for messages re-sent after the kill.
        ids = dict(self.sql.run("SELECT idempotency_key, provider_message_id FROM outbox_messages "
                                "WHERE business_id = ?", (business,)))
        by_key = {r["key"]: r["messageId"] for r in received}
        mismatched = [k for k, v in ids.items() if by_key.get(f"{business}-{k}") != v]
        self.assertEqual(mismatched, [])
        # Each message's history holds its claim and its delivery (MSG-08); a message whose sender
        # was killed before recording "sent" goes from sending to delivered by the report.
        incomplete = self.sql.run(
            "SELECT m.id FROM outbox_messages m WHERE m.business_id = ? AND ("
            "NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.status = 2) OR "
            "NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.status = 4))", (business,))
        self.assertEqual(incomplete, [])
        sent_events = int(self.sql.run(
            "SELECT COUNT(DISTINCT e.message_id) FROM message_events e JOIN outbox_messages m ON m.id = e.message_id "
            "WHERE m.business_id = ? AND e.status = 3", (business,))[0][0])
        self.assertGreaterEqual(sent_events, MESSAGES - CLAIM_BATCH)
        # The first arrivals carried what was queued.
        first = next(r for r in received if r["key"] == f"{business}-crash-1")
        self.assertEqual((first["to"], first["from"], first["type"]), ("01000000001", "0212345678", "SMS"))
        self.assertEqual(first["text"], "포인트 적립 안내 1")

    def test_advertising_email_carries_one_click_unsubscribe(self):
        business = self.new_business("mail")
        now = now_micros()
        self.sql.run(
            "INSERT INTO outbox_messages (business_id, channel, purpose, recipient, sender, subject, body, "
            "html_body, unsubscribe_url, idempotency_key, status, attempts, next_attempt_at, due_at, created_at, "
            f"updated_at) VALUES ({business}, 6, 2, 'kim@example.com', 'news@dangol.test', '(광고) 12월 소식', "
            "'단골커피 12월 신메뉴\n수신거부: https://d.test/u/1', '<p>단골커피</p><a href=\"https://d.test/u/1\">수신거부</a>', "
            f"'https://d.test/u/1', 'mail-1', 1, 0, {now}, {now}, {now}, {now})")
        server = self.server().start()
        try:
            wait_until(lambda: self.sql.status_counts(business).get(3, 0) == 1, "the e-mail to be sent")
        finally:
            server.stop()
        mails = [r for r in self.fake.received()["received"] if r["key"] == f"{business}-mail-1"]
        self.assertEqual(len(mails), 1)
        mail = mails[0]
        self.assertEqual(mail["type"], "EMAIL")
        self.assertEqual(mail["subject"], "(광고) 12월 소식")
        self.assertEqual(mail["listUnsubscribe"], "<https://d.test/u/1>")
        self.assertEqual(mail["listUnsubscribePost"], "List-Unsubscribe=One-Click")
        self.assertIn("단골커피 12월 신메뉴", mail["text"])
        self.assertIn("https://d.test/u/1", mail["html"])

    def test_a_business_sends_through_its_own_sealed_provider_credentials(self):
        own = FakeProvider(self.directory.name, "--api-key", "BIZKEY-0001-ABCD", "--api-secret", "biz-secret-value",
                           "--report-delay", "0.5").start()
        try:
            tenant = Tenant(self.db_url, "own")
            business = self.sql.business_id(tenant.slug)
            other = self.new_business("env")
            env = dict(os.environ, **self.fake.solapi_env(rate=2000), DANGOL_SECRET_KEY=os.urandom(32).hex())
            server = Server(self.db_url, self.directory.name,
                            arguments=["--outbox", "--outbox-report-poll-seconds", "1"], env=env).start()
            try:
                owner = server.client(tenant.owner_token)
                manager = server.client(tenant.token("manager"))
                self.assertEqual(manager.get("/messaging/providers").status, 403)
                empty = owner.get("/messaging/providers")
                self.assertEqual((empty.status, empty.json["server_key"], empty.json["providers"]),
                                 (200, True, []))
                bad = owner.request("PUT", "/messaging/providers", {"kind": "solapi", "api_key": "BIZKEY-0001-ABCD"})
                self.assertError(bad, 400, field="api_secret")
                self.assertError(owner.request("PUT", "/messaging/providers", {"kind": "aligo"}), 400, field="kind")
                saved = owner.request("PUT", "/messaging/providers", {
                    "kind": "solapi", "api_key": "BIZKEY-0001-ABCD", "api_secret": "biz-secret-value",
                    "base_url": own.url})
                self.assertEqual(saved.status, 200, saved)
                self.assertEqual(saved.json["providers"],
                                 [{"kind": "solapi", "key_id": "BIZK****ABCD", "base_url": own.url}])
                shown = owner.get("/messaging/providers")
                self.assertNotIn("biz-secret-value", shown.text)
                self.assertNotIn("BIZKEY-0001-ABCD", shown.text)
                [(provider, sealed)] = self.sql.run(
                    "SELECT provider, provider_credentials FROM messaging_settings WHERE business_id = ?", (business,))
                self.assertEqual(provider, "solapi")
                self.assertTrue(sealed.startswith("v1:"))
                self.assertNotIn("biz-secret-value", sealed)

                now = now_micros()
                for biz, key in ((business, "own-1"), (other, "env-1")):
                    self.sql.run(
                        "INSERT INTO outbox_messages (business_id, channel, purpose, recipient, sender, body, "
                        "idempotency_key, status, attempts, next_attempt_at, due_at, created_at, updated_at) "
                        f"VALUES ({biz}, 1, 1, '+821012345678', '0212345678', '적립 안내', '{key}', 1, 0, "
                        f"{now}, {now}, {now}, {now})")
                wait_until(lambda: self.sql.status_counts(business).get(4, 0) == 1
                           and self.sql.status_counts(other).get(4, 0) == 1, "both messages to be delivered")
            finally:
                server.stop()
            own_keys = {r["key"] for r in own.received()["received"]}
            env_keys = {r["key"] for r in self.fake.received()["received"]}
            self.assertIn(f"{business}-own-1", own_keys)
            self.assertNotIn(f"{business}-own-1", env_keys)
            self.assertIn(f"{other}-env-1", env_keys)
            self.assertNotIn(f"{other}-env-1", own_keys)
            with open(server.log_path, encoding="utf-8") as log:
                self.assertNotIn("biz-secret-value", log.read())
        finally:
            own.stop()


if __name__ == "__main__":
    unittest.main()
