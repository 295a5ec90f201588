"""End-to-end tests of data going out: the customer list's server-side filters (each bad parameter
a 400 naming it), customer and order exports as CSV and XLSX (UTF-8 with a BOM; masked on request;
every export in the access log), a CSV export imported into another business giving the same
customers, an XLSX export read back by the import's own XLSX reader, and `dangol export`. Runs on
SQLite, and on PostgreSQL with DANGOL_E2E_BACKEND=postgres."""

import csv
import io
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, items_of, run_cli, sale, walk_pages  # noqa: E402

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (name, phone, email, birthday, tags, sms consent, visits as order totals)
PEOPLE = [
    ("김단골", "010-4100-0001", "dangol@example.com", {"date": "1985-03-01"}, ["VIP", "단골"], True,
     [12000, 8000, 5000]),
    ("이첫손", "010-4100-0002", "first@example.com", None, [], False, [3000]),
    ("박예비", "010-4100-0003", None, {"date": "1999-12-31"}, ["예비"], True, []),
    ("Smith, \"Jo\"", "010-4100-0004", "jo@example.com", None, ["영어"], False, [20000, 1000]),
]


def csv_rows(body):
    """The rows of a CSV download, which must start with the UTF-8 byte-order mark."""
    assert body.startswith(b"\xef\xbb\xbf"), body[:20]
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


class ExportTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "export")
        cls.copy = Tenant(cls.db_url, "export-copy")
        cls.access = Tenant(cls.db_url, "export-access")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)
        cls.copy_owner = cls.server.client(cls.copy.owner_token)
        cls.staff = cls.server.client(cls.tenant.token("staff"))
        cls.branch = cls.owner.post("/branches", {"name": "본점"}).json["id"]
        cls.second_branch = cls.owner.post("/branches", {"name": "2호점"}).json["id"]
        cls.ids = {}
        for name, phone, email, birthday, tags, sms, totals in PEOPLE:
            body = {"name": name, "phone": phone, "tags": tags,
                    "consents": [{"channel": "sms", "granted": sms, "source": "kiosk"}]}
            if email:
                body["email"] = email
            if birthday:
                body["birthday"] = birthday
            response = cls.owner.post("/customers", body)
            if response.status != 201:
                raise AssertionError(f"POST /customers: {response!r}")
            cls.ids[name] = response.json["id"]
            for index, total in enumerate(totals):
                branch = cls.branch if index % 2 == 0 else cls.second_branch
                order = cls.owner.post("/orders", sale(branch, [("라떼", "커피", 1, total)], customer_id=cls.ids[name]))
                if order.status != 201:
                    raise AssertionError(f"POST /orders: {order!r}")

    def names(self, query):
        items = walk_pages(self.owner, f"/customers?{query}", 2)
        return sorted(item["name"] for item in items)

    def export_log(self):
        entries = items_of(self.owner.get("/access-log?limit=200").json)
        return [entry for entry in entries if entry["action"] == "export"]

    # ---- The list's filters ----

    def test_the_list_filters_on_the_server_across_pages(self):
        self.assertEqual(self.names("tag=VIP"), ["김단골"])
        self.assertEqual(self.names("consent=sms"), ["김단골", "박예비"])
        self.assertEqual(self.names("visits_min=1&visits_max=2"), sorted(["이첫손", "Smith, \"Jo\""]))
        self.assertEqual(self.names("spend_min=20000"), sorted(["김단골", "Smith, \"Jo\""]))
        self.assertEqual(self.names("spend_max=0"), ["박예비"])
        self.assertEqual(self.names("stage=prospect"), ["박예비"])
        self.assertEqual(self.names("stage=regular"), sorted(["김단골", "Smith, \"Jo\""]))
        self.assertEqual(self.names("last_visit_after=2000-01-01"), sorted(["김단골", "이첫손", "Smith, \"Jo\""]))
        self.assertEqual(self.names("last_visit_before=2000-01-01"), [])
        self.assertEqual(self.names("tag=VIP&stage=prospect"), [])

    def test_each_bad_filter_is_400_naming_it(self):
        for query, field in (("tier=%EA%B3%A8%EB%93%9C", "tier"), ("stage=vip", "stage"), ("consent=fax", "consent"),
                             ("visits_min=-1", "visits_min"), ("visits_max=two", "visits_max"),
                             ("spend_min=1.5", "spend_min"), ("spend_max=1e3", "spend_max"),
                             ("visits_min=5&visits_max=1", "visits_min"), ("spend_min=9&spend_max=1", "spend_min"),
                             ("last_visit_before=yesterday", "last_visit_before"),
                             ("last_visit_after=2024-13-01", "last_visit_after"),
                             ("last_visit_after=2024-03-02&last_visit_before=2024-03-01", "last_visit_after"),
                             ("cursor=x", "cursor")):
            with self.subTest(query=query):
                self.assertError(self.owner.get(f"/customers?{query}"), 400, field=field)
                if query != "cursor=x":
                    self.assertError(self.owner.get(f"/exports/customers?{query}"), 400, field=field)

    # ---- Customer exports ----

    def test_a_csv_export_has_a_bom_every_customer_and_is_logged(self):
        before = len(self.export_log())
        response = self.owner.get("/exports/customers?format=csv")
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.header("Content-Type"), "text/csv; charset=utf-8")
        self.assertRegex(response.header("Content-Disposition"), r'^attachment; filename="customers-\d{8}\.csv"$')
        rows = csv_rows(response.body)
        header = rows[0]
        self.assertEqual(header[:7], ["id", "name", "phone", "email", "birthday", "gender", "tags"])
        by_name = {row[1]: dict(zip(header, row)) for row in rows[1:]}
        self.assertEqual(set(by_name), {person[0] for person in PEOPLE})
        kim = by_name["김단골"]
        self.assertEqual((kim["phone"], kim["email"], kim["birthday"], kim["tags"]),
                         ("+821041000001", "dangol@example.com", "1985-03-01", "VIP;단골"))
        self.assertEqual((kim["visit_count"], kim["total_spend"], kim["stage"]), ("3", "25000", "regular"))
        log = self.export_log()
        self.assertEqual(len(log), before + 1)
        self.assertEqual(log[0]["detail"], "customers csv rows=4 masked=no")
        self.assertIsNone(log[0]["customer_id"])

    def test_a_masked_export_shows_no_name_phone_email_or_birthday(self):
        response = self.owner.get("/exports/customers?format=csv&mask=true&consent=sms")
        self.assertEqual(response.status, 200, repr(response))
        rows = csv_rows(response.body)
        self.assertEqual(len(rows), 3)
        text = response.body.decode("utf-8-sig")
        for name, phone, email, *_ in PEOPLE:
            self.assertNotIn(name, text)
            self.assertNotIn(phone.replace("-", ""), text.replace("-", "").replace("+82", "0"))
            if email:
                self.assertNotIn(email, text)
        self.assertNotIn("1999-12-31", text)
        masked = {row[1] for row in rows[1:]}
        self.assertEqual(masked, {"김*골", "박*비"})
        self.assertIn("010-****-0001", text)
        self.assertEqual(self.export_log()[0]["detail"], "customers csv rows=2 masked=yes")

    def test_a_csv_export_imported_elsewhere_gives_the_same_customers(self):
        exported = self.owner.get("/exports/customers?format=csv")
        self.assertEqual(exported.status, 200)
        started = self.copy_owner.request("POST", "/imports?kind=customers", raw=exported.body,
                                          headers={"Content-Type": "text/csv"})
        job = self.wait_for(self.copy_owner, started)
        self.assertEqual(job["state"], "finished", job)
        self.assertTrue(job["report"]["committed"], job)
        self.assertEqual(job["report"]["customers"]["created"], len(PEOPLE))

        def people(client):
            result = []
            for summary in walk_pages(client, "/customers", 50):
                profile = client.get(f"/customers/{summary['id']}").json
                result.append((profile["name"], profile["phone"], profile["email"],
                               (profile["birthday"] or {}).get("date"), sorted(profile["tags"])))
            return sorted(result, key=repr)

        self.assertEqual(people(self.copy_owner), people(self.owner))

    def test_an_xlsx_export_is_read_back_by_the_import(self):
        response = self.owner.get("/exports/customers?format=xlsx&tag=VIP")
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.header("Content-Type"), XLSX_TYPE)
        self.assertTrue(response.body.startswith(b"PK\x03\x04"))
        self.assertRegex(response.header("Content-Disposition"), r'filename="customers-\d{8}\.xlsx"')
        # The import's dry run reads the workbook with the project's XLSX reader.
        started = self.copy_owner.request("POST", "/imports?kind=customers&dry_run=true", raw=response.body,
                                          headers={"Content-Type": XLSX_TYPE})
        job = self.wait_for(self.copy_owner, started)
        self.assertEqual(job["state"], "finished", job)
        report = job["report"]
        self.assertEqual(report["file"]["format"], "xlsx")
        self.assertEqual(report["rows"]["read"], 1)
        self.assertEqual(report["rows"]["rejected"], 0, report)
        # The export's own id has no customer field: it is kept as an attribute of the copy.
        self.assertEqual([m["field"] for m in report["mapping"]][:7],
                         ["attribute", "name", "phone", "email", "birthday", "gender", "tags"])
        self.assertEqual(self.export_log()[0]["detail"], "customers xlsx rows=1 masked=no")

    def wait_for(self, client, started, deadline_seconds=120):
        self.assertEqual(started.status, 202, repr(started))
        job = started.json
        deadline = time.monotonic() + deadline_seconds
        while job["state"] in ("queued", "running"):
            self.assertLess(time.monotonic(), deadline, repr(job))
            time.sleep(0.05)
            job = client.get(f"/imports/{job['id']}").json
        return job

    # ---- Order exports ----

    def test_orders_export_one_row_per_line_in_range_and_branch(self):
        response = self.owner.get("/exports/orders?format=csv")
        self.assertEqual(response.status, 200, repr(response))
        rows = csv_rows(response.body)
        header = rows[0]
        self.assertEqual(header[:3], ["order_id", "ordered_at", "kind"])
        self.assertEqual(len(rows) - 1, sum(len(person[6]) for person in PEOPLE))
        self.assertNotIn("김단골", response.text)
        totals = sorted(int(dict(zip(header, row))["total"]) for row in rows[1:])
        self.assertEqual(totals, sorted(total for person in PEOPLE for total in person[6]))
        second = csv_rows(self.owner.get(f"/exports/orders?branch_id={self.second_branch}").body)
        self.assertEqual(len(second) - 1, 2)  # the second order of 김단골 and of Smith
        future = csv_rows(self.owner.get("/exports/orders?from=2099-01-01").body)
        self.assertEqual(len(future), 1)
        self.assertEqual(self.export_log()[0]["detail"], "orders csv rows=0 masked=n/a")
        xlsx = self.owner.get("/exports/orders?format=xlsx&to=2099-01-01")
        self.assertEqual(xlsx.status, 200)
        self.assertEqual(xlsx.header("Content-Type"), XLSX_TYPE)

    def test_bad_order_export_parameters(self):
        self.assertError(self.owner.get("/exports/orders?format=pdf"), 400, field="format")
        self.assertError(self.owner.get("/exports/orders?from=soon"), 400, field="from")
        self.assertError(self.owner.get("/exports/orders?from=2024-03-02&to=2024-03-01"), 400, field="from")
        self.assertError(self.owner.get("/exports/orders?branch_id=x"), 400, field="branch_id")
        self.assertError(self.owner.get("/exports/orders?branch_id=987654321"), 404)
        other_branch = self.copy_owner.post("/branches", {"name": "남의 지점"}).json["id"]
        self.assertError(self.owner.get(f"/exports/orders?branch_id={other_branch}"), 404)
        self.assertError(self.owner.get("/exports/customers?mask=yes"), 400, field="mask")

    def test_staff_may_not_export(self):
        self.assertError(self.staff.get("/exports/customers"), 403)
        self.assertError(self.staff.get("/exports/orders"), 403)

    # ---- The right of access ----

    def test_one_customers_complete_data_as_json_is_logged(self):
        owner = self.server.client(self.access.owner_token)
        branch = owner.post("/branches", {"name": "본점"}).json["id"]
        program = owner.request("PUT", "/loyalty/program", {"preset": "points"})
        self.assertEqual(program.status, 200, repr(program))
        customer = owner.post("/customers", {"name": "정열람", "phone": "010-4100-0099", "tags": ["열람"],
                                                  "consents": [{"channel": "kakao", "granted": True, "source": "kiosk"}]}).json["id"]
        friend = owner.post("/customers", {"name": "정친구", "phone": "010-4100-0098"}).json["id"]
        self.assertEqual(owner.post(f"/customers/{customer}/preferences",
                                         {"kind": "allergy", "subject": "땅콩"}).status, 201)
        self.assertEqual(owner.post(f"/customers/{customer}/notes", {"text": "창가 자리"}).status, 201)
        order = owner.post("/orders", sale(branch, [("라떼", "커피", 2, 5000)], customer_id=customer))
        self.assertEqual(order.status, 201, repr(order))
        template = owner.post("/coupon-templates", {"name": "천원", "kind": "amount_off", "value": 1000}).json["id"]
        self.assertEqual(owner.post(f"/customers/{customer}/coupons", {"template_id": template}).status, 201)
        code = owner.get(f"/customers/{customer}/loyalty").json["referral_code"]
        self.assertEqual(owner.post(f"/customers/{friend}/referral", {"code": code}).status, 201)

        response = owner.get(f"/customers/{customer}/export")
        self.assertEqual(response.status, 200, repr(response))
        data = response.json
        self.assertEqual(data["customer"]["name"], "정열람")
        self.assertEqual(data["customer"]["phone"], "+821041000099")
        self.assertEqual([c["channel"] for c in data["customer"]["consents"] if c["granted"]], ["kakao"])
        self.assertEqual([p["subject"] for p in data["customer"]["preferences"]], ["땅콩"])
        self.assertEqual([n["text"] for n in data["notes"]], ["창가 자리"])
        self.assertEqual([(o["total"], len(o["lines"])) for o in data["orders"]], [(10000, 1)])
        self.assertGreater(len(data["loyalty"]["ledger"]), 0)
        self.assertEqual(data["loyalty"]["account"]["referral_code"], code)
        self.assertEqual([c["name"] for c in data["coupons"]], ["천원"])
        self.assertEqual([r["customer_id"] for r in data["referrals"]["referred"]], [friend])
        self.assertIsNone(data["referrals"]["referred_by"])
        log = items_of(owner.get(f"/access-log?customer_id={customer}").json)
        self.assertIn(("export", "customer data json"), [(entry["action"], entry["detail"]) for entry in log])

        path = os.path.join(self._directory.name, "customer.json")
        run_cli(["export", "--db", self.db_url, "--business", self.access.slug, "--kind", "customer",
                 "--customer-id", str(customer), "--output", path])
        with open(path, encoding="utf-8") as file:
            from_cli = json.load(file)
        from_cli.pop("exported_at")
        data.pop("exported_at")
        # Who looked at the customer: the later copy also holds the export the API just logged.
        cli_log, api_log = from_cli.pop("access_log"), data.pop("access_log")
        self.assertEqual((cli_log[0]["action"], cli_log[0]["detail"]), ("export", "customer data json"))
        self.assertEqual(cli_log[1:], api_log)
        self.assertIn("create", [entry["action"] for entry in api_log])
        self.assertEqual(from_cli, data)
        staff = self.server.client(self.access.token("staff"))
        self.assertError(staff.get(f"/customers/{customer}/export"), 403)
        self.assertError(self.owner.get(f"/customers/{customer}/export"), 404)
        missing = run_cli(["export", "--db", self.db_url, "--business", self.access.slug, "--kind", "customer",
                           "--customer-id", "987654321", "--output", path], expect_success=False)
        self.assertEqual(missing.returncode, 2, missing.stderr)

    # ---- The command line ----

    def test_dangol_export_writes_the_file_and_refuses_bad_arguments(self):
        path = os.path.join(self._directory.name, "customers.xlsx")
        completed = run_cli(["export", "--db", self.db_url, "--business", self.tenant.slug, "--kind", "customers",
                             "--format", "xlsx", "--mask", "--output", path])
        self.assertIn("4 customers written", completed.stdout)
        with open(path, "rb") as file:
            self.assertTrue(file.read(4) == b"PK\x03\x04")
        self.assertFalse(os.path.exists(path + ".partial"))
        self.assertEqual(self.export_log()[0]["detail"], "customers xlsx rows=4 masked=yes")
        csv_path = os.path.join(self._directory.name, "orders.csv")
        run_cli(["export", "--db", self.db_url, "--business", self.tenant.slug, "--kind", "orders",
                 "--branch", "2호점", "--output", csv_path])
        with open(csv_path, "rb") as file:
            self.assertEqual(len(csv_rows(file.read())), 3)
        for args in (["--kind", "people", "--output", path], ["--kind", "customers"],
                     ["--kind", "customers", "--format", "pdf", "--output", path],
                     ["--kind", "orders", "--from", "later", "--output", path],
                     ["--kind", "orders", "--branch", "없는 지점", "--output", path],
                     ["--kind", "orders", "--mask", "--output", path],
                     ["--kind", "customer", "--output", path]):
            with self.subTest(args=args):
                completed = run_cli(["export", "--db", self.db_url, "--business", self.tenant.slug, *args],
                                    expect_success=False)
                self.assertEqual(completed.returncode, 2, completed.stderr)
                self.assertEqual(completed.stderr.count("\n"), 1, completed.stderr)
                self.assertTrue(completed.stderr.startswith("dangol: "), completed.stderr)


if __name__ == "__main__":
    unittest.main()
