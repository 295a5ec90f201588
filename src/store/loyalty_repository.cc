#include "store/loyalty_repository.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace crm::store {
namespace {

using nlohmann::json;

constexpr Statement kGetProgram{"loyalty.get_program",
                                "SELECT settings FROM loyalty_programs WHERE business_id = $1"};
constexpr Statement kSaveProgram{
    "loyalty.save_program",
    "INSERT INTO loyalty_programs (business_id, kind, settings, updated_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (business_id) DO UPDATE SET kind = excluded.kind, settings = excluded.settings, "
    "updated_at = excluded.updated_at"};
constexpr Statement kGetAccount{
    "loyalty.get_account",
    "SELECT customer_id, balance, tier_index, tier_reached_at, referral_code, updated_at, tier_qualified_at "
    "FROM loyalty_accounts "
    "WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kCreateAccount{
    "loyalty.create_account",
    "INSERT INTO loyalty_accounts (business_id, customer_id, balance, tier_index, tier_reached_at, referral_code, "
    "updated_at, tier_qualified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr Statement kSaveAccount{
    "loyalty.save_account",
    "UPDATE loyalty_accounts SET balance = $3, tier_index = $4, tier_reached_at = $5, updated_at = $6, "
    "tier_qualified_at = $7 WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kFindReferralCode{
    "loyalty.find_referral_code",
    "SELECT customer_id FROM loyalty_accounts WHERE business_id = $1 AND referral_code = $2"};

#define LEDGER_COLUMNS \
  "id, business_id, customer_id, kind, amount, expires_at, order_id, related_id, staff_id, branch_id, reason, created_at"
constexpr Statement kAppend{
    "ledger.append",
    "INSERT INTO ledger_entries (business_id, customer_id, kind, amount, expires_at, order_id, related_id, staff_id, "
    "branch_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"};
constexpr Statement kEntries{"ledger.entries",
                             "SELECT " LEDGER_COLUMNS " FROM ledger_entries WHERE business_id = $1 AND customer_id = $2 "
                             "ORDER BY id"};
constexpr Statement kPage{"ledger.page",
                          "SELECT " LEDGER_COLUMNS " FROM ledger_entries WHERE business_id = $1 AND customer_id = $2 "
                          "AND id < $3 ORDER BY id DESC LIMIT $4"};
constexpr Statement kForOrder{"ledger.for_order",
                              "SELECT " LEDGER_COLUMNS " FROM ledger_entries WHERE business_id = $1 AND order_id = $2 "
                              "AND order_id IS NOT NULL ORDER BY id"};
constexpr Statement kEntry{"ledger.entry",
                           "SELECT " LEDGER_COLUMNS " FROM ledger_entries WHERE business_id = $1 AND id = $2"};
constexpr Statement kSum{"ledger.sum",
                         "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE business_id = $1 AND customer_id = $2"};
#define COUNT_COLUMNS \
  "id, business_id, customer_id, tier_units, reward_units, counts_at, order_id, source_id, ledger_entry_id, reason, " \
  "created_at"
constexpr Statement kAppendCount{
    "counts.append",
    "INSERT INTO loyalty_counts (business_id, customer_id, tier_units, reward_units, counts_at, order_id, source_id, "
    "ledger_entry_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"};
constexpr Statement kCountsForOrder{"counts.for_order",
                                    "SELECT " COUNT_COLUMNS " FROM loyalty_counts WHERE business_id = $1 AND "
                                    "order_id = $2 AND order_id IS NOT NULL ORDER BY id"};
constexpr Statement kTierUnitsSince{
    "counts.tier_units_since",
    "SELECT COALESCE(SUM(tier_units), 0) FROM loyalty_counts WHERE business_id = $1 AND customer_id = $2 "
    "AND counts_at >= $3"};
constexpr Statement kRewardProgress{
    "counts.reward_progress",
    "SELECT COALESCE(SUM(reward_units), 0) FROM loyalty_counts WHERE business_id = $1 AND customer_id = $2"};
// A sale refunded in full is no visit.
constexpr Statement kVisitSales{
    "counts.visit_sales",
    "SELECT o.id, o.branch_id, o.ordered_at FROM orders o WHERE o.business_id = $1 AND o.customer_id = $2 "
    "AND o.kind = 1 AND o.ordered_at >= $3 AND o.total > COALESCE((SELECT SUM(-r.total) FROM orders r "
    "WHERE r.business_id = o.business_id AND r.original_order_id = o.id), 0) ORDER BY o.ordered_at, o.id"};
constexpr Statement kDueCustomers{
    "ledger.due_customers",
    "SELECT DISTINCT a.customer_id FROM ledger_entries a WHERE a.business_id = $1 AND a.expires_at IS NOT NULL "
    "AND a.expires_at <= $2 AND a.amount > 0 AND a.customer_id > $4 AND NOT EXISTS (SELECT 1 FROM ledger_entries x "
    "WHERE x.business_id = a.business_id AND x.kind = 3 AND x.related_id = a.id) ORDER BY a.customer_id LIMIT $3"};
constexpr Statement kExpiringCustomers{
    "ledger.expiring_customers",
    "SELECT DISTINCT customer_id FROM ledger_entries WHERE business_id = $1 AND expires_at IS NOT NULL "
    "AND expires_at > $2 AND expires_at <= $3 AND amount > 0 AND customer_id > $4 ORDER BY customer_id LIMIT $5"};
constexpr Statement kCustomersWithEntries{
    "ledger.customers",
    "SELECT DISTINCT customer_id FROM ledger_entries WHERE business_id = $1 AND customer_id > $2 "
    "ORDER BY customer_id LIMIT $3"};
constexpr Statement kMismatches{
    "ledger.mismatches",
    "SELECT a.business_id, a.customer_id, a.balance, COALESCE((SELECT SUM(l.amount) FROM ledger_entries l "
    "WHERE l.business_id = a.business_id AND l.customer_id = a.customer_id), 0) AS ledger "
    "FROM loyalty_accounts a WHERE (CAST($1 AS BIGINT) = 0 OR a.business_id = $1) AND a.balance <> COALESCE((SELECT SUM(l.amount) "
    "FROM ledger_entries l WHERE l.business_id = a.business_id AND l.customer_id = a.customer_id), 0) "
    "UNION ALL SELECT l.business_id, l.customer_id, 0, SUM(l.amount) FROM ledger_entries l WHERE (CAST($1 AS BIGINT) = 0 OR "
    "l.business_id = $1) AND NOT EXISTS (SELECT 1 FROM loyalty_accounts a WHERE a.business_id = l.business_id "
    "AND a.customer_id = l.customer_id) GROUP BY l.business_id, l.customer_id HAVING SUM(l.amount) <> 0 ORDER BY 1, 2"};
constexpr Statement kAppendTierChange{
    "loyalty.append_tier_change",
    "INSERT INTO tier_changes (business_id, customer_id, from_index, to_index, tier_name, order_id, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"};
constexpr Statement kTierChanges{
    "loyalty.tier_changes",
    "SELECT customer_id, from_index, to_index, tier_name, order_id, created_at FROM tier_changes "
    "WHERE business_id = $1 AND customer_id = $2 ORDER BY id"};

json TiersToJson(const std::vector<domain::Tier>& tiers) {
  json array = json::array();
  for (const domain::Tier& tier : tiers) {
    array.push_back({{"name", tier.name},
                     {"threshold", tier.threshold},
                     {"earn_multiplier_percent", tier.earn_multiplier_percent},
                     {"reward_every", tier.reward_every},
                     {"welcome_coupon_template", tier.welcome_coupon_template},
                     {"benefit", tier.benefit}});
  }
  return array;
}

json ProgramToJson(const domain::Program& p) {
  json events = json::array();
  for (const domain::EarnEvent& event : p.events) {
    events.push_back({{"name", event.name},
                      {"first_day", event.first_day.ToString()},
                      {"last_day", event.last_day.ToString()},
                      {"branch_id", event.branch_id ? event.branch_id->value() : 0},
                      {"multiplier_percent", event.multiplier_percent}});
  }
  json gacha = json::array();
  for (const domain::GachaPrize& prize : p.gacha) {
    gacha.push_back({{"label", prize.label}, {"weight", prize.weight}, {"points", prize.points}});
  }
  json rules = json::array();
  for (const domain::CouponRule& rule : p.coupon_rules) {
    rules.push_back({{"every_visits", rule.every_visits}, {"coupon_template", rule.coupon_template}});
  }
  return {{"kind", static_cast<int>(p.kind)},
          {"name", p.name},
          {"stamp_basis", static_cast<int>(p.stamp_basis)},
          {"won_per_stamp", p.won_per_stamp},
          {"rate_permille", p.rate_permille},
          {"won_per_star", p.won_per_star},
          {"min_order_amount", p.min_order_amount},
          {"earn_excluded", p.earn_excluded},
          {"spend_excluded", p.spend_excluded},
          {"stamps_per_reward", p.stamps_per_reward},
          {"reward_value", p.reward_value.minor_units()},
          {"reward_valid_days", p.reward_valid_days},
          {"min_balance_to_redeem", p.min_balance_to_redeem},
          {"max_redeem_percent", p.max_redeem_percent},
          {"expiry_months", p.expiry_months},
          {"reversal_policy", static_cast<int>(p.reversal_policy)},
          {"tier_metric", static_cast<int>(p.tier_metric)},
          {"tier_window", static_cast<int>(p.tier_window)},
          {"tier_keep_months", p.tier_keep_months},
          {"tiers", TiersToJson(p.tiers)},
          {"events", events},
          {"birthday_month_percent", p.birthday_month_percent},
          {"referral_reward_points", p.referral_reward_points},
          {"coupon_rules", rules},
          {"gacha", gacha},
          {"visit_rule", static_cast<int>(p.visit_rule)},
          {"visit_day_start_hour", p.visit_day_start_hour}};
}

domain::Program ProgramFromJson(const json& j) {
  domain::Program p;
  p.kind = static_cast<domain::ProgramKind>(j.value("kind", 2));
  p.name = j.value("name", "");
  p.stamp_basis = static_cast<domain::StampBasis>(j.value("stamp_basis", 1));
  p.won_per_stamp = j.value("won_per_stamp", p.won_per_stamp);
  p.rate_permille = j.value("rate_permille", p.rate_permille);
  p.won_per_star = j.value("won_per_star", p.won_per_star);
  p.min_order_amount = j.value("min_order_amount", int64_t{0});
  p.earn_excluded = j.value("earn_excluded", std::vector<std::string>{});
  p.spend_excluded = j.value("spend_excluded", std::vector<std::string>{});
  p.stamps_per_reward = j.value("stamps_per_reward", p.stamps_per_reward);
  p.reward_value = Money(j.value("reward_value", p.reward_value.minor_units()));
  p.reward_valid_days = j.value("reward_valid_days", p.reward_valid_days);
  p.min_balance_to_redeem = j.value("min_balance_to_redeem", int64_t{0});
  p.max_redeem_percent = j.value("max_redeem_percent", int64_t{100});
  p.expiry_months = j.value("expiry_months", int64_t{0});
  p.reversal_policy = static_cast<domain::ReversalPolicy>(j.value("reversal_policy", 1));
  p.tier_metric = static_cast<domain::TierMetric>(j.value("tier_metric", 1));
  p.tier_window = static_cast<domain::TierWindow>(j.value("tier_window", 1));
  p.tier_keep_months = j.value("tier_keep_months", int64_t{0});
  for (const json& t : j.value("tiers", json::array())) {
    p.tiers.push_back({.name = t.value("name", ""),
                       .threshold = t.value("threshold", int64_t{0}),
                       .earn_multiplier_percent = t.value("earn_multiplier_percent", int64_t{100}),
                       .reward_every = t.value("reward_every", int64_t{0}),
                       .welcome_coupon_template = t.value("welcome_coupon_template", int64_t{0}),
                       .benefit = t.value("benefit", "")});
  }
  for (const json& e : j.value("events", json::array())) {
    domain::EarnEvent event;
    event.name = e.value("name", "");
    if (auto day = Date::Parse(e.value("first_day", "")); day.ok()) event.first_day = *day;
    if (auto day = Date::Parse(e.value("last_day", "")); day.ok()) event.last_day = *day;
    if (int64_t branch = e.value("branch_id", int64_t{0}); branch > 0) event.branch_id = BranchId(branch);
    event.multiplier_percent = e.value("multiplier_percent", int64_t{100});
    p.events.push_back(std::move(event));
  }
  p.birthday_month_percent = j.value("birthday_month_percent", int64_t{100});
  p.referral_reward_points = j.value("referral_reward_points", int64_t{0});
  for (const json& r : j.value("coupon_rules", json::array())) {
    p.coupon_rules.push_back({.every_visits = r.value("every_visits", int64_t{0}),
                              .coupon_template = r.value("coupon_template", int64_t{0})});
  }
  for (const json& g : j.value("gacha", json::array())) {
    p.gacha.push_back({.label = g.value("label", ""), .weight = g.value("weight", int64_t{1}),
                       .points = g.value("points", int64_t{0})});
  }
  // Programs saved before visits had a rule get the default one.
  p.visit_rule = static_cast<domain::VisitRule>(j.value("visit_rule", static_cast<int>(p.visit_rule)));
  p.visit_day_start_hour = j.value("visit_day_start_hour", int64_t{0});
  return p;
}

SqlValue OptionalTime(const std::optional<Timestamp>& at) { return at ? Int(at->micros()) : Null(); }

template <typename IdType>
SqlValue OptionalIdValue(const std::optional<IdType>& id) {
  return id ? Int(id->value()) : Null();
}

domain::LedgerEntry ReadEntry(const Row& row) {
  domain::LedgerEntry entry;
  entry.id = LedgerEntryId(row.GetInt(0));
  entry.business_id = BusinessId(row.GetInt(1));
  entry.customer_id = CustomerId(row.GetInt(2));
  entry.kind = static_cast<domain::LedgerKind>(row.GetInt(3));
  entry.amount = row.GetInt(4);
  if (auto v = row.GetOptionalInt(5)) entry.expires_at = Timestamp::FromMicros(*v);
  if (auto v = row.GetOptionalInt(6)) entry.order_id = OrderId(*v);
  if (auto v = row.GetOptionalInt(7)) entry.related_id = LedgerEntryId(*v);
  if (auto v = row.GetOptionalInt(8)) entry.staff_id = StaffId(*v);
  if (auto v = row.GetOptionalInt(9)) entry.branch_id = BranchId(*v);
  entry.reason = row.GetText(10);
  entry.created_at = Timestamp::FromMicros(row.GetInt(11));
  return entry;
}

std::vector<domain::LedgerEntry> ReadEntries(const std::vector<Row>& rows) {
  std::vector<domain::LedgerEntry> entries;
  entries.reserve(rows.size());
  for (const Row& row : rows) entries.push_back(ReadEntry(row));
  return entries;
}

std::vector<CustomerId> ReadCustomerIds(const std::vector<Row>& rows) {
  std::vector<CustomerId> ids;
  for (const Row& row : rows) ids.emplace_back(row.GetInt(0));
  return ids;
}

}  // namespace

