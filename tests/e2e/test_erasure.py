"""Erasure end to end (PIPA-03), on SQLite and PostgreSQL: a customer with orders, points, notes,
preferences, consents, a merged duplicate, an import row of theirs that was rejected and a request
answered under an Idempotency-Key is erased by a manager with a reason; then every table of the
database and every file the server keeps is scanned for their name, phone (as written, E.164 and
digits only) and e-mail, and none may remain. Orders stay as anonymous rows, `dangol ledger verify`
still passes, the customer is no longer found, a second erasure is refused (409) and so is an edit
(404). The retention setting and its dry run are checked with the server's fixed clock."""

import csv
import shutil
import sqlite3
import subprocess
import time
import unittest
import uuid
from pathlib import Path

from dangol_e2e import ServerTestCase, Tenant, items_of, run_cli, walk_pages

CLOCK_START = "2025-06-01T12:00:00+09:00"
JOB_DEADLINE_SECONDS = 60


def distinctive_person():
    """A name, phone and e-mail no other test uses (random Hangul syllables and digits)."""
    seed = uuid.uuid4().int
    syllables = "".join(chr(0xAC00 + (seed >> (16 * i)) % 11172) for i in range(3))
    digits = str(seed % 10**8).zfill(8)
    second = str((seed >> 40) % 10**8).zfill(8)
    return {"name": "남궁" + syllables, "phone": f"010-{digits[:4]}-{digits[4:]}",
            "phone2": f"010-{second[:4]}-{second[4:]}", "email": f"erase.{uuid.uuid4().hex[:12]}@example.com",
            "email2": f"erase2.{uuid.uuid4().hex[:12]}@example.com"}


def forms_of(person):
    """Every form the person's data could be stored in."""
    forms = [person["name"], person["email"], person["email2"]]
    for phone in (person["phone"], person["phone2"]):
        digits = phone.replace("-", "")
        forms += [phone, digits, "+82" + digits[1:]]
    return forms


