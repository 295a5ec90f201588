"""End-to-end tests of `dangol import` against a running `dangol serve`: what the command line
imports is what the API then answers (CP949 read, E.164 phones, orders with refunds and visit
statistics), a dry run writes nothing, a second import doubles nothing, and bad files are one line
and exit code 2. Runs on SQLite, and on PostgreSQL with DANGOL_E2E_BACKEND=postgres."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, items_of, run_cli, walk_pages  # noqa: E402

CUSTOMERS_CP949 = ("고객명;연락처;생년월일;이메일\r\n"
                   "홍길동;010.9876.5432;1980-01-02;Hong@Example.com\r\n"
                   "성춘향;(010) 1111-2222;1991/04/05;\r\n")

ORDERS = ("주문번호,주문일시,고객명,휴대폰,결제금액\n"
          "A-1,2024-03-01 12:30,김철수,010-5555-6666,\"12,000원\"\n"
          "A-2,2024.3.2 오후 1:05,김철수,010-5555-6666,₩8000\n"
          "A-3,2024-03-03,,,5000\n"
          "A-4,2024년 3월 4일,김철수,010-5555-6666,-3000\n")


class ImportTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "import")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)
        response = cls.owner.post("/branches", {"name": "본점"})
        if response.status not in (200, 201):
            raise AssertionError(f"POST /branches: {response!r}")

    def write(self, name, data):
        path = os.path.join(self._directory.name, name)
        with open(path, "wb") as file:
            file.write(data)
        return path

    def dangol_import(self, kind, path, *extra, expect_success=True):
        return run_cli(["import", "--db", self.db_url, "--business", self.tenant.slug, "--kind", kind,
                        *extra, path], expect_success=expect_success)

    def lookup(self, query):
        response = self.owner.get(f"/customers/lookup?q={query}")
        self.assertEqual(response.status, 200, repr(response))
        return items_of(response.json)

    def test_customers_from_a_cp949_file_arrive_normalised(self):
        path = self.write("customers.csv", CUSTOMERS_CP949.encode("cp949"))
        report = json.loads(self.dangol_import("customers", path, "--format", "json").stdout)
        self.assertEqual(report["file"]["encoding"], "cp949")
        self.assertEqual(report["file"]["delimiter"], ";")
        self.assertEqual(report["customers"]["created"], 2)
        self.assertTrue(report["committed"])
        hits = self.lookup("01098765432")
        self.assertEqual(len(hits), 1)
        profile = self.owner.get(f"/customers/{hits[0]['id']}")
        self.assertEqual(profile.status, 200)
        self.assertEqual(profile.json["name"], "홍길동")
        self.assertEqual(profile.json["phone"], "+821098765432")
        self.assertEqual(profile.json["email"], "hong@example.com")
        self.assertEqual(profile.json["source"], "import")
        # The same file again changes nothing.
        again = json.loads(self.dangol_import("customers", path, "--format", "json").stdout)
        self.assertEqual(again["customers"]["created"], 0)
        self.assertEqual(again["customers"]["unchanged"], 2)
        self.assertIsNotNone(again["previous_run_id"])

    def test_orders_arrive_with_refunds_and_visits_and_are_not_doubled(self):
        path = self.write("orders.csv", ORDERS.encode("utf-8"))
        dry = json.loads(self.dangol_import("orders", path, "--dry-run", "--format", "json").stdout)
        self.assertFalse(dry["committed"])
        self.assertEqual(dry["orders"]["created"], 4)
        self.assertEqual(self.lookup("01055556666"), [])
        self.dangol_import("orders", path)
        self.dangol_import("orders", path)
        hits = self.lookup("01055556666")
        self.assertEqual(len(hits), 1)
        orders = walk_pages(self.owner, f"/customers/{hits[0]['id']}/orders", 50)
        self.assertEqual(sorted(order["total"] for order in orders), [-3000, 8000, 12000])
        profile = self.owner.get(f"/customers/{hits[0]['id']}").json
        self.assertEqual(profile["visit_count"], 2)
        self.assertEqual(profile["total_spend"], 17000)

    def test_rejected_rows_stop_the_import_unless_valid_rows_are_asked_for(self):
        path = self.write("bad.csv", "이름,휴대폰\n박민수,010-1234\n최지우,010-7777-8888\n".encode())
        completed = self.dangol_import("customers", path, expect_success=False)
        self.assertEqual(completed.returncode, 2)
        self.assertEqual(completed.stderr.count("\n"), 1, completed.stderr)
        self.assertEqual(self.lookup("01077778888"), [])
        self.dangol_import("customers", path, "--valid-rows")
        self.assertEqual(len(self.lookup("01077778888")), 1)
        with open(path + ".rejects.csv", encoding="utf-8-sig") as rejects:
            self.assertIn("invalid_phone", rejects.read())

    def test_files_that_are_not_tables_are_one_line_and_exit_code_2(self):
        for name, data in (("empty.csv", b""), ("broken.xlsx", b"PK\x03\x04broken")):
            completed = self.dangol_import("customers", self.write(name, data), expect_success=False)
            self.assertEqual(completed.returncode, 2, completed.stderr)
            self.assertEqual(completed.stderr.count("\n"), 1, completed.stderr)
            self.assertTrue(completed.stderr.startswith("dangol: "), completed.stderr)


if __name__ == "__main__":
    unittest.main()