Result<std::optional<domain::Program>> LoyaltyRepository::GetProgram(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGetProgram, {Int(business.value())}));
  if (rows.empty()) return std::optional<domain::Program>();
  json settings = json::parse(rows[0].GetText(0), nullptr, /*allow_exceptions=*/false);
  if (settings.is_discarded() || !settings.is_object()) return DataLoss("the stored loyalty program is unreadable");
  try {
    return std::optional<domain::Program>(ProgramFromJson(settings));
  } catch (const json::exception& error) {
    return DataLoss(std::string("the stored loyalty program is unreadable: ") + error.what());
  }
}

Status LoyaltyRepository::SaveProgram(BusinessId business, const domain::Program& program, Timestamp now) {
  return connection_.Execute(kSaveProgram, {Int(business.value()), Int(static_cast<int64_t>(program.kind)),
                                            Text(ProgramToJson(program).dump()), Int(now.micros())});
}

Result<std::optional<domain::LoyaltyAccount>> LoyaltyRepository::GetAccount(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGetAccount, {Int(business.value()), Int(customer.value())}));
  if (rows.empty()) return std::optional<domain::LoyaltyAccount>();
  const Row& row = rows[0];
  domain::LoyaltyAccount account;
  account.customer_id = CustomerId(row.GetInt(0));
  account.balance = row.GetInt(1);
  account.tier.index = static_cast<int>(row.GetInt(2));
  if (auto v = row.GetOptionalInt(3)) account.tier.reached_at = Timestamp::FromMicros(*v);
  account.referral_code = row.GetText(4);
  account.updated_at = Timestamp::FromMicros(row.GetInt(5));
  if (auto v = row.GetOptionalInt(6)) account.tier.qualified_at = Timestamp::FromMicros(*v);
  return std::optional<domain::LoyaltyAccount>(std::move(account));
}

