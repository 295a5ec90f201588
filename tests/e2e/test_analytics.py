"""Analytics over HTTP, on SQLite and on PostgreSQL: the figures of /analytics/... and of a
customer's /analytics are checked against the same figures computed here, independently, from the
orders this test posted (RFM with SQL NTILE(5) and the peers' segment grid, the Pareto share, a
retention cohort cell, the funnel, visit rhythm, a "bought together" rule); a new order and a
refund show up in the next answer; staff get 403; bad parameters get 400 naming the field.

The servers run on a clock that starts at DANGOL_E2E_CLOCK_START (default a fixed day; CMake
registers runs on three dates), and every date here is counted from it: nothing depends on the day
the tests run or on how fast they run (polling waits for a state, never for a time)."""

import csv
import io
import math
import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
import unittest
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, run_cli, unique  # noqa: E402

KST = timezone(timedelta(hours=9))
DAY = timedelta(days=1)
CLOCK_START = datetime.fromisoformat(os.environ.get("DANGOL_E2E_CLOCK_START", "2026-03-15T12:00:00+09:00"))
SERVER_CLOCK = ("--clock-start", CLOCK_START.isoformat())
STATE_TIMEOUT_SECONDS = 300  # generous: a busy machine is slow, and no test asserts a duration
SEGMENT_GRID = [  # [r-1][fm-1], the peers' grid (rfm_pandas.py)
    ["lost", "lost", "at_risk", "cannot_lose_them", "cannot_lose_them"],
    ["hibernating", "hibernating", "at_risk", "at_risk", "at_risk"],
    ["about_to_sleep", "need_attention", "loyal_customers", "loyal_customers", "loyal_customers"],
    ["promising", "potential_loyalists", "loyal_customers", "champions", "champions"],
    ["new_customers", "potential_loyalists", "loyal_customers", "champions", "champions"],
]
ROUTES = ["summary", "rfm", "pareto", "cohorts", "funnel", "overdue", "branches", "staff", "clv", "rules"]

# Per customer: (days ago, amount) of each sale. Spread so that the quintiles, the Pareto share,
# the funnel and the rhythm all have something to say; customer 0 is overdue (weekly, then silent).
HISTORIES = [
    [(70, 12000), (63, 9000), (56, 11000), (49, 10000), (42, 8000)],
    [(3, 45000), (10, 30000), (40, 52000)],
    [(1, 4500)],
    [(200, 3000)],
    [(15, 8000), (45, 7000), (75, 9000), (105, 6000)],
    [(30, 150000)],
    [(2, 5500), (9, 6000), (16, 6500), (23, 6200), (30, 5800), (37, 6100)],
    [(100, 20000), (5, 21000)],
    [(12, 9900), (120, 9900), (150, 3000)],
    [(8, 72000), (90, 1000)],
]
BASKETS = [["아메리카노", "크로와상"], ["아메리카노", "크로와상", "쿠키"], ["라떼"], ["아메리카노"]]


def ntile(keys, tiles=5):
    """SQL NTILE(tiles) over the keys (already in ascending order of (key, id)): {index: tile}."""
    n = len(keys)
    size, large = divmod(n, tiles)
    out, position = {}, 0
    for tile in range(tiles):
        count = size + (1 if tile < large else 0)
        for _ in range(count):
            out[keys[position]] = tile + 1
            position += 1
    return out


