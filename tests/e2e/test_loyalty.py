"""Loyalty over HTTP, on SQLite and on PostgreSQL: program settings and their errors, earning in the
order response, the ledger, Idempotency-Key replays and conflicts, refunds after redemption,
coupons, referrals, roles, and concurrent redemptions of one balance that never overdraw it."""

import datetime
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, items_of, run_cli, unique, walk_pages  # noqa: E402


def iso_days_ago(days, hour_utc=3):
    """A fixed time of day `days` days ago (03:00 UTC is noon in Seoul): orders placed at one such
    time fall on one business day whatever the hour the test runs."""
    day = datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=days)
    return f"{day.isoformat()}T{hour_utc:02d}:00:00Z"

COUNTERS = 16
ATTEMPTS_PER_COUNTER = 4


class LoyaltyTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "loyal")
        cls.staff_token = cls.tenant.token("staff")

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)
        self.staff = self.server.client(self.staff_token)
        if not hasattr(type(self), "branch"):
            branch = self.owner.post("/branches", {"name": unique("본점")})
            self.assertEqual(branch.status, 201, branch)
            type(self).branch = branch.json["id"]
        self.set_program({"preset": "points", "min_balance_to_redeem": 0, "referral_reward_points": 500})

    def set_program(self, body):
        response = self.owner.request("PUT", "/loyalty/program", body)
        self.assertEqual(response.status, 200, response)
        return response.json

    def new_customer(self):
        phone = "010" + str(abs(hash(unique("p"))) % 10**8).zfill(8)
        response = self.owner.post("/customers", {"name": "박단골", "phone": phone})
        self.assertEqual(response.status, 201, response)
        return response.json["id"]

    def order(self, customer, total, **fields):
        body = {"branch_id": self.branch, "customer_id": customer, "total": total}
        body.update(fields)
        return self.owner.post("/orders", body)

    def balance(self, customer):
        response = self.owner.get(f"/customers/{customer}/loyalty")
        self.assertEqual(response.status, 200, response)
        return response.json["balance"]

    def ledger_sum(self, customer):
        return sum(entry["amount"] for entry in walk_pages(self.owner, f"/customers/{customer}/ledger", 50))

    def test_program_errors_name_the_field_and_only_owners_may_set_it(self):
        bad = self.owner.request("PUT", "/loyalty/program", {"preset": "points", "rate_permille": 5000})
        self.assertError(bad, 400, field="rate_permille")
        bad = self.owner.request("PUT", "/loyalty/program", {"preset": "starbucks",
                                                              "tiers": [{"name": "A", "threshold": 0},
                                                                        {"name": "B", "threshold": 0}]})
        self.assertError(bad, 400, field="tiers[1].threshold")
        self.assertError(self.owner.request("PUT", "/loyalty/program", {"preset": "nope"}), 400, field="preset")
        self.assertError(self.owner.request("PUT", "/loyalty/program", {"kind": 7}), 400, field="kind")
        self.assertError(self.staff.request("PUT", "/loyalty/program", {"preset": "points"}), 403)
        presets = self.owner.get("/loyalty/presets")
        self.assertEqual([item["preset"] for item in presets.json["items"]],
                         ["stamps", "points", "starbucks", "visit-ranks"])
        self.assertEqual(self.owner.get("/loyalty/program").json["rate_permille"], 15)

    def test_an_order_earns_in_its_answer_and_the_ledger_sums_to_the_balance(self):
        customer = self.new_customer()
        posted = self.order(customer, 12345)
        self.assertEqual(posted.status, 201, posted)
        self.assertEqual(posted.json["loyalty"]["earned"], 185)
        self.assertEqual(posted.json["loyalty"]["balance"], 185)
        anonymous = self.owner.post("/orders", {"branch_id": self.branch, "total": 5000})
        self.assertIsNone(anonymous.json["loyalty"])
        entries = walk_pages(self.owner, f"/customers/{customer}/ledger", 50)
        self.assertEqual([(e["kind"], e["amount"], e["order_id"]) for e in entries],
                         [("earn", 185, posted.json["id"])])
        self.assertEqual(self.balance(customer), 185)

    def test_a_retry_with_the_same_key_changes_nothing_and_another_body_is_a_conflict(self):
        customer = self.new_customer()
        self.order(customer, 100000)
        body = {"amount": 300, "branch_id": self.branch}
        key = {"Idempotency-Key": unique("key")}
        first = self.owner.post(f"/customers/{customer}/redeem", body, headers=key)
        self.assertEqual(first.status, 201, first)
        again = self.owner.post(f"/customers/{customer}/redeem", body, headers=key)
        self.assertEqual((again.status, again.json), (201, first.json))
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        other = self.owner.post(f"/customers/{customer}/redeem", {"amount": 301, "branch_id": self.branch},
                                headers=key)
        self.assertError(other, 409, field="Idempotency-Key")
        self.assertEqual(self.balance(customer), 1500 - 300)
        order_key = {"Idempotency-Key": unique("order")}
        sale = {"branch_id": self.branch, "customer_id": customer, "total": 10000}
        one = self.owner.post("/orders", sale, headers=order_key)
        two = self.owner.post("/orders", sale, headers=order_key)
        self.assertEqual((one.status, two.status, two.json["id"]), (201, 201, one.json["id"]))
        self.assertEqual(self.balance(customer), 1500 - 300 + 150)
        self.assertError(self.owner.post(f"/customers/{customer}/redeem", body, headers={"Idempotency-Key": "a b"}),
                         400, field="Idempotency-Key")

    def test_refund_after_redemption_restores_the_points_the_order_spent(self):
        customer = self.new_customer()
        self.order(customer, 100000)
        paid = self.order(customer, 20000, points_redeemed=1000)
        self.assertEqual(paid.status, 201, paid)
        self.assertEqual(paid.json["loyalty"]["redeemed"], 1000)
        self.assertEqual(self.balance(customer), 1500 - 1000 + 300)
        refund = self.owner.post(f"/orders/{paid.json['id']}/refund", {})
        self.assertEqual(refund.status, 201, refund)
        self.assertEqual(self.balance(customer), 1500)
        self.assertEqual(self.ledger_sum(customer), 1500)
        short = self.order(customer, 20000, points_redeemed=999999)
        self.assertError(short, 409, field="points_redeemed")

    def test_adjustments_need_a_manager_and_a_reason(self):
        customer = self.new_customer()
        self.assertError(self.staff.post(f"/customers/{customer}/adjust", {"amount": 10, "reason": "x"}), 403)
        self.assertError(self.owner.post(f"/customers/{customer}/adjust", {"amount": 10}), 400, field="reason")
        self.assertError(self.owner.post(f"/customers/{customer}/adjust", {"amount": -10, "reason": "차감"}), 409,
                         field="amount")
        added = self.owner.post(f"/customers/{customer}/adjust", {"amount": 10, "reason": "사과의 뜻"})
        self.assertEqual(added.status, 201, added)
        self.assertEqual(added.json["entry"]["kind"], "adjust")

    def test_coupons_are_issued_within_their_limit_and_used_once(self):
        customer = self.new_customer()
        template = self.owner.post("/coupon-templates", {"name": "3천원 할인", "kind": "amount_off", "value": 3000,
                                                         "validity": "days", "valid_days": 7,
                                                         "per_customer_limit": 1})
        self.assertEqual(template.status, 201, template)
        self.assertError(self.owner.post("/coupon-templates", {"name": "x", "kind": "percent_off", "value": 150}),
                         400, field="value")
        coupon = self.owner.post(f"/customers/{customer}/coupons", {"template_id": template.json["id"]})
        self.assertEqual(coupon.status, 201, coupon)
        self.assertError(self.owner.post(f"/customers/{customer}/coupons", {"template_id": template.json["id"]}),
                         409, field="template_id")
        code = coupon.json["code"]
        stranger = self.new_customer()
        use = {"code": code.lower(), "customer_id": stranger, "branch_id": self.branch, "amount": 10000}
        self.assertError(self.owner.post("/coupons/redeem", use), 409, field="code")
        use["customer_id"] = customer
        used = self.owner.post("/coupons/redeem", use)
        self.assertEqual((used.status, used.json["discount"]), (200, 3000), used)
        again = self.owner.post("/coupons/redeem", use)
        self.assertError(again, 409, field="code")
        self.assertIn("already been used", again.json["error"]["message"])
        self.assertError(self.owner.post("/coupons/redeem", {**use, "code": "ZZZZZZZZZZZZ"}), 404)

    def assertReason(self, response, status, reason):
        self.assertError(response, status)
        self.assertEqual(response.json["error"].get("reason"), reason, response)

    def test_every_refusal_carries_a_stable_reason_and_its_figures(self):
        customer = self.new_customer()
        self.order(customer, 10000)  # 150 points
        short = self.owner.post(f"/customers/{customer}/redeem", {"amount": 500, "branch_id": self.branch})
        self.assertReason(short, 409, "insufficient_balance")
        self.assertEqual(short.json["error"]["figures"], {"balance": 150})
        self.set_program({"preset": "points", "min_balance_to_redeem": 1000})
        under = self.owner.post(f"/customers/{customer}/redeem", {"amount": 100, "branch_id": self.branch})
        self.assertReason(under, 409, "below_min_balance")
        self.assertEqual(under.json["error"]["figures"], {"min_balance": 1000, "balance": 150})
        self.set_program({"preset": "points", "min_balance_to_redeem": 0})

        template = self.owner.post("/coupon-templates", {"name": unique("쿠폰"), "kind": "amount_off", "value": 1000,
                                                         "validity": "days", "valid_days": 7})
        coupon = self.owner.post(f"/customers/{customer}/coupons", {"template_id": template.json["id"]}).json
        use = {"code": coupon["code"], "customer_id": self.new_customer(), "branch_id": self.branch}
        self.assertReason(self.owner.post("/coupons/redeem", use), 409, "coupon_other_customer")
        use["customer_id"] = customer
        self.assertEqual(self.owner.post("/coupons/redeem", use).status, 200)
        self.assertReason(self.owner.post("/coupons/redeem", use), 409, "coupon_used")
        self.assertReason(self.owner.post("/coupons/redeem", {**use, "code": "ZZZZZZZZZZZZ"}), 404, "coupon_not_found")

        key = {"Idempotency-Key": unique("key")}
        body = {"amount": 10, "branch_id": self.branch}
        self.assertEqual(self.owner.post(f"/customers/{customer}/redeem", body, headers=key).status, 201)
        other = self.owner.post(f"/customers/{customer}/redeem", {**body, "amount": 11}, headers=key)
        self.assertReason(other, 409, "idempotency_conflict")

        order = self.order(customer, 5000).json
        self.assertEqual(self.owner.post(f"/orders/{order['id']}/refund", {}).status, 201)
        self.assertReason(self.owner.post(f"/orders/{order['id']}/refund", {}), 409, "already_refunded")
        phone = self.owner.get(f"/customers/{customer}").json["phone"]
        self.assertReason(self.owner.post("/customers", {"phone": phone}), 409, "phone_taken")
        self.assertReason(self.owner.post("/customers", {"phone": "12"}), 400, "invalid_argument")

    def test_a_program_save_reports_every_bad_field_at_once(self):
        bad = self.owner.request("PUT", "/loyalty/program", {
            "preset": "starbucks", "rate_permille": 5000, "max_redeem_percent": 101,
            "tiers": [{"name": "A", "threshold": 0}, {"name": "", "threshold": 0}]})
        self.assertError(bad, 400, field="rate_permille")
        problems = bad.json["error"]["errors"]
        self.assertEqual([p["field"] for p in problems],
                         ["rate_permille", "max_redeem_percent", "tiers[1].name", "tiers[1].threshold"])
        self.assertEqual(problems[0]["reason"], "out_of_range")
        self.assertEqual(problems[0]["figures"], {"min": 0, "max": 1000})
        self.assertEqual(problems[3]["reason"], "not_rising")
        self.assertEqual(self.owner.get("/loyalty/program").json["rate_permille"], 15)

    def test_a_referral_rewards_both_once_after_the_friends_first_paid_order(self):
        referrer = self.new_customer()
        self.order(referrer, 10000)
        code = self.owner.get(f"/customers/{referrer}/loyalty").json["referral_code"]
        friend = self.new_customer()
        self.assertError(self.owner.post(f"/customers/{referrer}/referral", {"code": code}), 409, field="code")
        joined = self.owner.post(f"/customers/{friend}/referral", {"code": code})
        self.assertEqual(joined.status, 201, joined)
        before = self.balance(referrer)
        self.order(friend, 10000)
        self.order(friend, 10000)
        self.assertEqual(self.balance(referrer), before + 500)
        self.assertEqual(self.balance(friend), 150 + 150 + 500)
        referrals = items_of(self.owner.get(f"/customers/{referrer}/referrals").json)
        self.assertEqual([(r["customer_id"], r["rewarded"]) for r in referrals], [(friend, True)])
        self.assertEqual(self.owner.get(f"/customers/{referrer}/loyalty").json["referral_count"], 1)

    def run_at_once(self, count, send):
        """Runs send(index) from `count` threads at once; returns the answers' statuses."""
        statuses = []
        lock = threading.Lock()

        def worker(index):
            response = send(self.server.client(self.tenant.owner_token), index)
            with lock:
                statuses.append(response.status)

        threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return statuses

    def test_concurrent_sales_of_one_customer_all_earn_and_concurrent_refunds_of_one_order_refund_once(self):
        customer = self.new_customer()
        statuses = self.run_at_once(COUNTERS, lambda client, index: client.post(
            "/orders", {"branch_id": self.branch, "customer_id": customer, "total": 10000}))
        self.assertEqual(statuses, [201] * COUNTERS)
        self.assertEqual(self.balance(customer), 150 * COUNTERS)
        self.assertEqual(self.owner.get(f"/customers/{customer}").json["visit_count"], COUNTERS)
        sale = self.order(customer, 20000, points_redeemed=1000)
        self.assertEqual(sale.status, 201, sale)
        before = self.balance(customer)
        statuses = self.run_at_once(8, lambda client, index: client.post(f"/orders/{sale.json['id']}/refund", {}))
        self.assertEqual(sorted(statuses), [201] + [409] * 7)
        self.assertEqual(self.balance(customer), before - 300 + 1000)
        self.assertEqual(self.ledger_sum(customer), self.balance(customer))

    def assertLedgerVerifies(self):
        verify = run_cli(["ledger", "verify", "--db", self.db_url, "--business", self.tenant.slug])
        self.assertIn("ledger ok", verify.stdout)

    def loyalty_view(self, customer):
        response = self.owner.get(f"/customers/{customer}/loyalty")
        self.assertEqual(response.status, 200, response)
        return response.json

    def test_stars_that_reach_gold_are_no_free_drinks_and_refunding_that_sale_takes_gold_back(self):
        self.set_program({"preset": "starbucks"})
        customer = self.new_customer()
        self.assertEqual(self.order(customer, 5000).json["loyalty"]["promoted_to"], "Green")
        gold = self.order(customer, 25000)
        self.assertEqual(gold.status, 201, gold)
        self.assertEqual(gold.json["loyalty"]["promoted_to"], "Gold")
        self.assertEqual(gold.json["loyalty"]["rewards"], [])
        self.assertEqual(gold.json["loyalty"]["balance"], 30)
        big = self.new_customer()
        at_once = self.order(big, 41000).json["loyalty"]
        self.assertEqual((at_once["promoted_to"], at_once["rewards"], at_once["balance"]), ("Gold", [], 41))
        # Spent at the counter: the refund cannot take the stars back, but the tier metric goes.
        spent = self.owner.post(f"/customers/{customer}/redeem", {"amount": 30, "branch_id": self.branch})
        self.assertEqual(spent.status, 201, spent)
        refund = self.owner.post(f"/orders/{gold.json['id']}/refund", {})
        self.assertEqual(refund.status, 201, refund)
        view = self.loyalty_view(customer)
        self.assertEqual((view["tier"], view["tier_metric"], view["balance"]), ("Green", 5, 0))
        changes = items_of(self.owner.get(f"/customers/{customer}/tier-changes").json)
        self.assertEqual([c["tier_name"] for c in changes], ["Green", "Gold", "Green"])
        self.assertEqual(changes[-1]["order_id"], refund.json["id"])
        self.assertLedgerVerifies()

    def test_a_refund_voids_the_unused_rewards_its_sale_issued(self):
        self.set_program({"preset": "starbucks"})
        customer = self.new_customer()
        self.order(customer, 30000)
        sale = self.order(customer, 25000)
        rewards = sale.json["loyalty"]["rewards"]
        self.assertEqual(len(rewards), 2, sale)
        used = self.owner.post("/coupons/redeem", {"code": rewards[0]["code"], "customer_id": customer,
                                                   "branch_id": self.branch})
        self.assertEqual(used.status, 200, used)
        self.assertEqual(self.owner.post(f"/orders/{sale.json['id']}/refund", {}).status, 201)
        statuses = {c["id"]: c["status"] for c in items_of(self.owner.get(f"/customers/{customer}/coupons").json)}
        self.assertEqual((statuses[rewards[0]["id"]], statuses[rewards[1]["id"]]), ("redeemed", "voided"))
        view = self.loyalty_view(customer)
        self.assertEqual((view["balance"], view["tier_metric"], view["reward_progress"]), (18, 30, -12))
        entries = walk_pages(self.owner, f"/customers/{customer}/ledger", 50)
        self.assertEqual(sorted(e["amount"] for e in entries if e["kind"] == "reverse"), [-25, 12])
        self.assertEqual(self.ledger_sum(customer), 18)
        self.assertLedgerVerifies()

    def test_a_backdated_order_counts_at_its_own_time_and_too_old_an_order_earns_nothing(self):
        self.set_program({"preset": "points"})  # awards expire after 24 months
        customer = self.new_customer()
        late = self.order(customer, 100000, ordered_at=iso_days_ago(400))
        self.assertEqual(late.status, 201, late)
        self.assertEqual((late.json["loyalty"]["earned"], late.json["loyalty"]["not_earned"]), (1500, None))
        entry = walk_pages(self.owner, f"/customers/{customer}/ledger", 50)[0]
        ordered = datetime.date.fromisoformat(iso_days_ago(400)[:10])
        expected = ordered.replace(year=ordered.year + 2) if (ordered.month, ordered.day) != (2, 29) else None
        if expected:
            self.assertEqual(entry["expires_at"][:10], expected.isoformat())
        too_old = self.order(customer, 100000, ordered_at=iso_days_ago(800))
        self.assertEqual(too_old.status, 201, too_old)
        self.assertEqual(too_old.json["loyalty"]["earned"], 0)
        self.assertEqual(too_old.json["loyalty"]["not_earned"]["reason"], "older_than_expiry")
        self.assertEqual(self.balance(customer), 1500)

        self.set_program({"preset": "starbucks"})
        stars = self.new_customer()
        old_gold = self.order(stars, 30000, ordered_at=iso_days_ago(400)).json["loyalty"]
        self.assertEqual((old_gold["earned"], old_gold["promoted_to"]), (30, None))
        self.assertEqual(self.loyalty_view(stars)["tier_metric"], 0)
        self.assertLedgerVerifies()

    def test_thirty_six_orders_in_one_second_are_one_visit_by_default(self):
        bad = self.owner.request("PUT", "/loyalty/program", {"preset": "visit-ranks", "visit_rule": "per_week"})
        self.assertError(bad, 400, field="visit_rule")
        bad = self.owner.request("PUT", "/loyalty/program", {"preset": "visit-ranks", "visit_day_start_hour": 24})
        self.assertError(bad, 400, field="visit_day_start_hour")
        program = self.set_program({"preset": "visit-ranks"})
        self.assertEqual((program["visit_rule"], program["visit_day_start_hour"]), ("per_branch_day", 0))
        customer = self.new_customer()
        at = iso_days_ago(2)
        answers = [self.order(customer, 1000, ordered_at=at).json["loyalty"] for _ in range(36)]
        self.assertEqual([a["visit_counted"] for a in answers], [True] + [False] * 35)
        self.assertEqual({a["visits"] for a in answers}, {1})
        view = self.loyalty_view(customer)
        self.assertEqual((view["tier"], view["visit_count"]), ("주임", 1))
        next_day = self.order(customer, 1000, ordered_at=iso_days_ago(1)).json["loyalty"]
        self.assertEqual((next_day["visit_counted"], next_day["visits"]), (True, 2))

        self.set_program({"preset": "visit-ranks", "visit_rule": "every_order"})
        eager = self.new_customer()
        for _ in range(36):
            self.order(eager, 1000, ordered_at=at)
        self.assertEqual(self.loyalty_view(eager)["tier"], "회장")
        self.assertLedgerVerifies()

    def test_a_refund_with_an_amount_of_an_order_refunded_in_full_is_already_refunded(self):
        customer = self.new_customer()
        sale = self.order(customer, 10000).json
        self.assertEqual(self.owner.post(f"/orders/{sale['id']}/refund", {}).status, 201)
        again = self.owner.post(f"/orders/{sale['id']}/refund", {"amount": 1000})
        self.assertReason(again, 409, "already_refunded")
        self.assertLedgerVerifies()

    def test_orders_name_only_the_business_staff_and_another_members_name_needs_a_manager(self):
        customer = self.new_customer()
        body = {"branch_id": self.branch, "customer_id": customer, "total": 5000}
        self.assertError(self.owner.post("/orders", {**body, "staff_id": 987654321}), 400, field="staff_id")
        other = Tenant(self.db_url, "elsewhere")
        stranger = items_of(self.server.client(other.owner_token).get("/staff").json)[0]["id"]
        self.assertError(self.owner.post("/orders", {**body, "staff_id": stranger}), 400, field="staff_id")
        members = {}
        for role in ("staff", "manager"):
            email = f"{role}.{unique('m')}@example.com"
            created = self.owner.post("/staff", {"email": email, "display_name": role, "password": "staffpass123",
                                                 "role": role, "branch_ids": []})
            self.assertIn(created.status, (200, 201), created)
            session = self.server.client()
            self.assertEqual(session.login(email, "staffpass123", self.tenant.slug).status, 200)
            members[role] = (created.json["id"], session)
        clerk_id, clerk = members["staff"]
        manager_id, manager = members["manager"]
        refused = clerk.post("/orders", {**body, "staff_id": manager_id})
        self.assertReason(refused, 403, "staff_id_needs_manager")
        self.assertEqual(clerk.post("/orders", {**body, "staff_id": clerk_id}).status, 201)
        self.assertEqual(manager.post("/orders", {**body, "staff_id": clerk_id}).status, 201)
        self.assertEqual(self.balance(customer), 2 * 75)
        self.assertLedgerVerifies()

    def test_concurrent_redemptions_of_one_balance_never_overdraw_it(self):
        customer = self.new_customer()
        start = self.owner.post(f"/customers/{customer}/adjust", {"amount": 100, "reason": "동시성 시험"})
        self.assertEqual(start.status, 201, start)
        results = []
        lock = threading.Lock()

        def counter(index):
            client = self.server.client(self.tenant.owner_token)
            for attempt in range(ATTEMPTS_PER_COUNTER):
                response = client.post(f"/customers/{customer}/redeem", {"amount": 10, "branch_id": self.branch},
                                       headers={"Idempotency-Key": f"c{customer}-{index}-{attempt}"})
                with lock:
                    results.append(response.status)

        threads = [threading.Thread(target=counter, args=(index,)) for index in range(COUNTERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        attempts = COUNTERS * ATTEMPTS_PER_COUNTER
        successes = results.count(201)
        refusals = results.count(409)
        print(f"\n{self.backend}: {attempts} concurrent redemption attempts, {successes} succeeded, "
              f"{refusals} refused", file=sys.stderr)
        self.assertEqual(len(results), attempts)
        self.assertEqual(successes, 10)
        self.assertEqual(refusals, attempts - 10)
        self.assertEqual(self.balance(customer), 0)
        self.assertEqual(self.ledger_sum(customer), 0)
        # Scoped to this business: on PostgreSQL the database is shared with other suites.
        verify = run_cli(["ledger", "verify", "--db", self.db_url, "--business", self.tenant.slug])
        self.assertIn("ledger ok", verify.stdout)
        self.assertServerAlive()


if __name__ == "__main__":
    unittest.main()