Status LoyaltyRepository::CreateAccount(BusinessId business, const domain::LoyaltyAccount& account) {
  Status status = connection_.Execute(
      kCreateAccount, {Int(business.value()), Int(account.customer_id.value()), Int(account.balance),
                       Int(account.tier.index), OptionalTime(account.tier.reached_at), Text(account.referral_code),
                       Int(account.updated_at.micros()), OptionalTime(account.tier.qualified_at)});
  if (status.code() == StatusCode::kFailedPrecondition) return NotFound("customer not found");
  return status;
}

Status LoyaltyRepository::SaveAccount(BusinessId business, const domain::LoyaltyAccount& account) {
  return connection_.Execute(kSaveAccount, {Int(business.value()), Int(account.customer_id.value()),
                                            Int(account.balance), Int(account.tier.index),
                                            OptionalTime(account.tier.reached_at), Int(account.updated_at.micros()),
                                            OptionalTime(account.tier.qualified_at)});
}

Result<std::optional<CustomerId>> LoyaltyRepository::FindByReferralCode(BusinessId business, const std::string& code) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindReferralCode, {Int(business.value()), Text(code)}));
  if (rows.empty()) return std::optional<CustomerId>();
  return std::optional<CustomerId>(CustomerId(rows[0].GetInt(0)));
}

