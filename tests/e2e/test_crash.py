"""Durability under kill -9: writer threads post orders and create customers as fast as they can,
the server is killed with SIGKILL while requests are in flight, and after a restart on the same
database (a SQLite file, or PostgreSQL) every acknowledged write must be there, whole, and every
customer's visit count and spend must equal the orders stored for them. Writes that were never
acknowledged, retried with the same external id, must be found or created exactly once. The
business runs a points program and some writers redeem points with an Idempotency-Key; customers
are created with one too: after each restart every acknowledged earn and redemption is in the
ledger, every balance is the sum of its ledger (`dangol ledger verify` agrees), and every
unanswered keyed request retried with its key either replays the committed answer or runs now,
once — no key is left "in progress". Three kills in a row, one database."""

import http.client
import os
import random
import signal
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import (DangolTestCase, Server, Tenant, database_url, default_backend, run_cli, sale,  # noqa: E402
                        walk_pages)

ROUNDS = 3
WRITERS = 8
WRITE_SECONDS = 2.5
MAX_WRITES_PER_WRITER = 20000  # a bound on each writer's loop; never reached in 2.5 s
REQUEST_TIMEOUT = 20
SOURCE = "crash-test"
PRODUCTS = [("아메리카노", "커피", 4500), ("카페라떼", "커피", 5000), ("치즈케이크", "디저트", 6500),
            ("크루아상", "베이커리", 3800), ("비빔밥", "식사", 9000), ("김치찌개", "식사", 8500)]
NAMES = ["김민준", "이서연", "박도윤", "최하윤", "정시우", "강지유", "조하준", "윤서아", "장은우", "임지호"]


def line_tuples(order_json):
    return [(l["product"], l["category"], l["quantity"], l["unit_price"]) for l in order_json["lines"]]


