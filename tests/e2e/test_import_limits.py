"""Imports of hostile files: small XLSX files that unpack into never-closed rows, a 200 MB cell or
226 MB of shared strings are refused as bad input (`dangol import` exits 2 naming the file; a job
through the API fails with invalid_argument and a message), and the process's peak memory stays
under the bound docs/import.md states (256 MiB), whatever the input. A binary file is refused as not
text before any mapping; a CSV whose quote is never closed is refused naming its line; imported
names obey the API's limits. Runs on SQLite, and on PostgreSQL with DANGOL_E2E_BACKEND=postgres."""

import io
import os
import subprocess
import sys
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, dangol_bin, items_of  # noqa: E402

MEMORY_BOUND_BYTES = 256 << 20
JOB_DEADLINE_SECONDS = 120

WORKBOOK = ('<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELATIONSHIPS = ('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>이름</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>휴대폰</t></is></c></row>')


def workbook(sheet_rows, shared_strings=None):
    """XLSX bytes of one sheet whose <sheetData> holds `sheet_rows` (str or an iterable of str
    pieces, written as they come so that large sheets are never built whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELATIONSHIPS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for piece in ([sheet_rows] if isinstance(sheet_rows, str) else sheet_rows):
                sheet.write(piece.encode("utf-8"))
            sheet.write(b"</sheetData></worksheet>")
        if shared_strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
                for piece in shared_strings:
                    strings.write(piece.encode("utf-8"))
    return buffer.getvalue()


def unclosed_rows():
    return workbook([HEADER_ROW] + ["<row>"] * 60000)


def one_huge_cell():
    chunk = "x" * (1 << 20)
    pieces = [HEADER_ROW, '<row r="2"><c r="A2" t="inlineStr"><is><t>']
    pieces += [chunk] * 200
    pieces.append("</t></is></c></row>")
    return workbook(pieces)


def huge_shared_strings():
    string = "<si><t>" + "가" * 40000 + "</t></si>"  # 120 KB each, under the cell limit
    pieces = ["<sst>"] + [string] * 1900 + ["</sst>"]  # about 226 MB
    return workbook(HEADER_ROW + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', pieces)


def peak_rss_of(args):
    """Runs dangol ARGS; returns (exit code, stderr, peak resident memory in bytes) of that process."""
    process = subprocess.Popen([dangol_bin(), *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    stderr = process.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, stderr, usage.ru_maxrss * 1024


def peak_rss_from_proc(pid):
    """VmHWM (the peak resident set) of a running process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for process {pid}")


HOSTILE = {"never-closed rows": (unclosed_rows, "levels deep"),
           "a 200 MB cell": (one_huge_cell, "KiB of text"),
           "226 MB of shared strings": (huge_shared_strings, "shared strings")}


class ImportLimitTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "limits")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)

    def write(self, name, data):
        path = os.path.join(self._directory.name, name)
        with open(path, "wb") as file:
            file.write(data)
        return path

    def customer_count(self):
        return len(items_of(self.owner.get("/customers?limit=200").json))

    def dangol_import(self, path, *extra):
        return peak_rss_of(["import", "--db", self.db_url, "--business", self.tenant.slug,
                            "--kind", "customers", *extra, path])

    def test_hostile_workbooks_are_refused_by_the_command_line_within_the_memory_bound(self):
        before = self.customer_count()
        for name, (build, words) in HOSTILE.items():
            with self.subTest(workbook=name):
                data = build()
                self.assertLess(len(data), 1 << 20, "the hostile file should be small")
                code, stderr, peak = self.dangol_import(self.write("hostile.xlsx", data))
                self.assertEqual(code, 2, stderr)
                self.assertIn("file:", stderr)
                self.assertIn(words, stderr)
                self.assertLess(peak, MEMORY_BOUND_BYTES, f"peak RSS {peak >> 20} MiB")
        self.assertEqual(self.customer_count(), before)

    def test_hostile_workbooks_fail_their_job_as_bad_input_and_the_server_stays_within_the_bound(self):
        before = self.customer_count()
        for name, (build, words) in HOSTILE.items():
            with self.subTest(workbook=name):
                started = self.owner.request(
                    "POST", "/imports?kind=customers", raw=build(),
                    headers={"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
                self.assertEqual(started.status, 202, started)
                job = self.wait_for(started.json["id"])
                self.assertEqual(job["state"], "failed", job)
                self.assertEqual(job["error"]["code"], "invalid_argument", job)
                self.assertEqual(job["error"]["field"], "file", job)
                self.assertIn(words, job["error"]["message"])
        self.assertEqual(self.customer_count(), before)
        peak = peak_rss_from_proc(self.server.process.pid)
        self.assertLess(peak, MEMORY_BOUND_BYTES, f"server peak RSS {peak >> 20} MiB")
        self.assertServerAlive()

    def wait_for(self, job_id):
        deadline = time.monotonic() + JOB_DEADLINE_SECONDS
        while True:
            job = self.owner.get(f"/imports/{job_id}").json
            if job["state"] not in ("queued", "running"):
                return job
            self.assertLess(time.monotonic(), deadline, f"import {job_id} did not end: {job!r}")
            time.sleep(0.05)

    def test_a_damaged_workbook_is_bad_input(self):
        data = bytearray(workbook(HEADER_ROW + '<row r="2"><c r="A2"><v>1</v></row>'))
        code, stderr, _ = self.dangol_import(self.write("bad-xml.xlsx", bytes(data)))
        self.assertEqual(code, 2, stderr)
        self.assertIn("not valid XML", stderr)

    def test_a_binary_file_is_refused_as_not_text_before_any_mapping(self):
        before = self.customer_count()
        code, stderr, _ = self.dangol_import("/usr/bin/ls", "--mapping", "name")
        self.assertEqual(code, 2, stderr)
        self.assertIn("not text", stderr)
        self.assertEqual(self.customer_count(), before)

    def test_a_quote_never_closed_is_refused_naming_its_line(self):
        lines = ["이름,휴대폰", "김철수,010-1234-5678", '"박영희,010-2222-3333'] + ["이민호,010-3333-4444"] * 200000
        path = self.write("open-quote.csv", ("\n".join(lines) + "\n").encode("utf-8"))
        code, stderr, _ = self.dangol_import(path, "--dry-run")
        self.assertEqual(code, 2, stderr)
        self.assertIn("line 3", stderr)

    def test_imported_names_obey_the_api_limits(self):
        rows = ["이름,휴대폰", "a" * 201 + ",010-7000-0001", "김\x1b철수,010-7000-0002", "정상인,010-7000-0003"]
        path = self.write("names.csv", ("\n".join(rows) + "\n").encode("utf-8"))
        completed = subprocess.run([dangol_bin(), "import", "--db", self.db_url, "--business", self.tenant.slug,
                                    "--kind", "customers", "--valid-rows", "--rejects", os.path.join(self._directory.name, "names.rejects.csv"), path],
                                   capture_output=True, text=True, timeout=120)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        hits = items_of(self.owner.get("/customers/lookup?q=01070000003").json)
        self.assertEqual(len(hits), 1, hits)  # the valid row; lookups show names masked
        for phone in ("01070000001", "01070000002"):
            self.assertEqual(items_of(self.owner.get(f"/customers/lookup?q={phone}").json), [], phone)


if __name__ == "__main__":
    unittest.main()