Result<LedgerEntryId> LoyaltyRepository::Append(const domain::LedgerEntry& e) {
  CRM_ASSIGN_OR_RETURN(
      auto rows,
      connection_.Query(kAppend, {Int(e.business_id.value()), Int(e.customer_id.value()),
                                  Int(static_cast<int64_t>(e.kind)), Int(e.amount), OptionalTime(e.expires_at),
                                  OptionalIdValue(e.order_id), OptionalIdValue(e.related_id),
                                  OptionalIdValue(e.staff_id), OptionalIdValue(e.branch_id), Text(e.reason),
                                  Int(e.created_at.micros())}));
  return LedgerEntryId(rows.at(0).GetInt(0));
}

Result<std::vector<domain::LedgerEntry>> LoyaltyRepository::Entries(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kEntries, {Int(business.value()), Int(customer.value())}));
  return ReadEntries(rows);
}

Result<std::vector<domain::LedgerEntry>> LoyaltyRepository::Page(BusinessId business, CustomerId customer,
                                                                 std::optional<LedgerEntryId> before, int limit) {
  const int64_t bound = before ? before->value() : INT64_MAX;
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kPage, {Int(business.value()), Int(customer.value()),
                                                            Int(bound), Int(std::clamp(limit, 1, 501))}));
  return ReadEntries(rows);
}

