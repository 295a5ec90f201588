"""End-to-end tests of `dangol import` against a running `dangol serve`: what the command line
imports is what the API then answers (CP949 read, E.164 phones, orders with refunds and visit
statistics), a dry run writes nothing, a second import doubles nothing, and bad files are one line
and exit code 2. Runs on SQLite, and on PostgreSQL with DANGOL_E2E_BACKEND=postgres."""

import io
import json
import os
import sys
import unittest
import zipfile
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, items_of, run_cli, walk_pages  # noqa: E402

XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XLSX_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def cell(reference, value, style=None):
    """An XLSX cell: text inline, numbers as numbers (with a style: 1 is a date)."""
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    style_attribute = f' s="{style}"' if style is not None else ""
    return f'<c r="{reference}"{style_attribute}><v>{value}</v></c>'


def workbook(sheets):
    """The bytes of an .xlsx holding `sheets`: [(name, {row number: [cells]})], as Excel writes it."""
    columns = "ABCDEFGHIJKLMNOP"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(sheets)))
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' + overrides + '</Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="' + XLSX_RELS + '/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        names = "".join(f'<sheet name="{escape(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                        for i, (name, _) in enumerate(sheets))
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{XLSX_MAIN}" '
                                            f'xmlns:r="{XLSX_RELS}"><sheets>{names}</sheets></workbook>')
        relations = "".join(f'<Relationship Id="rId{i + 1}" Type="{XLSX_RELS}/worksheet" '
                            f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(sheets)))
        relations += f'<Relationship Id="rId{len(sheets) + 1}" Type="{XLSX_RELS}/styles" Target="styles.xml"/>'
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships">{relations}</Relationships>'))
        archive.writestr("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{XLSX_MAIN}">'
                                          '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
                                          '</styleSheet>')
        for i, (_, rows) in enumerate(sheets):
            xml = "".join(f'<row r="{number}">' + "".join(
                cell(f"{columns[c]}{number}", *(value if isinstance(value, tuple) else (value,)))
                for c, value in enumerate(values) if value is not None) + "</row>"
                for number, values in sorted(rows.items()))
            archive.writestr(f"xl/worksheets/sheet{i + 1}.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                                                                f'<worksheet xmlns="{XLSX_MAIN}"><sheetData>{xml}'
                                                                '</sheetData></worksheet>')
    return out.getvalue()


# A Korean shop's customer list as Excel saves it: a cover sheet, then the list with numbers stored
# as text, phones that lost their leading 0, Excel dates (serial numbers in a date style), amounts
# in 원, a memo and an allergy column, a column Dangol has no field for, an empty row, and two
# people on one phone.
SHOP_WORKBOOK = workbook([
    ("안내", {1: ["고객 명단 (2024년 5월)"], 2: ["담당: 김사장"]}),
    ("고객", {
        1: ["고객명", "휴대폰", "생년월일", "최근방문일", "첫방문일", "방문횟수", "누적금액", "적립금", "메모", "알레르기",
            "지역"],
        2: ["김철수", 1012345678, (32933, 1), (45413, 1), (44936, 1), "12", "1,250,000원", 3200, "참기름 빼주세요",
            "땅콩, 새우", "마포"],
        3: ["이영희", "010-2222-3333", "1985.7.15", "2024-03-02", None, "3", "98,000원", None, "창가 자리 선호",
            "싫어함: 오이", "강남"],
        5: ["박지훈", 1012345678, None, (45383, 1), None, "2", "30000", None, "김철수 님 아들", None, "마포"],
    }),
])

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