class ErasureTests(ServerTestCase):
    server_arguments = ("--clock-start", CLOCK_START)

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "erase")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)
        cls.manager = cls.server.client(cls.tenant.token("manager"))
        cls.staff = cls.server.client(cls.tenant.token("staff"))
        branch = cls.owner.post("/branches", {"name": "본점"})
        assert branch.status == 201, branch
        cls.branch = branch.json["id"]
        program = cls.owner.request("PUT", "/loyalty/program", {"preset": "points"})
        assert program.status == 200, program

    def finished(self, response):
        self.assertEqual(response.status, 202, repr(response))
        job = response.json
        deadline = time.monotonic() + JOB_DEADLINE_SECONDS
        while job["state"] in ("queued", "running"):
            self.assertLess(time.monotonic(), deadline, f"import {job['id']} did not end: {job!r}")
            time.sleep(0.05)
            job = self.owner.get(f"/imports/{job['id']}").json
        return job

    def create(self, body):
        response = self.owner.post("/customers", body)
        self.assertEqual(response.status, 201, response)
        return response.json["id"]

    def order(self, customer, total):
        response = self.owner.post("/orders", {"branch_id": self.branch, "customer_id": customer,
                                               "lines": [{"product": "라떼", "category": "커피", "quantity": 1,
                                                          "unit_price": total}]})
        self.assertEqual(response.status, 201, response)
        return response.json["id"]

    def give_a_history(self, person):
        customer = self.create({
            "name": person["name"], "phone": person["phone"], "email": person["email"],
            "birthday": {"date": "1990-03-15", "calendar": "solar", "leap_month": False},
            "anniversaries": [{"label": f"{person['name']} 결혼기념일", "date": "2015-10-03"}],
            "tags": [person["name"]], "address": f"서울 마포구 {person['name']}빌딩",
            "consents": [{"channel": "sms", "granted": True, "source": "counter"},
                         {"channel": "email", "granted": True, "source": "counter"}]})
        orders = [self.order(customer, 12000), self.order(customer, 8000)]
        note = self.owner.post(f"/customers/{customer}/notes", {"text": f"{person['name']} {person['phone']} 단골"})
        self.assertEqual(note.status, 201, note)
        preference = self.owner.post(f"/customers/{customer}/preferences",
                                     {"kind": "allergy", "subject": f"{person['name']} 땅콩"})
        self.assertEqual(preference.status, 201, preference)
        # A request with an Idempotency-Key: its saved answer holds the whole profile.
        keyed = self.owner.request("PATCH", f"/customers/{customer}", {"address": f"{person['name']} 집"},
                                   headers={"Idempotency-Key": "erase-" + uuid.uuid4().hex})
        self.assertEqual(keyed.status, 200, keyed)
        self.assertEqual(self.owner.get(f"/customers/{customer}").status, 200)
        # A duplicate of the same person, merged into the customer.
        duplicate = self.create({"name": person["name"], "phone": person["phone2"], "email": person["email2"]})
        self.order(duplicate, 5000)
        merged = self.manager.post(f"/customers/{customer}/merge", {"other_id": duplicate})
        self.assertEqual(merged.status, 200, merged)
        # An import whose row of theirs was rejected (a short phone number).
        csv = f"이름,휴대폰\n{person['name']},010-12\n".encode("utf-8")
        job = self.finished(self.owner.request("POST", "/imports?kind=customers&mode=valid_rows", raw=csv,
                                               headers={"Content-Type": "text/csv"}))
        self.assertEqual(job["report"]["rows"]["rejected"], 1, job)
        # A customer list with their history, memo, allergy and an extra column (kept as an
        # attribute), and another person on their phone (a family member linked to it).
        history = (f"이름,휴대폰,방문횟수,누적금액,메모,알레르기,직업\n"
                   f"{person['name']},{person['phone']},7,120000,{person['name']} 메모,{person['name']} 새우,"
                   f"{person['name']} 직업\n"
                   f"가족이,{person['phone']},,,,,\n").encode("utf-8")
        imported = self.finished(self.owner.request("POST", "/imports?kind=customers", raw=history,
                                                    headers={"Content-Type": "text/csv"}))
        self.assertTrue(imported["report"]["committed"], imported)
        profile = self.owner.get(f"/customers/{customer}").json
        self.assertEqual(profile["attributes"][0]["value"], f"{person['name']} 직업")
        self.assertEqual(profile["opening_balances"][0]["visit_count"], 7)
        self.assertEqual(profile["phone_shares"][0]["relation"], "family")
        return customer, orders, merged.json["merge_id"], job["id"]

    def table_hits(self, forms):
        """(table, column, form) of every text value in the database holding one of `forms`."""
        hits = []
        if self.backend == "sqlite":
            with sqlite3.connect(self.db_url[len("sqlite:"):], timeout=30) as connection:
                tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                for table in tables:
                    columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
                    for column in columns:
                        for (value,) in connection.execute(f'SELECT CAST("{column}" AS TEXT) FROM "{table}"'):
                            hits += [(table, column, form) for form in forms if value and form in value]
            return hits
        pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
        dump = subprocess.run([pg_dump, "--data-only", "--no-owner", "-d", self.db_url], capture_output=True,
                              text=True, timeout=300, check=True).stdout
        table = "?"
        for line in dump.splitlines():
            if line.startswith("COPY "):
                table = line.split()[1]
            hits += [(table, "?", form) for form in forms if form in line]
        return hits

    def file_hits(self, forms):
        """(file, form) of every file in the server's directory (database, logs) holding a form."""
        hits = []
        for path in Path(self._directory.name).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                hits += [(path.name, form) for form in forms if form.encode("utf-8") in data]
        return hits

    def test_1_erasure_leaves_no_personal_data_and_keeps_the_books(self):
        person = distinctive_person()
        forms = forms_of(person)
        customer, orders, merge_id, job_id = self.give_a_history(person)
        self.assertTrue(self.table_hits(forms), "the scan finds the data before the erasure")

        self.assertEqual(self.staff.post(f"/customers/{customer}/erase", {"reason": "요청"}).status, 403)
        self.assertError(self.manager.post(f"/customers/{customer}/erase", {"reason": "  "}), 400, field="reason")
        self.assertError(self.manager.post(f"/customers/{customer}/erase", {}), 400, field="reason")
        erased = self.manager.post(f"/customers/{customer}/erase", {"reason": "customer asked by phone"})
        self.assertEqual(erased.status, 200, erased)
        self.assertEqual(erased.json["id"], customer)
        self.assertGreater(erased.json["rows_deleted"], 0)

        self.assertEqual(self.table_hits(forms), [])
        # The server's files (its log; the SQLite database was scanned table by table above).
        self.assertEqual([hit for hit in self.file_hits(forms) if not hit[0].startswith("t.db")], [])

        # The books still hold: the orders stay, anonymous, and the ledger verifies.
        for order in orders:
            response = self.owner.get(f"/orders/{order}")
            self.assertEqual(response.status, 200, response)
            self.assertEqual(response.json["customer_id"], customer)
        run_cli(["ledger", "verify", "--db", self.db_url, "--business", self.tenant.slug])

        # Gone from every way of finding them; a second erasure 409, an edit 404.
        self.assertEqual(self.owner.get(f"/customers/{customer}").status, 404)
        self.assertEqual(items_of(self.owner.get(f"/customers/lookup?q={person['phone'][-4:]}").json), [])
        self.assertNotIn(customer, [c["id"] for c in walk_pages(self.owner, "/customers", 200)])
        self.assertError(self.manager.post(f"/customers/{customer}/erase", {"reason": "again"}), 409)
        self.assertEqual(self.owner.patch(f"/customers/{customer}", {"name": "다시"}).status, 404)
        self.assertEqual(self.owner.post(f"/customers/{customer}/notes", {"text": "x"}).status, 404)
        self.assertEqual(self.manager.post(f"/merges/{merge_id}/undo").status, 409)
        self.assertEqual(self.owner.get(f"/imports/{job_id}").status, 404)

        # The access log records the erasure with its reason, and no personal data.
        log = self.owner.get(f"/access-log?customer_id={customer}")
        self.assertEqual(log.status, 200, log)
        self.assertIn("erase", [entry["action"] for entry in items_of(log.json)])

    def test_2_retention_setting_and_dry_run(self):
        self.assertEqual(self.manager.get("/privacy/retention").json, {"months": 0, "access_log_days": 730})
        self.assertEqual(self.manager.get("/privacy/retention/dry-run").json["count"], 0)
        self.assertEqual(self.manager.request("PUT", "/privacy/retention", {"months": 36}).status, 403)
        self.assertError(self.owner.request("PUT", "/privacy/retention", {"months": -1}), 400, field="months")
        self.assertEqual(self.owner.request("PUT", "/privacy/retention", {"months": 1}).json,
                         {"months": 1, "access_log_days": 730})
        # The server's clock starts at CLOCK_START: a month back is 2025-05-01; no customer is that old.
        dry = self.manager.get("/privacy/retention/dry-run")
        self.assertEqual(dry.status, 200, dry)
        self.assertTrue(dry.json["cutoff"].startswith("2025-05-01T"), dry.json)
        self.assertEqual(dry.json["count"], 0)
        self.assertEqual(self.owner.request("PUT", "/privacy/retention", {"months": 0}).json,
                         {"months": 0, "access_log_days": 730})

    def test_3_access_log_retention_and_audit_export(self):
        # PIPA-06: the log is kept at least a year; the owner sets how long.
        self.assertError(self.owner.request("PUT", "/privacy/retention", {"access_log_days": 364}), 400,
                         field="access_log_days")
        self.assertError(self.owner.request("PUT", "/privacy/retention", {}), 400, field="months")
        self.assertEqual(self.manager.request("PUT", "/privacy/retention", {"access_log_days": 1000}).status, 403)
        changed = self.owner.request("PUT", "/privacy/retention", {"access_log_days": 1095})
        self.assertEqual(changed.json, {"months": 0, "access_log_days": 1095}, changed)
        self.assertEqual(self.owner.request("PUT", "/privacy/retention", {"access_log_days": 730}).status, 200)

        customer = self.create({"name": "감사대상", "phone": distinctive_person()["phone"]})
        self.assertEqual(self.manager.get(f"/customers/{customer}").status, 200)
        window = "from=2025-05-01&to=2025-07-01"
        self.assertError(self.owner.get(f"/access-log/export?{window}"), 400, field="reason")
        self.assertError(self.owner.get("/access-log/export?from=2025-07-01&to=2025-05-01&reason=audit"), 400,
                         field="from")
        self.assertError(self.owner.get("/access-log/export?reason=audit"), 400, field="from")
        self.assertError(self.manager.get(f"/access-log/export?{window}&reason=audit"), 403)
        exported = self.owner.get(f"/access-log/export?{window}&reason=%EC%9B%94%EA%B0%84%20%EC%A0%90%EA%B2%80")
        self.assertEqual(exported.status, 200, exported)
        self.assertTrue(exported.header("Content-Type").startswith("text/csv"), exported.headers)
        lines = exported.body.decode("utf-8-sig").splitlines()
        self.assertEqual(lines[0], "id,at,staff_id,staff_name,token_id,customer_id,action,ip,detail")
        rows = list(csv.reader(lines[1:]))
        viewed = [row for row in rows if row[5] == str(customer) and row[6] == "view_profile"]
        self.assertEqual(len(viewed), 1, lines)
        self.assertNotIn("감사대상", exported.body.decode("utf-8-sig"), "the log holds no personal data")
        # The export itself is logged, with its reason and count.
        latest = self.owner.get("/access-log?limit=1").json["items"][0]
        self.assertEqual(latest["action"], "export", latest)
        self.assertIn("월간 점검", latest["detail"])
        self.assertIn(f"rows={len(rows)}", latest["detail"])
        # Nothing outside the window.
        empty = self.owner.get("/access-log/export?from=2020-01-01&to=2020-02-01&reason=audit")
        self.assertEqual(len(empty.body.decode("utf-8-sig").splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