Result<std::vector<domain::LedgerEntry>> LoyaltyRepository::EntriesForOrder(BusinessId business, OrderId order) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kForOrder, {Int(business.value()), Int(order.value())}));
  return ReadEntries(rows);
}

Result<domain::LedgerEntry> LoyaltyRepository::Entry(BusinessId business, LedgerEntryId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kEntry, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("ledger entry not found");
  return ReadEntry(rows[0]);
}

Result<int64_t> LoyaltyRepository::LedgerSum(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSum, {Int(business.value()), Int(customer.value())}));
  return rows.at(0).GetInt(0);
}

Result<int64_t> LoyaltyRepository::AppendCount(const domain::LoyaltyCount& c) {
  CRM_ASSIGN_OR_RETURN(
      auto rows,
      connection_.Query(kAppendCount, {Int(c.business_id.value()), Int(c.customer_id.value()), Int(c.tier_units),
                                       Int(c.reward_units), Int(c.counts_at.micros()), OptionalIdValue(c.order_id),
                                       c.source_id ? Int(*c.source_id) : Null(), OptionalIdValue(c.ledger_entry_id),
                                       Text(c.reason), Int(c.created_at.micros())}));
  return rows.at(0).GetInt(0);
}

Result<std::vector<domain::LoyaltyCount>> LoyaltyRepository::CountsForOrder(BusinessId business, OrderId order) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCountsForOrder, {Int(business.value()), Int(order.value())}));
  std::vector<domain::LoyaltyCount> counts;
  for (const Row& row : rows) {
    domain::LoyaltyCount c;
    c.id = row.GetInt(0);
    c.business_id = BusinessId(row.GetInt(1));
    c.customer_id = CustomerId(row.GetInt(2));
    c.tier_units = row.GetInt(3);
    c.reward_units = row.GetInt(4);
    c.counts_at = Timestamp::FromMicros(row.GetInt(5));
    if (auto v = row.GetOptionalInt(6)) c.order_id = OrderId(*v);
    c.source_id = row.GetOptionalInt(7);
    if (auto v = row.GetOptionalInt(8)) c.ledger_entry_id = LedgerEntryId(*v);
    c.reason = row.GetText(9);
    c.created_at = Timestamp::FromMicros(row.GetInt(10));
    counts.push_back(std::move(c));
  }
  return counts;
}