class ImportWorkbookTests(ServerTestCase):
    """A realistic Korean customer workbook arrives whole: every value in its place on the page."""

    # Stages are judged at this time (the last visits are a month or two before).
    server_arguments = ("--clock-start", "2024-06-01T12:00:00+09:00")

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "workbook")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)
        response = cls.owner.request("PUT", "/loyalty/program", {"preset": "points"})
        if response.status != 200:
            raise AssertionError(f"PUT /loyalty/program: {response!r}")

    def customer_by_phone(self, digits):
        hits = items_of(self.owner.get(f"/customers/lookup?q={digits}").json)
        self.assertEqual(len(hits), 1, hits)
        profile = self.owner.get(f"/customers/{hits[0]['id']}")
        self.assertEqual(profile.status, 200, profile)
        return profile.json

    def test_a_korean_workbook_arrives_with_every_value_in_place(self):
        path = os.path.join(self._directory.name, "고객명단.xlsx")
        with open(path, "wb") as file:
            file.write(SHOP_WORKBOOK)
        command = ["import", "--db", self.db_url, "--business", self.tenant.slug, "--kind", "customers",
                   "--sheet", "고객", "--format", "json", path]
        report = json.loads(run_cli(command).stdout)
        self.assertTrue(report["committed"], report)
        fields = [column["field"] for column in report["mapping"]]
        self.assertEqual(fields, ["name", "phone", "birthday", "last_visit_at", "first_visit_at", "visit_count",
                                  "total_spend", "points", "notes", "preferences", "attribute"])
        self.assertEqual(report["customers"]["created"], 3)
        codes = {issue["code"]: issue for issue in report["issues"]}
        shared = codes["shared_phone"]["examples"][0]
        # Row numbers as the sheet shows them: the empty row 4 counts.
        self.assertEqual(shared["row"], 5)
        self.assertIn("row 5 (박지훈)", shared["message"])
        self.assertIn("row 2 (김철수)", shared["message"])

        kim = self.customer_by_phone("01012345678")
        self.assertEqual(kim["name"], "김철수")
        self.assertEqual(kim["phone"], "+821012345678")
        self.assertEqual(kim["birthday"]["date"], "1990-03-01")
        self.assertEqual(kim["visit_count"], 12)
        self.assertEqual(kim["total_spend"], 1250000)
        self.assertEqual(kim["first_visit_at"][:10], "2023-01-09")  # 2023-01-10 00:00 in Seoul
        self.assertEqual(kim["last_visit_at"][:10], "2024-04-30")
        self.assertEqual(kim["stage"], "regular")
        self.assertEqual([(alert["kind"], alert["subject"]) for alert in kim["alerts"]],
                         [("allergy", "땅콩"), ("allergy", "새우")])
        self.assertEqual(kim["loyalty"]["balance"], 3200)
        self.assertEqual(kim["attributes"], [{"key": "지역", "value": "마포", "source": "import"}])
        self.assertEqual(kim["opening_balances"][0]["visit_count"], 12)
        self.assertEqual(kim["opening_balances"][0]["points"], 3200)
        notes = items_of(self.owner.get(f"/customers/{kim['id']}/notes").json)
        self.assertEqual([(note["text"], note["source"]) for note in notes], [("참기름 빼주세요", "import")])
        ledger = items_of(self.owner.get(f"/customers/{kim['id']}/ledger").json)
        self.assertEqual([(entry["amount"], entry["reason"]) for entry in ledger], [(3200, "import")])

        lee = self.customer_by_phone("01022223333")
        self.assertEqual(lee["birthday"]["date"], "1985-07-15")
        self.assertEqual((lee["visit_count"], lee["total_spend"]), (3, 98000))
        self.assertEqual(lee["stage"], "regular")
        self.assertEqual([(p["kind"], p["subject"]) for p in lee["preferences"]], [("dislike", "오이")])
        self.assertEqual(lee["loyalty"]["balance"] if lee["loyalty"] else 0, 0)

        # 박지훈 shares 김철수's phone: a customer of his own, linked to the number.
        self.assertEqual(len(kim["phone_shares"]), 1)
        son_id = kim["phone_shares"][0]["customer_id"]
        son = self.owner.get(f"/customers/{son_id}").json
        self.assertEqual(son["name"], "박지훈")
        self.assertIsNone(son["phone"])
        self.assertEqual((son["visit_count"], son["total_spend"]), (2, 30000))
        self.assertEqual(son["phone_shares"][0]["phone"], "+821012345678")
        self.assertEqual(son["phone_shares"][0]["holder_id"], kim["id"])

        # The same workbook again doubles nothing; its cover sheet is not "the same file".
        again = json.loads(run_cli(command).stdout)
        self.assertEqual(again["customers"]["created"], 0)
        self.assertIsNotNone(again["previous_run_id"])
        self.assertEqual(self.customer_by_phone("01012345678")["visit_count"], 12)
        cover = run_cli(["import", "--db", self.db_url, "--business", self.tenant.slug, "--kind", "customers",
                         "--sheet", "안내", "--mapping", "name", "--dry-run", "--format", "json", path])
        self.assertIsNone(json.loads(cover.stdout)["previous_run_id"])

    def test_an_old_xls_file_is_refused_with_what_to_do(self):
        path = os.path.join(self._directory.name, "old.xls")
        with open(path, "wb") as file:
            file.write(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + bytes(504))
        completed = run_cli(["import", "--db", self.db_url, "--business", self.tenant.slug, "--kind", "customers",
                             path], expect_success=False)
        self.assertEqual(completed.returncode, 2)
        self.assertIn("save it as .xlsx or CSV", completed.stderr)


if __name__ == "__main__":
    unittest.main()
