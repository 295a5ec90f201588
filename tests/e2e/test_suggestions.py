"""The counter's "often added" suggestions (GET /customers/{id}/suggestions), on SQLite and on
PostgreSQL: the answer is checked against rules computed here from the orders this test posted,
with the route's fixed thresholds (support count >= max(3, 0.5 % of baskets), confidence >= 0.3,
lift > 1, at most two products on the left): a customer who orders X gets Y, one who already
orders Y does not, staff may ask, and mined rules are reused while nothing changed."""

import math
import os
import sys
import unittest
from itertools import combinations

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dangol_e2e import ServerTestCase, Tenant, unique  # noqa: E402

AMERICANO, CROISSANT, LATTE, COOKIE, MUFFIN = "아메리카노", "크루아상", "라떼", "쿠키", "머핀"
# Anonymous baskets that make the rules: americano with a croissant, latte with a cookie.
FILLER = [[AMERICANO, CROISSANT]] * 6 + [[AMERICANO]] * 2 + [[LATTE, COOKIE]] * 3 + [[LATTE]] * 3 + [[MUFFIN]] * 2
CUSTOMER_BASKETS = {
    "americano": [[AMERICANO]],                 # orders X: gets Y
    "both": [[AMERICANO, CROISSANT]],           # already orders Y: gets nothing from X => Y
    "two": [[AMERICANO], [LATTE]],              # two usual products: two suggestions, by lift
    "none": [],                                 # no order yet: nothing
}


def expected_rules(baskets):
    """[(lhs frozenset, rhs, count, confidence, lift)] with the route's thresholds."""
    n = len(baskets)
    sets = [frozenset(b) for b in baskets]
    count = {}
    for items in sets:
        for size in (1, 2, 3):
            for combo in combinations(sorted(items), size):
                key = frozenset(combo)
                count[key] = count.get(key, 0) + 1
    min_count = max(3, math.ceil(0.005 * n))
    rules = []
    for itemset, together in count.items():
        if len(itemset) < 2 or together < min_count:
            continue
        for rhs in itemset:
            lhs = itemset - {rhs}
            confidence = together / count[lhs]
            lift = confidence / (count[frozenset([rhs])] / n)
            if confidence >= 0.3 and lift > 1:
                rules.append((lhs, rhs, together, confidence, lift))
    return rules


def expected_suggestions(rules, usual):
    candidates = [r for r in rules if r[0] <= usual and r[1] not in usual]
    candidates.sort(key=lambda r: (-r[4], -r[3], -r[2]))
    out, seen = [], set()
    for rule in candidates:
        if rule[1] in seen:
            continue
        seen.add(rule[1])
        out.append(rule)
    return out[:3]


class SuggestionTests(ServerTestCase):

    @classmethod
    def set_up_data_before_start(cls):
        cls.tenant = Tenant(cls.db_url, "hint")
        cls.staff_token = cls.tenant.token("staff")
        cls.other = Tenant(cls.db_url, "hint2")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        owner = cls.server.client(cls.tenant.owner_token)
        branch = owner.post("/branches", {"name": unique("본점")}).json["id"]
        cls.baskets = []

        def order(customer, products):
            body = {"branch_id": branch,
                    "lines": [{"product": p, "quantity": 1, "unit_price": 4000} for p in products]}
            if customer is not None:
                body["customer_id"] = customer
            posted = owner.post("/orders", body)
            assert posted.status == 201, posted
            cls.baskets.append(products)

        for products in FILLER:
            order(None, products)
        cls.customers, cls.usual = {}, {}
        for index, (key, baskets) in enumerate(CUSTOMER_BASKETS.items()):
            created = owner.post("/customers", {"name": f"추천{index}", "phone": f"0105{index:03d}1234"})
            assert created.status == 201, created
            cls.customers[key] = created.json["id"]
            cls.usual[key] = set()
            for products in baskets:
                order(created.json["id"], products)
                cls.usual[key].update(products)
        cls.rules = expected_rules(cls.baskets)

    def setUp(self):
        self.owner = self.server.client(self.tenant.owner_token)

    def suggestions(self, key, client=None):
        response = (client or self.owner).get(f"/customers/{self.customers[key]}/suggestions")
        self.assertEqual(response.status, 200, response)
        return response.json

    def check(self, key):
        answer = self.suggestions(key)
        expected = expected_suggestions(self.rules, self.usual[key])
        self.assertEqual([item["product"] for item in answer["items"]], [rule[1] for rule in expected], key)
        for item, (lhs, rhs, together, confidence, lift) in zip(answer["items"], expected):
            self.assertEqual(set(item["because"]), set(lhs))
            self.assertEqual(item["support_count"], together)
            self.assertAlmostEqual(item["confidence"], confidence, places=12)
            self.assertAlmostEqual(item["lift"], lift, places=12)
        return answer

    def test_a_customer_who_orders_x_gets_y(self):
        answer = self.check("americano")
        self.assertEqual(answer["items"][0]["product"], CROISSANT)
        self.assertEqual(answer["items"][0]["because"], [AMERICANO])
        self.assertEqual(answer["orders"], len(self.baskets))
        self.assertEqual(answer["parameters"]["min_confidence"], 0.3)

    def test_a_customer_who_already_orders_y_gets_nothing_for_it(self):
        answer = self.check("both")
        self.assertNotIn(CROISSANT, [item["product"] for item in answer["items"]])
        self.assertNotIn(AMERICANO, [item["product"] for item in answer["items"]])

    def test_suggestions_are_ranked_by_lift(self):
        answer = self.check("two")
        self.assertEqual([item["product"] for item in answer["items"]], [COOKIE, CROISSANT])
        self.assertGreater(answer["items"][0]["lift"], answer["items"][1]["lift"])

    def test_a_customer_without_orders_gets_none(self):
        self.assertEqual(self.check("none")["items"], [])

    def test_staff_may_ask_and_get_the_same_answer(self):
        staff = self.server.client(self.staff_token)
        self.assertEqual(self.suggestions("americano", staff)["items"], self.suggestions("americano")["items"])

    def test_rules_are_reused_while_no_order_arrives(self):
        first = self.suggestions("two")
        second = self.suggestions("americano")
        self.assertEqual(first["as_of"], second["as_of"])

    def test_another_business_customer_and_a_missing_one_are_not_found(self):
        self.assertEqual(self.owner.get("/customers/987654321/suggestions").status, 404)
        intruder = self.server.client(self.other.owner_token)
        response = intruder.get(f"/customers/{self.customers['americano']}/suggestions")
        self.assertEqual(response.status, 404, response)


if __name__ == "__main__":
    unittest.main()
