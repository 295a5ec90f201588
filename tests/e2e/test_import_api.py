"""End-to-end tests of imports through the API: POST /imports with the file as the body starts a
job (202), GET /imports/{id} shows its state and progress and then the same report as
`dangol import --format json`, GET /imports/{id}/rejects gives the rejected rows of a valid_rows
run. A dry run writes nothing, a re-upload doubles nothing, bad parameters are a 400 naming the
parameter, a bad file a failed job naming the file. Runs on SQLite, and on PostgreSQL with
DANGOL_E2E_BACKEND=postgres."""

import csv
import io
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, items_of, walk_pages  # noqa: E402

CUSTOMERS_CP949 = ("고객명;연락처;생년월일;이메일\r\n"
                   "홍길동;010.9876.5432;1980-01-02;Hong@Example.com\r\n"
                   "성춘향;(010) 1111-2222;1991/04/05;\r\n")

ORDERS = ("주문번호,주문일시,고객명,휴대폰,결제금액\n"
          "A-1,2024-03-01 12:30,김철수,010-5555-6666,\"12,000원\"\n"
          "A-2,2024.3.2 오후 1:05,김철수,010-5555-6666,₩8000\n"
          "A-3,2024-03-03,,,5000\n")

WITH_A_BAD_ROW = "이름,휴대폰\n박민수,010-1234\n최지우,010-7777-8888\n"

JOB_DEADLINE_SECONDS = 120


class ImportApiTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "import-api")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)
        cls.staff = cls.server.client(cls.tenant.token("staff"))
        response = cls.owner.post("/branches", {"name": "본점"})
        if response.status not in (200, 201):
            raise AssertionError(f"POST /branches: {response!r}")

    def upload(self, query, data, client=None, content_type="text/csv"):
        return (client or self.owner).request("POST", f"/imports?{query}", raw=data,
                                              headers={"Content-Type": content_type})

    def finished(self, response):
        """Polls the job that `response` (a 202) started until it has ended; returns its JSON."""
        self.assertEqual(response.status, 202, repr(response))
        job = response.json
        self.assertEqual(response.header("Location"), f"/api/v1/imports/{job['id']}")
        self.assertIn(job["state"], ("queued", "running", "finished", "failed"))
        deadline = time.monotonic() + JOB_DEADLINE_SECONDS
        while job["state"] in ("queued", "running"):
            self.assertLess(time.monotonic(), deadline, f"import {job['id']} did not end: {job!r}")
            time.sleep(0.05)
            polled = self.owner.get(f"/imports/{job['id']}")
            self.assertEqual(polled.status, 200, repr(polled))
            job = polled.json
        return job

    def customer_count(self):
        return len(walk_pages(self.owner, "/customers", 200))

    def lookup(self, query):
        response = self.owner.get(f"/customers/lookup?q={query}")
        self.assertEqual(response.status, 200, repr(response))
        return items_of(response.json)

    def test_dry_run_reports_and_writes_nothing_then_the_real_run_and_a_reupload(self):
        data = CUSTOMERS_CP949.encode("cp949")
        before = self.customer_count()
        dry = self.finished(self.upload("kind=customers&dry_run=true", data))
        self.assertEqual(dry["state"], "finished", dry)
        self.assertTrue(dry["dry_run"])
        report = dry["report"]
        self.assertTrue(report["dry_run"])
        self.assertFalse(report["committed"])
        self.assertEqual(report["file"]["encoding"], "cp949")
        self.assertEqual(report["file"]["delimiter"], ";")
        self.assertEqual(report["customers"]["created"], 2)
        self.assertEqual([m["field"] for m in report["mapping"]], ["name", "phone", "birthday", "email"])
        self.assertEqual(dry["progress"], {"rows": 2, "bytes_read": len(data), "bytes_total": len(data)})
        self.assertEqual(self.customer_count(), before)

        real = self.finished(self.upload("kind=customers&dry_run=false&encoding=cp949", data))
        self.assertTrue(real["report"]["committed"])
        self.assertIsNotNone(real["report"]["run_id"])
        self.assertEqual(real["report"]["customers"]["created"], 2)
        self.assertEqual(self.customer_count(), before + 2)
        profile = self.owner.get(f"/customers/{self.lookup('01098765432')[0]['id']}").json
        self.assertEqual((profile["name"], profile["phone"], profile["email"]),
                         ("홍길동", "+821098765432", "hong@example.com"))

        again = self.finished(self.upload("kind=customers", data))
        self.assertEqual(again["report"]["customers"]["created"], 0)
        self.assertEqual(again["report"]["customers"]["unchanged"], 2)
        self.assertEqual(again["report"]["previous_run_id"], real["report"]["run_id"])
        self.assertEqual(self.customer_count(), before + 2)

    def test_orders_uploaded_twice_are_not_doubled(self):
        data = ORDERS.encode("utf-8")
        first = self.finished(self.upload("kind=orders&mode=all_or_nothing", data))
        self.assertEqual(first["report"]["orders"]["created"], 3, first)
        second = self.finished(self.upload("kind=orders", data))
        self.assertEqual(second["report"]["orders"]["created"], 0)
        self.assertEqual(second["report"]["orders"]["existing"], 3)
        hits = self.lookup("01055556666")
        self.assertEqual(len(hits), 1)
        orders = walk_pages(self.owner, f"/customers/{hits[0]['id']}/orders", 50)
        self.assertEqual(sorted(order["total"] for order in orders), [8000, 12000])

    def test_a_bad_row_stops_all_or_nothing_and_valid_rows_gives_the_rejects(self):
        data = WITH_A_BAD_ROW.encode("utf-8")
        stopped = self.finished(self.upload("kind=customers", data))
        self.assertEqual(stopped["state"], "finished")
        self.assertFalse(stopped["report"]["committed"])
        self.assertEqual(stopped["report"]["rows"]["rejected"], 1)
        self.assertIsNone(stopped["rejects_url"])
        self.assertEqual(self.lookup("01077778888"), [])
        self.assertError(self.owner.get(f"/imports/{stopped['id']}/rejects"), 409, field="mode")

        valid = self.finished(self.upload("kind=customers&mode=valid_rows", data))
        self.assertTrue(valid["report"]["committed"])
        self.assertEqual(len(self.lookup("01077778888")), 1)
        self.assertEqual(valid["rejects_url"], f"/api/v1/imports/{valid['id']}/rejects")
        rejects = self.owner.get(f"/imports/{valid['id']}/rejects")
        self.assertEqual(rejects.status, 200, repr(rejects))
        self.assertEqual(rejects.header("Content-Type"), "text/csv; charset=utf-8")
        self.assertEqual(rejects.header("Content-Disposition"),
                         f'attachment; filename="import-{valid["id"]}-rejects.csv"')
        self.assertTrue(rejects.body.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(rejects.body.decode("utf-8-sig"))))
        self.assertEqual(rows[0], ["이름", "휴대폰", "reason"])
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][:2], ["박민수", "010-1234"])
        self.assertIn("invalid_phone", rows[1][2])

    def test_a_file_that_is_not_a_table_fails_the_job_naming_the_file(self):
        before = self.customer_count()
        job = self.finished(self.upload("kind=customers", b"PK\x03\x04broken",
                                        content_type="application/vnd.openxmlformats-officedocument"
                                                     ".spreadsheetml.sheet"))
        self.assertEqual(job["state"], "failed", job)
        self.assertIsNone(job["report"])
        self.assertEqual(job["error"]["field"], "file", job)
        self.assertEqual(self.customer_count(), before)

    def test_bad_parameters_are_400_naming_them(self):
        data = WITH_A_BAD_ROW.encode("utf-8")
        for query, field in (("", "kind"), ("kind=people", "kind"), ("kind=customers&mode=some", "mode"),
                             ("kind=customers&dry_run=yes", "dry_run"), ("kind=customers&encoding=latin9", "encoding"),
                             ("kind=customers&delimiter=x", "delimiter"), ("kind=customers&mapping=name,nonsense", "mapping"),
                             ("kind=orders&branch_id=abc", "branch_id"),
                             ("kind=orders&currency_exponent=9", "currency_exponent")):
            with self.subTest(query=query):
                self.assertError(self.upload(query, data), 400, field=field)
        self.assertError(self.upload("kind=customers", b""), 400, field="body")

    def test_an_upload_over_64_mib_is_413(self):
        response = self.upload("kind=customers", b"x" * (64 * 1024 * 1024 + 1))
        self.assertError(response, 413, field="body")
        self.assertServerAlive()

    def test_staff_may_not_import_or_read_imports(self):
        started = self.upload("kind=customers&dry_run=true", CUSTOMERS_CP949.encode("cp949"))
        self.assertEqual(started.status, 202)
        self.assertError(self.upload("kind=customers&dry_run=true", b"a\n1\n", client=self.staff), 403)
        self.assertError(self.staff.get(f"/imports/{started.json['id']}"), 403)
        self.finished(started)

    def test_an_unknown_import_is_404(self):
        self.assertError(self.owner.get("/imports/987654321"), 404)
        self.assertError(self.owner.get("/imports/987654321/rejects"), 404)


if __name__ == "__main__":
    unittest.main()