def expected_rfm(orders, as_of):
    """{customer: (recency, frequency, monetary, r, f, m, segment)} from (customer, at, total) sales
    and refunds (negative totals, which count in monetary only)."""
    stats = {}
    for customer, at, total in orders:
        s = stats.setdefault(customer, {"last": None, "frequency": 0, "monetary": 0})
        s["monetary"] += total
        if total > 0:
            s["frequency"] += 1
            s["last"] = at if s["last"] is None else max(s["last"], at)
    ids = sorted(stats)
    recency = {c: math.floor((as_of - stats[c]["last"]) / DAY) for c in ids}
    r = ntile(sorted(ids, key=lambda c: (-recency[c], c)))
    f = ntile(sorted(ids, key=lambda c: (stats[c]["frequency"], c)))
    m = ntile(sorted(ids, key=lambda c: (stats[c]["monetary"], c)))
    return {c: (recency[c], stats[c]["frequency"], stats[c]["monetary"], r[c], f[c], m[c],
                SEGMENT_GRID[r[c] - 1][(f[c] + m[c] + 1) // 2 - 1]) for c in ids}


class AnalyticsTests(ServerTestCase):
    server_arguments = SERVER_CLOCK

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "anal")
        cls.staff_token = cls.tenant.token("staff")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        owner = cls.server.client(cls.tenant.owner_token)
        cls.branches = [owner.post("/branches", {"name": unique(name)}).json["id"] for name in ("본점", "2호점")]
        cls.now = CLOCK_START.astimezone(timezone.utc)
        cls.orders = []   # (customer, at, total); refunds have negative totals
        cls.branch_totals = {branch: [] for branch in cls.branches}
        cls.first_sale = {}  # customer -> (at, branch) of the earliest sale
        cls.customers = []
        for index, history in enumerate(HISTORIES):
            phone = "0107" + str(1000000 + index * 7919 + int(time.time()) % 1000).zfill(7)
            created = owner.post("/customers", {"name": f"분석{index}", "phone": phone})
            assert created.status == 201, created
            customer = created.json["id"]
            cls.customers.append(customer)
            for number, (days_ago, amount) in enumerate(history):
                at = cls.now - days_ago * DAY - timedelta(hours=1)
                basket = BASKETS[(index + number) % len(BASKETS)]
                lines = [{"product": product, "quantity": 1, "unit_price": amount // len(basket)}
                         for product in basket]
                total = sum(line["unit_price"] for line in lines)
                posted = owner.post("/orders", {"branch_id": cls.branches[number % 2], "customer_id": customer,
                                                "ordered_at": at.isoformat(), "lines": lines})
                assert posted.status == 201, posted
                cls.orders.append((customer, at, total))
                cls.branch_totals[cls.branches[number % 2]].append(total)
                if customer not in cls.first_sale or at < cls.first_sale[customer][0]:
                    cls.first_sale[customer] = (at, cls.branches[number % 2])
        # An anonymous sale counts for the branch but for no customer.
        anonymous = owner.post("/orders", {"branch_id": cls.branches[0], "total": 3000})
        assert anonymous.status == 201, anonymous
        cls.anonymous_total = 3000
        cls.branch_totals[cls.branches[0]].append(3000)

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)
        self.staff = self.server.client(self.staff_token)

    def get(self, path):
        response = self.owner.get(path)
        self.assertEqual(response.status, 200, response)
        return response.json

    def as_of(self, answer):
        return datetime.fromisoformat(answer["as_of"].replace("Z", "+00:00"))

    def test_rfm_scores_and_segments_match_an_independent_computation(self):
        answer = self.get("/analytics/rfm?limit=1000")
        expected = expected_rfm(self.orders, self.as_of(answer))
        self.assertEqual(answer["matching"], len(expected))
        got = {row["customer_id"]: (row["recency_days"], row["frequency"], row["monetary"], row["r"], row["f"],
                                    row["m"], row["segment"]) for row in answer["customers"]}
        self.assertEqual(got, expected)
        self.assertEqual(answer["orders"], len(self.orders) + 1)
        sizes = {s["segment"]: s["customers"] for s in answer["segments"]}
        for segment in set(row[6] for row in expected.values()):
            self.assertEqual(sizes[segment], sum(1 for row in expected.values() if row[6] == segment))
        # The list is the best customers by monetary value; a segment filter keeps only its own.
        monetary = [row["monetary"] for row in answer["customers"]]
        self.assertEqual(monetary, sorted(monetary, reverse=True))
        some_segment = expected[self.customers[5]][6]
        filtered = self.get(f"/analytics/rfm?segment={some_segment}")
        self.assertTrue(all(row["segment"] == some_segment for row in filtered["customers"]))
        self.assertEqual(filtered["parameters"]["segment"], some_segment)

    def test_pareto_share_and_summary_match(self):
        monetary = sorted((row[2] for row in expected_rfm(self.orders, self.now).values()), reverse=True)
        top = math.ceil(len(monetary) * 0.2)
        pareto = self.get("/analytics/pareto")
        self.assertEqual(pareto["parameters"], {"top": 0.2, "points": 100})
        self.assertEqual(pareto["top_customers"], top)
        self.assertEqual(pareto["top_revenue"], sum(monetary[:top]))
        self.assertEqual(pareto["total_revenue"], sum(monetary))
        self.assertAlmostEqual(pareto["top_share"], sum(monetary[:top]) / sum(monetary), places=12)
        self.assertEqual(len(pareto["curve"]), 101)
        self.assertAlmostEqual(pareto["curve"][-1], 1.0)
        summary = self.get("/analytics/summary")
        self.assertAlmostEqual(summary["top20_share"], pareto["top_share"], places=12)
        sales = {}
        for customer, _, total in self.orders:
            sales[customer] = sales.get(customer, 0) + (total > 0)
        sales = list(sales.values())
        self.assertEqual(summary["customers"], len(sales))
        self.assertEqual(summary["revenue"], sum(total for _, _, total in self.orders) + self.anonymous_total)
        self.assertEqual(summary["funnel"]["first"], len(sales))
        self.assertEqual(summary["funnel"]["second"], sum(1 for s in sales if s >= 2))
        self.assertEqual(summary["funnel"]["third_plus"], sum(1 for s in sales if s >= 3))
        self.assertAlmostEqual(summary["revisit"]["rate"], sum(1 for s in sales if s >= 2) / len(sales))

    def test_cohort_cells_count_customers_by_month_of_first_visit(self):
        months = {}
        for customer, at, total in self.orders:
            if total < 0:
                continue
            local = at.astimezone(KST)
            months.setdefault(customer, set()).add(local.year * 12 + local.month - 1)
        first_month = min(min(m) for m in months.values())
        expected = {}
        for visited in months.values():
            cohort = min(visited)
            for month in visited:
                key = (cohort - first_month, month - cohort)
                expected[key] = expected.get(key, 0) + 1
        cohorts = self.get("/analytics/cohorts")["cohorts"]
        first = cohorts[0]["cohort"]
        self.assertEqual(int(first[:4]) * 12 + int(first[5:]) - 1, first_month)
        for (c, k), count in expected.items():
            self.assertEqual(cohorts[c]["active"][k], count, (c, k))
        self.assertEqual(sum(row["customers"] for row in cohorts), len(months))

    def test_overdue_customers_follow_their_rhythm(self):
        answer = self.get("/analytics/overdue?limit=1000")
        as_of = self.as_of(answer).astimezone(KST).date()
        expected = set()
        for customer, history in zip(self.customers, HISTORIES):
            days = sorted({(self.now - d * DAY - timedelta(hours=1)).astimezone(KST).date() for d, _ in history})
            if len(days) < 2:
                continue
            gaps = sorted((b - a).days for a, b in zip(days, days[1:]))
            middle = len(gaps) // 2
            median = gaps[middle] if len(gaps) % 2 else (gaps[middle - 1] + gaps[middle]) / 2
            if (as_of - days[-1]).days > 2 * median:
                expected.add(customer)
        self.assertIn(self.customers[0], expected)
        self.assertEqual({row["customer_id"] for row in answer["customers"]}, expected)
        self.assertEqual(answer["overdue"], len(expected))
        profile = self.get(f"/customers/{self.customers[0]}/analytics")
        self.assertTrue(profile["rhythm"]["overdue"])
        self.assertEqual(profile["rhythm"]["median_gap_days"], 7)
        self.assertFalse(self.get(f"/customers/{self.customers[6]}/analytics")["rhythm"]["overdue"])

    def test_bought_together_rules_have_arules_support_confidence_and_lift(self):
        baskets = [set(BASKETS[(index + number) % len(BASKETS)])
                   for index, history in enumerate(HISTORIES) for number in range(len(history))]
        n = len(baskets)
        both = sum(1 for b in baskets if {"크로와상", "아메리카노"} <= b)
        lhs = sum(1 for b in baskets if "크로와상" in b)
        rhs = sum(1 for b in baskets if "아메리카노" in b)
        answer = self.get("/analytics/rules?min_support=0.1&min_confidence=0.5")
        self.assertEqual(answer["transactions"], n)
        rule = next(r for r in answer["rules"] if r["lhs"] == ["크로와상"] and r["rhs"] == "아메리카노")
        self.assertEqual(rule["count"], both)
        self.assertAlmostEqual(rule["support"], both / n)
        self.assertAlmostEqual(rule["confidence"], both / lhs)
        self.assertAlmostEqual(rule["lift"], (both / lhs) / (rhs / n))
        lifts = [r["lift"] for r in answer["rules"]]
        self.assertEqual(lifts, sorted(lifts, reverse=True))

    def test_branch_figures_add_up(self):
        items = {row["id"]: row for row in self.get("/analytics/branches")["items"]}
        for branch in self.branches:
            totals = self.branch_totals[branch]
            self.assertEqual(items[branch]["sales"], sum(1 for t in totals if t > 0))
            self.assertEqual(items[branch]["refunds"], sum(1 for t in totals if t < 0))
            self.assertEqual(items[branch]["revenue"], sum(totals))
        for branch in self.branches:
            firsts = sum(1 for _, first_branch in self.first_sale.values() if first_branch == branch)
            self.assertEqual(items[branch]["new_customers"], firsts)
        # The orders were posted with tokens, so no staff member has sales; every member is listed
        # with their daily prospect goal and today's count.
        staff = self.get("/analytics/staff")["items"]
        members = self.get("/staff")["items"]
        self.assertEqual(sorted(row["id"] for row in staff), sorted(member["id"] for member in members))
        goals = {member["id"]: member["daily_prospect_goal"] for member in members}
        for row in staff:
            self.assertEqual(row["daily_prospect_goal"], goals[row["id"]])
            self.assertEqual((row["sales"], row["revenue"], row["prospects_today"]), (0, 0, 0))

    def test_a_new_order_and_a_refund_show_up_in_the_next_answer(self):
        customer = self.customers[3]
        before = self.get(f"/customers/{customer}/analytics")
        self.assertEqual(before["rfm"]["frequency"], 1)
        summary_before = self.get("/analytics/summary")
        posted = self.owner.post("/orders", {"branch_id": self.branches[1], "customer_id": customer, "total": 7000})
        self.assertEqual(posted.status, 201, posted)
        after = self.get(f"/customers/{customer}/analytics")
        self.assertEqual(after["rfm"]["frequency"], before["rfm"]["frequency"] + 1)
        self.assertEqual(after["rfm"]["monetary"], before["rfm"]["monetary"] + 7000)
        self.assertEqual(after["rfm"]["recency_days"], 0)
        self.assertEqual(after["orders"], before["orders"] + 1)
        refund = self.owner.post(f"/orders/{posted.json['id']}/refund", {"amount": 2000})
        self.assertEqual(refund.status, 201, refund)
        refunded = self.get(f"/customers/{customer}/analytics")
        self.assertEqual(refunded["rfm"]["monetary"], before["rfm"]["monetary"] + 5000)
        self.assertEqual(refunded["rfm"]["frequency"], before["rfm"]["frequency"] + 1)
        summary = self.get("/analytics/summary")
        self.assertEqual(summary["revenue"], summary_before["revenue"] + 5000)
        self.assertEqual(summary["orders"], summary_before["orders"] + 2)
        self.assertEqual(summary["funnel"]["second"], summary_before["funnel"]["second"] + 1)
        # The other tests compute their figures from these lists.
        at = datetime.fromisoformat(posted.json["ordered_at"].replace("Z", "+00:00"))
        type(self).orders = self.orders + [(customer, at, 7000), (customer, at, -2000)]
        self.branch_totals[self.branches[1]].extend([7000, -2000])

    def test_models_fit_in_the_background_and_give_churn_risk(self):
        clv = wait_for_settled_clv(self.owner)
        self.assertEqual(clv["status"], "ready", clv)
        self.assertIn(clv["fits"]["bgnbd"]["state"], ("converged", "not_converged"), clv["fits"])
        self.assertIn(clv["fits"]["pareto_nbd"]["state"], ("converged", "not_converged", "skipped"), clv["fits"])
        model = clv["model"]
        for key in ("r", "alpha", "a", "b"):
            self.assertGreater(model["bgnbd"][key], 0)
        self.assertEqual(model["customers"], len(HISTORIES))
        self.assertEqual(sum(bucket["customers"] for bucket in clv["histogram"]), len(HISTORIES))
        self.assertEqual(model["orders"], clv["orders"])
        clvs = [row["clv_12m"] for row in clv["customers"]]
        self.assertEqual(clvs, sorted(clvs, reverse=True))
        # BG/NBD: a customer without a repeat purchase is alive with probability 1.
        single = self.get(f"/customers/{self.customers[2]}/analytics")
        self.assertIn(single["model_status"], ("ready", "fitting"))
        self.assertAlmostEqual(single["probability_alive"], 1.0)
        self.assertAlmostEqual(single["churn_risk"], 0.0)
        regular = self.get(f"/customers/{self.customers[6]}/analytics")
        self.assertAlmostEqual(regular["churn_risk"], 1 - regular["probability_alive"])
        self.assertGreater(regular["expected_visits_90d"], 0)
        self.assertGreaterEqual(regular["expected_value_90d"], 0)
        # Ten customers are too few to check the model on a holdout: the reason is given.
        self.assertIsNone(clv["model_check"])
        self.assertTrue(clv["model_check_reason"])
        self.assertEqual(clv["fits"]["model_check"]["state"], "skipped")
        self.assertEqual(clv["fits"]["model_check"]["reason"], clv["model_check_reason"])

    def test_staff_get_403_and_bad_parameters_name_their_field(self):
        for route in ROUTES:
            self.assertError(self.staff.get(f"/analytics/{route}"), 403)
        self.assertError(self.staff.get(f"/customers/{self.customers[0]}/analytics"), 403)
        self.assertError(self.owner.get("/analytics/rfm?limit=0"), 400, field="limit")
        self.assertError(self.owner.get("/analytics/rfm?segment=vip"), 400, field="segment")
        self.assertError(self.owner.get("/analytics/pareto?top=1.5"), 400, field="top")
        self.assertError(self.owner.get("/analytics/pareto?top=abc"), 400, field="top")
        self.assertError(self.owner.get("/analytics/overdue?multiple=-1"), 400, field="multiple")
        self.assertError(self.owner.get("/analytics/rules?min_support=0"), 400, field="min_support")
        self.assertError(self.owner.get("/analytics/rules?min_confidence=2"), 400, field="min_confidence")
        self.assertError(self.owner.get("/customers/987654321/analytics"), 404)
        for route in ROUTES:
            answer = self.get(f"/analytics/{route}")
            self.assertIn("as_of", answer)
            self.assertIn("parameters", answer)
            self.assertIsInstance(answer["orders"], int)

    def test_saved_segments_select_the_customers_their_filter_describes(self):
        rfm = {row["customer_id"]: row for row in self.get("/analytics/rfm?limit=1000")["customers"]}
        overdue = {row["customer_id"] for row in self.get("/analytics/overdue?limit=1000")["customers"]}
        profiles = {c: self.get(f"/customers/{c}") for c in self.customers}
        segment = rfm[self.customers[0]]["segment"]
        created = self.owner.post("/segments", {"name": unique("단골"), "filter": {
            "rfm_segment": segment, "min_visits": 2, "overdue_only": False}})
        self.assertEqual(created.status, 201, created)
        body = created.json
        self.assertEqual(body["filter"]["rfm_segment"], segment)
        self.assertEqual(body["filter"]["min_visits"], 2)
        self.assertIsNone(body["filter"]["stage"])
        members = self.get(f"/segments/{body['id']}/customers?limit=500")
        expected = sorted(c for c in self.customers
                          if rfm[c]["segment"] == segment and profiles[c]["visit_count"] >= 2)
        self.assertIn(self.customers[0], expected)
        self.assertEqual([item["id"] for item in members["items"]], expected)
        self.assertTrue(all(item["rfm_segment"] == segment for item in members["items"]))
        # Overdue only, stage and consent: the members change with the filter.
        changed = self.owner.patch(f"/segments/{body['id']}", {"name": body["name"],
                                                               "filter": {"overdue_only": True}})
        self.assertEqual(changed.status, 200, changed)
        members = self.get(f"/segments/{body['id']}/customers")
        self.assertEqual({item["id"] for item in members["items"]}, overdue & set(self.customers))
        # Paging: one at a time gives the same customers.
        paged, cursor = [], None
        for _ in range(20):
            page = self.get(f"/segments/{body['id']}/customers?limit=1" + (f"&cursor={cursor}" if cursor else ""))
            paged += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(paged, [item["id"] for item in members["items"]])
        self.assertIn(body["id"], [item["id"] for item in self.get("/segments")["items"]])
        # The segment as a file: its members now, masked on request, each export in the access log.
        exported = self.owner.get(f"/segments/{body['id']}/export?format=csv&mask=true")
        self.assertEqual(exported.status, 200, repr(exported))
        self.assertRegex(exported.header("Content-Disposition"), r'^attachment; filename="segment-\d{8}\.csv"$')
        rows = list(csv.reader(io.StringIO(exported.body.decode("utf-8-sig"), newline="")))
        self.assertEqual(rows[0][:3], ["id", "name", "phone"])
        self.assertEqual([int(row[0]) for row in rows[1:]], [item["id"] for item in members["items"]])
        for row in rows[1:]:
            self.assertIn("*", row[2])  # masked phone
        log = [entry for entry in self.get("/access-log?limit=50")["items"] if entry["action"] == "export"]
        self.assertEqual(log[0]["detail"], f"segment {body['id']} customers csv rows={len(rows) - 1} masked=yes")
        self.assertError(self.staff.get(f"/segments/{body['id']}/export"), 403)
        self.assertError(self.owner.get(f"/segments/{body['id']}/export?format=pdf"), 400, field="format")
        # Errors name the field; names are unique; staff may not; deleted is gone.
        self.assertError(self.owner.post("/segments", {"name": "x", "filter": {"rfm_segment": "vip"}}), 400,
                         field="filter.rfm_segment")
        self.assertError(self.owner.post("/segments", {"name": "x", "filter": {"stage": "gold"}}), 400,
                         field="filter.stage")
        self.assertError(self.owner.post("/segments", {"name": "x", "filter": {"min_visits": -1}}), 400,
                         field="filter.min_visits")
        self.assertError(self.owner.post("/segments", {"filter": {}}), 400, field="name")
        self.assertError(self.owner.post("/segments", {"name": body["name"]}), 409, field="name")
        self.assertError(self.staff.get("/segments"), 403)
        self.assertError(self.staff.get(f"/segments/{body['id']}/customers"), 403)
        self.assertEqual(self.owner.delete(f"/segments/{body['id']}").status, 204)
        self.assertError(self.owner.get(f"/segments/{body['id']}"), 404)

    def test_a_segment_by_consent_and_stage(self):
        customer = self.customers[6]
        granted = self.owner.patch(f"/customers/{customer}",
                                   {"consents": [{"channel": "kakao", "granted": True, "source": "counter"}]})
        self.assertEqual(granted.status, 200, granted)
        stage = self.get(f"/customers/{customer}")["stage"]
        created = self.owner.post("/segments", {"name": unique("카톡"), "filter": {"consent": "kakao", "stage": stage}})
        self.assertEqual(created.status, 201, created)
        ids = [item["id"] for item in self.get(f"/segments/{created.json['id']}/customers")["items"]]
        expected = [c for c in self.customers
                    if self.get(f"/customers/{c}")["stage"] == stage
                    and any(x["channel"] == "kakao" and x["granted"] for x in self.get(f"/customers/{c}")["consents"])]
        self.assertIn(customer, ids, (created.json, self.get(f"/customers/{customer}")))
        self.assertEqual([i for i in ids if i in self.customers], expected)


class ImportedOrdersTests(ServerTestCase):
    """Orders written by another process (`dangol import`) reach the next answer too."""
    server_arguments = SERVER_CLOCK

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "anim")

    def test_orders_imported_while_the_server_runs_are_in_the_next_answer(self):
        owner = self.server.client(self.tenant.owner_token)
        self.assertEqual(owner.post("/branches", {"name": unique("본점")}).status, 201)
        before = owner.get("/analytics/summary")
        self.assertEqual(before.status, 200, before)
        path = os.path.join(self._directory.name, "orders.csv")
        with open(path, "w", encoding="utf-8") as file:
            first, second = (CLOCK_START - 20 * DAY).date(), (CLOCK_START - 12 * DAY).date()
            file.write("주문번호,주문일시,고객명,휴대폰,결제금액\n"
                       f"B-1,{first} 12:30,김철수,010-5555-7777,12000\n"
                       f"B-2,{second} 12:30,김철수,010-5555-7777,8000\n")
        run_cli(["import", "--db", self.db_url, "--business", self.tenant.slug, "--kind", "orders", path])
        after = owner.get("/analytics/summary").json
        self.assertEqual(after["orders"], before.json["orders"] + 2)
        self.assertEqual(after["revenue"], before.json["revenue"] + 20000)
        self.assertEqual(after["funnel"]["second"], before.json["funnel"]["second"] + 1)

    def test_concurrent_sales_are_each_counted_once(self):
        owner = self.server.client(self.tenant.owner_token)
        branch = owner.post("/branches", {"name": unique("동시")}).json["id"]
        before = owner.get("/analytics/summary").json
        results = []

        def post(index):
            results.append(owner.post("/orders", {"branch_id": branch, "total": 1000 + index}).status)

        threads = [threading.Thread(target=post, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        # Reads while the sales arrive must not disturb them.
        for _ in range(5):
            self.assertEqual(owner.get("/analytics/summary").status, 200)
        for thread in threads:
            thread.join()
        self.assertEqual(results, [201] * 16)
        after = owner.get("/analytics/summary").json
        self.assertEqual(after["orders"], before["orders"] + 16)
        self.assertEqual(after["revenue"], before["revenue"] + sum(1000 + i for i in range(16)))


def wait_for_settled_clv(owner):
    """/analytics/clv once it is ready and no model is still being fitted (or at the timeout, for
    the caller's assertion to show)."""
    deadline = time.monotonic() + STATE_TIMEOUT_SECONDS
    while True:
        clv = owner.get("/analytics/clv").json
        settled = clv["status"] == "ready" and all(fit["state"] != "fitting" for fit in clv["fits"].values())
        if settled or clv["status"] == "insufficient_data" or time.monotonic() > deadline:
            return clv
        time.sleep(0.2)


class ModelCheckTests(ServerTestCase):
    """The server's model check: BG/NBD fitted on a calibration period predicts the holdout after
    it; the actual side must equal the repeat visits (distinct customer-days) after the calibration
    end, counted here from the posted orders."""
    server_arguments = SERVER_CLOCK

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "trust")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client(cls.tenant.owner_token)
        branch = cls.owner.post("/branches", {"name": unique("본점")}).json["id"]
        now = CLOCK_START.astimezone(timezone.utc)
        cls.orders = []  # (customer, at)
        for index in range(40):
            phone = "0108" + str(2000000 + index * 7907 + int(time.time()) % 1000).zfill(7)
            created = cls.owner.post("/customers", {"name": f"신뢰{index}", "phone": phone})
            assert created.status == 201, created
            customer = created.json["id"]
            # First visit 100-200 days ago, then every 6-30 days; some stop coming, and some
            # visit twice on one day (one transaction).
            days_ago = 100 + (index * 37) % 100
            gap = 6 + (index * 11) % 25
            stop = 0 if index % 4 else 60 + index
            while days_ago >= 0 and days_ago >= stop:
                at = now - timedelta(days=days_ago, hours=2)
                for extra in range(2 if index % 5 == 0 else 1):
                    posted = cls.owner.post("/orders", {"branch_id": branch, "customer_id": customer,
                                                        "ordered_at": (at + timedelta(minutes=extra)).isoformat(),
                                                        "total": 5000 + 100 * index})
                    assert posted.status == 201, posted
                    cls.orders.append((customer, at + timedelta(minutes=extra)))
                days_ago -= gap

    def test_model_check_counts_the_holdout_as_this_test_does(self):
        clv = wait_for_settled_clv(self.owner)
        self.assertEqual(clv["status"], "ready", clv)
        # Every fit ended, with the reason when it did not converge (forty customers may leave a
        # maximum at the edge of the parameter space).
        fits = clv["fits"]
        for name in ("bgnbd", "gamma_gamma", "model_check", "pareto_nbd"):
            self.assertIn(fits[name]["state"], ("converged", "not_converged"), fits)
            self.assertEqual(fits[name]["reason"] is None, fits[name]["state"] == "converged", fits)
        check = clv["model_check"]
        self.assertIsNotNone(check, clv["model_check_reason"])
        self.assertIsNone(clv["model_check_reason"])
        end = datetime.strptime(check["calibration_end"], "%Y-%m-%d").date()
        today = datetime.fromisoformat(clv["model"]["as_of"].replace("Z", "+00:00")).astimezone(KST).date()
        self.assertGreaterEqual(check["holdout_weeks"], 4)
        self.assertAlmostEqual(check["holdout_weeks"], (today - end).days / 7)
        days = {}
        for customer, at in self.orders:
            days.setdefault(customer, set()).add(at.astimezone(KST).date())
        included = {c: d for c, d in days.items() if min(d) <= end}
        actual = sum(1 for d in included.values() for day in d if day > end)
        self.assertEqual(check["customers"], len(included))
        self.assertEqual(check["actual_total"], actual)
        self.assertGreater(actual, 0)
        self.assertEqual(check["zero_class"]["actual"],
                         sum(1 for d in included.values() if max(d) <= end))
        self.assertGreater(check["predicted_total"], 0)
        self.assertGreaterEqual(check["correlation"], -1)
        self.assertLessEqual(check["correlation"], 1)
        # The second model on the same customers: fitted, with a likelihood no better than a
        # probability allows, and expected visits of the same order as BG/NBD's.
        second = clv["model"]["pareto_nbd"]
        self.assertIsNotNone(second, clv["model"]["pareto_nbd_reason"])
        for name in ("r", "alpha", "s", "beta"):
            self.assertGreater(second[name], 0, name)
        self.assertLess(second["log_likelihood"], 0)
        bgnbd_visits = clv["model"]["expected_visits_90d"]
        self.assertGreater(second["expected_visits_90d"], bgnbd_visits / 3)
        self.assertLess(second["expected_visits_90d"], bgnbd_visits * 3)
        curve = check["cumulative"]
        self.assertEqual([point["week"] for point in curve], list(range(1, len(curve) + 1)))
        self.assertEqual(curve[-1]["actual"], sum(len(d) - 1 for d in included.values()))
        actuals = [point["actual"] for point in curve]
        self.assertEqual(actuals, sorted(actuals))


class ShutdownDuringFitTests(ServerTestCase):
    """SIGTERM while the models are being fitted: the server cancels the fit and exits, rather than
    burning on until the fit ends. Five thousand customers keep the fit running for a while;
    the test asserts only that the process is gone within a generous bound, never how long the fit
    takes."""
    server_arguments = SERVER_CLOCK
    # PostgreSQL imports row by row far slower than SQLite: fewer customers there, still a fit.
    customers = 5_000 if ServerTestCase.backend == "sqlite" else 1_500
    exit_timeout_seconds = 10

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "stop")

    def import_customers(self, owner):
        self.assertEqual(owner.post("/branches", {"name": unique("본점")}).status, 201)
        path = os.path.join(self._directory.name, "many.csv")
        generator = random.Random(12)
        with open(path, "w", encoding="utf-8") as file:
            file.write("주문번호,주문일시,고객명,휴대폰,결제금액\n")
            order = 0
            for customer in range(self.customers):
                days_ago = generator.randint(30, 700)
                while days_ago > 0:
                    order += 1
                    day = (CLOCK_START - days_ago * DAY).date()
                    file.write(f"S-{order},{day} 12:{customer % 60:02d},손님{customer},"
                               f"010-{3000 + customer // 10000:04d}-{customer % 10000:04d},{5000 + customer % 7 * 1000}\n")
                    days_ago -= generator.randint(5, 120)
        run_cli(["import", "--db", self.db_url, "--business", self.tenant.slug, "--kind", "orders", path])

    def test_sigterm_while_a_model_is_fitted_stops_the_server(self):
        owner = self.server.client(self.tenant.owner_token)
        self.import_customers(owner)
        deadline = time.monotonic() + STATE_TIMEOUT_SECONDS
        while True:
            try:
                clv = owner.get("/analytics/clv").json
            except (OSError, http.client.HTTPException) as error:
                # A poll that lost its connection or timed out (the first request builds the
                # aggregates, slow on a loaded PostgreSQL) is asked again; a server that died is caught by
                # the exit code below, which must be 0.
                self.assertLess(time.monotonic(), deadline, f"no answer from /analytics/clv: {error!r}")
                self.assertIsNone(self.server.process.poll(), self.server.log_tail())
                continue
            fitting = clv["status"] == "fitting" or (
                clv["fits"] is not None and any(fit["state"] == "fitting" for fit in clv["fits"].values()))
            if fitting:
                break
            self.assertLess(time.monotonic(), deadline, f"no fit was seen running: {clv}")
            time.sleep(0.05)
        self.server.process.send_signal(signal.SIGTERM)
        try:
            code = self.server.process.wait(timeout=self.exit_timeout_seconds)
        except subprocess.TimeoutExpired:
            self.fail(f"the server was still running {self.exit_timeout_seconds} s after SIGTERM\n"
                      f"{self.server.log_tail()}")
        self.assertEqual(code, 0, self.server.log_tail())


if __name__ == "__main__":
    unittest.main()
