"""Two `dangol serve` processes on one PostgreSQL database, writing interleaved orders of one
business at once while both keep reading their analytics: afterwards each server's summary
(orders, revenue, customers) equals what the database holds, counted with psql. An order that
one server commits after the other has read a higher id must not be missed (docs/analytics.md)."""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import DangolTestCase, Server, Tenant, database_url, default_backend  # noqa: E402

WRITERS_PER_SERVER = 3
ORDERS_PER_WRITER = 60
CUSTOMERS = 24


class TwoServersTests(DangolTestCase):

    def setUp(self):
        if default_backend() != "postgres":
            self.skipTest("two servers share a database on PostgreSQL; SQLite commits one write at a time")
        self.directory = tempfile.TemporaryDirectory(prefix="dangol-two-")
        self.addCleanup(self.directory.cleanup)
        self.db_url = database_url("postgres", self.directory.name)
        self.psql = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
        self.tenant = Tenant(self.db_url, "two")
        self.servers = []
        for _ in range(2):
            server = Server(self.db_url, self.directory.name).start()
            self.addCleanup(server.stop)
            self.servers.append(server)

    def database_totals(self):
        """(orders, revenue, customers with a sale) of the business, straight from PostgreSQL."""
        query = ("SELECT COUNT(*), COALESCE(SUM(o.total), 0), COUNT(DISTINCT o.customer_id) FROM orders o "
                 "JOIN businesses b ON b.id = o.business_id WHERE b.slug = :'slug'")
        completed = subprocess.run([self.psql, "-X", "-At", "-v", f"slug={self.tenant.slug}", "-d", self.db_url],
                                   input=query + ";\n", capture_output=True, text=True, timeout=60)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        orders, revenue, customers = completed.stdout.strip().split("|")
        return int(orders), int(revenue), int(customers)

    def test_each_servers_summary_equals_the_database_after_interleaved_writes(self):
        clients = [server.client(self.tenant.owner_token) for server in self.servers]
        branch = clients[0].post("/branches", {"name": "본점"})
        self.assertStatus(branch, 200, 201)
        customers = []
        for index in range(CUSTOMERS):
            created = clients[index % 2].post("/customers", {"name": f"손님{index}", "phone": f"0105555{index:04d}"})
            self.assertEqual(created.status, 201, created)
            customers.append(created.json["id"])
        for client in clients:  # both servers hold built aggregates before the writes start
            self.assertEqual(client.get("/analytics/summary").status, 200)

        failures = []
        writing = threading.Event()
        writing.set()

        def write(client, seed):
            rng = random.Random(seed)
            for _ in range(ORDERS_PER_WRITER):
                body = {"branch_id": branch.json["id"], "customer_id": rng.choice(customers),
                        "total": rng.randint(1, 40) * 500}
                response = client.post("/orders", body)
                if response.status != 201:
                    failures.append(response)

        def read(client):
            while writing.is_set():
                response = client.get("/analytics/summary")
                if response.status != 200:
                    failures.append(response)

        writers = [threading.Thread(target=write, args=(clients[index % 2], index))
                   for index in range(2 * WRITERS_PER_SERVER)]
        readers = [threading.Thread(target=read, args=(client,)) for client in clients]
        for thread in writers + readers:
            thread.start()
        for thread in writers:
            thread.join(timeout=600)
        writing.clear()
        for thread in readers:
            thread.join(timeout=120)
        self.assertEqual(failures, [])

        orders, revenue, buyers = self.database_totals()
        self.assertEqual(orders, 2 * WRITERS_PER_SERVER * ORDERS_PER_WRITER)
        for index, client in enumerate(clients):
            summary = client.get("/analytics/summary").json
            self.assertEqual((summary["orders"], summary["revenue"], summary["customers"]),
                             (orders, revenue, buyers), f"server {index + 1}")


if __name__ == "__main__":
    unittest.main()