class Ledger:
    """What the writers tried and what the server acknowledged. Thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.customers = {}         # id -> (name, e164 phone), acknowledged
        self.orders = {}            # external id -> (order id, body), acknowledged
        self.unacknowledged_orders = {}  # external id -> body: sent, no 2xx seen
        self.unacknowledged_customers = {}  # idempotency key -> body: sent, no 2xx seen
        self.bad_answers = []       # answers other than the expected success
        self.earned = {}            # order id -> points its acknowledged answer said it earned
        self.redemptions = {}       # idempotency key -> (customer id, ledger entry id), acknowledged
        self.unacknowledged_redemptions = {}  # idempotency key -> (customer id, body)
        self.refused_redemptions = 0  # answered 409: the balance was short

    def customer_ids(self):
        with self.lock:
            return list(self.customers)


class Writer(threading.Thread):
    """Posts orders (80 %) and creates customers (20 %) until told to stop or the server is gone."""

    def __init__(self, client, ledger, branch_id, round_number, index, stop, run_id):
        super().__init__(daemon=True)
        self.run_id = run_id
        self.client, self.ledger, self.branch_id = client, ledger, branch_id
        self.round_number, self.index, self.stop = round_number, index, stop
        self.random = random.Random(round_number * 100 + index)

    def run(self):
        for sequence in range(MAX_WRITES_PER_WRITER):
            if self.stop.is_set():
                return
            roll = self.random.random()
            if roll < 0.2:
                self.create_customer(sequence)
            elif roll < 0.35:
                self.redeem(sequence)
            else:
                self.post_order(sequence)

    def send(self, path, body, headers=None):
        """The answer, or None when the connection failed (the server is being killed)."""
        try:
            return self.client.post(path, body, timeout=REQUEST_TIMEOUT, headers=headers)
        except (OSError, http.client.HTTPException):  # refused, reset, timed out, or a torn answer
            return None

    def create_customer(self, sequence):
        # 010-<2..4><writer><6 digits>: unique across rounds, writers and sequence numbers.
        digits = f"010{2 + self.round_number}{self.index}{sequence:06d}"
        body = {"name": self.random.choice(NAMES), "phone": digits}
        key = f"customer-{self.run_id}-{digits}"
        response = self.send("/customers", body, headers={"Idempotency-Key": key})
        with self.ledger.lock:
            if response is None:
                self.ledger.unacknowledged_customers[key] = body
            elif response.status == 201:
                self.ledger.customers[response.json["id"]] = (body["name"], "+82" + digits[1:])
            else:
                self.ledger.bad_answers.append(("POST /customers", body, response.status, response.text[:300]))

    def redeem(self, sequence):
        customers = self.ledger.customer_ids()
        if not customers:
            return
        customer_id = self.random.choice(customers)
        key = f"redeem-{self.run_id}-r{self.round_number}-w{self.index}-{sequence}"
        body = {"amount": 1, "branch_id": self.branch_id, "reason": "crash test"}
        response = self.send(f"/customers/{customer_id}/redeem", body, headers={"Idempotency-Key": key})
        with self.ledger.lock:
            if response is None:
                self.ledger.unacknowledged_redemptions[key] = (customer_id, body)
            elif response.status == 201:
                self.ledger.redemptions[key] = (customer_id, response.json["entry"]["id"])
            elif response.status == 409 and response.json["error"].get("field") == "amount":
                self.ledger.refused_redemptions += 1
            else:
                self.ledger.bad_answers.append(("POST redeem", key, response.status, response.text[:300]))

    def post_order(self, sequence):
        external_id = f"r{self.round_number}-w{self.index}-{sequence}"
        customers = self.ledger.customer_ids()
        customer_id = self.random.choice(customers) if customers and self.random.random() < 0.9 else None
        lines = [(product, category, self.random.randint(1, 3), price)
                 for product, category, price in self.random.sample(PRODUCTS, self.random.randint(1, 3))]
        fields = {"external_source": SOURCE, "external_id": external_id, "channel": "pos",
                  "total": sum(quantity * price for _, _, quantity, price in lines)}
        if customer_id is not None:
            fields["customer_id"] = customer_id
        body = sale(self.branch_id, lines, **fields)
        response = self.send("/orders", body)
        with self.ledger.lock:
            if response is None:
                self.ledger.unacknowledged_orders[external_id] = body
            elif response.status == 201:
                self.ledger.orders[external_id] = (response.json["id"], body)
                if response.json.get("loyalty"):
                    self.ledger.earned[response.json["id"]] = response.json["loyalty"]["earned"]
            else:
                self.ledger.bad_answers.append(("POST /orders", external_id, response.status, response.text[:300]))


class KillDashNineTests(DangolTestCase):

    def setUp(self):
        self.directory = tempfile.TemporaryDirectory(prefix="dangol-crash-")
        self.addCleanup(self.directory.cleanup)
        self.db_url = database_url(default_backend(), self.directory.name)
        self.tenant = Tenant(self.db_url, "crash")
        self.server = None

    def tearDown(self):
        if self.server is not None:
            self.server.kill()

    def start_server(self):
        self.server = Server(self.db_url, self.directory.name).start()
        return self.server.client(self.tenant.owner_token)

    def test_acknowledged_writes_survive_kill_9_and_nothing_is_half_written(self):
        client = self.start_server()
        branch = client.post("/branches", {"name": "본점"})
        self.assertIn(branch.status, (200, 201), branch)
        branch_id = branch.json["id"]
        program = client.request("PUT", "/loyalty/program", {"preset": "points", "min_balance_to_redeem": 0})
        self.assertEqual(program.status, 200, program)
        ledger = Ledger()
        for index in range(5):
            phone = f"0109{index}000000"
            created = client.post("/customers", {"name": NAMES[index], "phone": phone})
            self.assertEqual(created.status, 201, created)
            ledger.customers[created.json["id"]] = (NAMES[index], "+82" + phone[1:])

        for round_number in range(ROUNDS):
            with self.subTest(kill=round_number + 1):
                acknowledged_before = len(ledger.orders)
                self.write_and_kill(client, ledger, branch_id, round_number)
                self.assertEqual(ledger.bad_answers, [], "the live server refused writes")
                self.assertGreater(len(ledger.orders), acknowledged_before, "no order was acknowledged")
                print(f"\nkill {round_number + 1}: {len(ledger.orders) - acknowledged_before} orders and "
                      f"{len(ledger.customers)} customers acknowledged in all, "
                      f"{len(ledger.unacknowledged_orders)} orders and {len(ledger.unacknowledged_customers)} "
                      f"customers unanswered", file=sys.stderr)
                client = self.start_server()
                self.check_acknowledged_writes(client, ledger)
                self.check_customer_totals(client, ledger)
                self.check_loyalty(client, ledger)
                self.retry_unacknowledged_writes(client, ledger)
                self.retry_unacknowledged_redemptions(client, ledger)
                self.check_customer_totals(client, ledger)
                self.check_loyalty(client, ledger)
        print(f"\nloyalty: {len(ledger.redemptions)} redemptions acknowledged, {ledger.refused_redemptions} "
              f"refused for a short balance, {len(ledger.earned)} earning orders checked", file=sys.stderr)
        self.assertTrue(self.server.alive(), self.server.log_tail())

    def write_and_kill(self, client, ledger, branch_id, round_number):
        stop = threading.Event()
        writers = [Writer(self.server.client(self.tenant.owner_token), ledger, branch_id, round_number, index, stop,
                          self.tenant.slug)
                   for index in range(WRITERS)]
        for writer in writers:
            writer.start()
        stop.wait(WRITE_SECONDS)  # the writers run for this long, then the kill comes mid-stream
        self.assertTrue(self.server.alive(), f"the server died under load\n{self.server.log_tail()}")
        os.kill(self.server.process.pid, signal.SIGKILL)
        stop.set()
        self.server.kill()  # reaps the process
        for writer in writers:
            writer.join(timeout=REQUEST_TIMEOUT + 10)
            self.assertFalse(writer.is_alive(), "a writer did not stop")

    def check_acknowledged_writes(self, client, ledger):
        for external_id, (order_id, body) in ledger.orders.items():
            response = client.get(f"/orders/{order_id}")
            self.assertEqual(response.status, 200, f"acknowledged order {external_id} lost: {response!r}")
            self.assertEqual(response.json["total"], body["total"], external_id)
            self.assertEqual(response.json["external_id"], external_id)
            self.assertEqual(response.json.get("customer_id"), body.get("customer_id"), external_id)
            self.assertEqual(line_tuples(response.json), line_tuples(body), external_id)
        for customer_id, (name, phone) in ledger.customers.items():
            response = client.get(f"/customers/{customer_id}")
            self.assertEqual(response.status, 200, f"acknowledged customer {customer_id} lost: {response!r}")
            self.assertEqual((response.json["name"], response.json["phone"]), (name, phone))

    def check_customer_totals(self, client, ledger):
        """Each customer's visit count and spend equal the orders stored for them: an order and
        the change to its customer are committed together or not at all."""
        for customer_id in ledger.customers:
            customer = client.get(f"/customers/{customer_id}").json
            orders = walk_pages(client, f"/customers/{customer_id}/orders", 100)
            ids = [order["id"] for order in orders]
            self.assertEqual(len(ids), len(set(ids)), f"customer {customer_id}: an order listed twice")
            for order in orders:
                self.assertEqual(order["total"], sum(l["quantity"] * l["unit_price"] for l in order["lines"]),
                                 f"order {order['id']} has lines that do not add up to its total")
            self.assertEqual(customer["visit_count"], len(orders), f"customer {customer_id}")
            self.assertEqual(customer["total_spend"], sum(order["total"] for order in orders),
                             f"customer {customer_id}")

    def check_loyalty(self, client, ledger):
        """Every acknowledged earn and redemption is in the ledger; every balance is its ledger's sum."""
        entries_by_customer = {}
        for customer_id in ledger.customers:
            entries = walk_pages(client, f"/customers/{customer_id}/ledger", 200)
            entries_by_customer[customer_id] = entries
            account = client.get(f"/customers/{customer_id}/loyalty")
            self.assertEqual(account.status, 200, account)
            self.assertEqual(account.json["balance"], sum(entry["amount"] for entry in entries),
                             f"customer {customer_id}: the balance is not the sum of the ledger")
            self.assertGreaterEqual(account.json["balance"], 0, f"customer {customer_id} overdrawn")
        for key, (customer_id, entry_id) in ledger.redemptions.items():
            ids = {entry["id"] for entry in entries_by_customer[customer_id]}
            self.assertIn(entry_id, ids, f"acknowledged redemption {key} lost")
        for external_id, (order_id, body) in ledger.orders.items():
            earned = ledger.earned.get(order_id, 0)
            customer_id = body.get("customer_id")
            if not earned or customer_id is None:
                continue
            found = sum(entry["amount"] for entry in entries_by_customer[customer_id]
                        if entry["kind"] == "earn" and entry["order_id"] == order_id)
            self.assertEqual(found, earned, f"order {external_id}: its acknowledged earn is not in the ledger")
        verify = run_cli(["ledger", "verify", "--db", self.db_url, "--business", self.tenant.slug])
        self.assertIn("ledger ok", verify.stdout)

    def retry_unacknowledged_redemptions(self, client, ledger):
        """A redemption that got no answer, retried with its key: its committed answer replayed, or
        carried out now, once; never left "in progress"."""
        pending = dict(ledger.unacknowledged_redemptions)
        ledger.unacknowledged_redemptions.clear()
        replayed = 0
        for key, (customer_id, body) in pending.items():
            headers = {"Idempotency-Key": key}
            first = client.post(f"/customers/{customer_id}/redeem", body, headers=headers)
            self.assertIn(first.status, (201, 409), f"retry of {key}: {first!r}")
            second = client.post(f"/customers/{customer_id}/redeem", body, headers=headers)
            if first.status == 201:
                replayed += first.header("Idempotent-Replayed") == "true"
                self.assertEqual(second.status, 201, f"second retry of {key}: {second!r}")
                self.assertEqual(second.header("Idempotent-Replayed"), "true")
                self.assertEqual(second.json["entry"]["id"], first.json["entry"]["id"])
                ledger.redemptions[key] = (customer_id, first.json["entry"]["id"])
            else:
                # Only a short balance refuses a retry: a key is never left claimed without its answer.
                self.assertEqual(first.json["error"].get("field"), "amount", f"retry of {key}: {first!r}")
                self.assertEqual(second.status, 409, second)
        print(f"\n{len(pending)} unanswered redemptions retried, {replayed} replayed", file=sys.stderr)

    def retry_unacknowledged_writes(self, client, ledger):
        """A client that saw no answer retries: the write is found (committed before the kill) or
        made now, and a second retry finds that same order."""
        pending = dict(ledger.unacknowledged_orders)
        ledger.unacknowledged_orders.clear()
        for external_id, body in pending.items():
            first = client.post("/orders", body)
            self.assertIn(first.status, (200, 201), f"retry of {external_id}: {first!r}")
            again = client.post("/orders", body)
            self.assertEqual((again.status, again.json["id"]), (200, first.json["id"]),
                             f"second retry of {external_id} made another order")
            self.assertEqual(first.json["total"], body["total"])
            self.assertEqual(line_tuples(first.json), line_tuples(body))
            ledger.orders[external_id] = (first.json["id"], body)
        pending_customers = dict(ledger.unacknowledged_customers)
        ledger.unacknowledged_customers.clear()
        replayed = 0
        for key, body in pending_customers.items():
            # Keyed: a customer committed before the kill is answered again, not refused as a
            # duplicate phone; one that was not is created now.
            response = client.post("/customers", body, headers={"Idempotency-Key": key})
            self.assertEqual(response.status, 201, f"retry of customer {body['phone']}: {response!r}")
            replayed += response.header("Idempotent-Replayed") == "true"
            again = client.post("/customers", body, headers={"Idempotency-Key": key})
            self.assertEqual((again.status, again.header("Idempotent-Replayed"), again.json["id"]),
                             (201, "true", response.json["id"]), f"second retry of customer {body['phone']}")
            found = client.get(f"/customers/lookup?q={body['phone']}").json["items"]
            self.assertEqual([customer["id"] for customer in found], [response.json["id"]])
            ledger.customers[response.json["id"]] = (body["name"], "+82" + body["phone"][1:])
        print(f"{len(pending_customers)} unanswered customers retried, {replayed} replayed", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