Result<int64_t> LoyaltyRepository::TierUnitsSince(BusinessId business, CustomerId customer, Timestamp since) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kTierUnitsSince, {Int(business.value()), Int(customer.value()),
                                                                      Int(since.micros())}));
  return rows.at(0).GetInt(0);
}

Result<int64_t> LoyaltyRepository::RewardProgress(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRewardProgress, {Int(business.value()), Int(customer.value())}));
  return rows.at(0).GetInt(0);
}

Result<std::vector<domain::VisitSale>> LoyaltyRepository::VisitSales(BusinessId business, CustomerId customer,
                                                                    Timestamp since) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kVisitSales, {Int(business.value()), Int(customer.value()),
                                                                  Int(since.micros())}));
  std::vector<domain::VisitSale> sales;
  sales.reserve(rows.size());
  for (const Row& row : rows) {
    sales.push_back({OrderId(row.GetInt(0)), BranchId(row.GetInt(1)), Timestamp::FromMicros(row.GetInt(2))});
  }
  return sales;
}

Result<std::vector<CustomerId>> LoyaltyRepository::CustomersWithDueAwards(BusinessId business, Timestamp now,
                                                                          int limit, std::optional<CustomerId> after) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kDueCustomers, {Int(business.value()), Int(now.micros()),
                                                                    Int(limit), Int(after ? after->value() : 0)}));
  return ReadCustomerIds(rows);
}

Result<std::vector<CustomerId>> LoyaltyRepository::CustomersWithAwardsExpiring(BusinessId business, Timestamp now,
                                                                               Timestamp until,
                                                                               std::optional<CustomerId> after,
                                                                               int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kExpiringCustomers,
                                                    {Int(business.value()), Int(now.micros()), Int(until.micros()),
                                                     Int(after ? after->value() : 0), Int(limit)}));
  return ReadCustomerIds(rows);
}

Result<std::vector<CustomerId>> LoyaltyRepository::CustomersWithEntries(BusinessId business,
                                                                        std::optional<CustomerId> after, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCustomersWithEntries, {Int(business.value()),
                                                                            Int(after ? after->value() : 0),
                                                                            Int(limit)}));
  return ReadCustomerIds(rows);
}

Result<std::vector<BalanceMismatch>> LoyaltyRepository::Mismatches(std::optional<BusinessId> business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kMismatches, {Int(business ? business->value() : 0)}));
  std::vector<BalanceMismatch> mismatches;
  for (const Row& row : rows) {
    mismatches.push_back({BusinessId(row.GetInt(0)), CustomerId(row.GetInt(1)), row.GetInt(2), row.GetInt(3)});
  }
  return mismatches;
}

Status LoyaltyRepository::AppendTierChange(BusinessId business, const domain::TierChangeRecord& change) {
  return connection_.Execute(kAppendTierChange,
                             {Int(business.value()), Int(change.customer_id.value()), Int(change.from_index),
                              Int(change.to_index), Text(change.tier_name), OptionalIdValue(change.order_id),
                              Int(change.created_at.micros())});
}

Result<std::vector<domain::TierChangeRecord>> LoyaltyRepository::TierChanges(BusinessId business,
                                                                             CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kTierChanges, {Int(business.value()), Int(customer.value())}));
  std::vector<domain::TierChangeRecord> changes;
  for (const Row& row : rows) {
    domain::TierChangeRecord change;
    change.customer_id = CustomerId(row.GetInt(0));
    change.from_index = static_cast<int>(row.GetInt(1));
    change.to_index = static_cast<int>(row.GetInt(2));
    change.tier_name = row.GetText(3);
    if (auto v = row.GetOptionalInt(4)) change.order_id = OrderId(*v);
    change.created_at = Timestamp::FromMicros(row.GetInt(5));
    changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace crm::store
