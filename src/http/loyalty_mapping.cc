#include "http/loyalty_mapping.h"

#include <limits>

#include "http/json_reader.h"

namespace crm::http {
namespace {

constexpr int64_t kWide = 1'000'000'000'000;

template <typename IdType>
Json IdOrNull(const std::optional<IdType>& id) {
  return id ? Json(id->value()) : Json(nullptr);
}

Json TimeOrNull(const std::optional<Timestamp>& at) { return at ? Json(at->ToIso8601()) : Json(nullptr); }

void ReadInteger(FieldReader& reader, const char* key, int64_t& target, int64_t min = -kWide, int64_t max = kWide) {
  if (std::optional<int64_t> value = reader.Integer(key, min, max)) target = *value;
}

std::vector<std::string> ReadStrings(FieldReader& reader, const char* key, std::vector<std::string> fallback) {
  const nlohmann::json* array = reader.Array(key);
  if (!array) return fallback;
  std::vector<std::string> values;
  for (size_t i = 0; i < array->size(); ++i) {
    if (!(*array)[i].is_string()) {
      reader.Fail(InvalidArgument("must be a string", IndexedName(reader.FieldName(key), i)));
      return fallback;
    }
    values.push_back((*array)[i].get<std::string>());
  }
  return values;
}

std::vector<domain::Tier> ReadTiers(FieldReader& reader, std::vector<domain::Tier> fallback) {
  const nlohmann::json* array = reader.Array("tiers");
  if (!array) return fallback;
  std::vector<domain::Tier> tiers;
  for (size_t i = 0; i < array->size() && reader.ok(); ++i) {
    FieldReader item((*array)[i], IndexedName("tiers", i) + ".");
    domain::Tier tier;
    tier.name = item.String("name", Presence::kRequired).value_or("");
    ReadInteger(item, "threshold", tier.threshold, 0);
    ReadInteger(item, "earn_multiplier_percent", tier.earn_multiplier_percent, 0);
    ReadInteger(item, "reward_every", tier.reward_every, 0);
    ReadInteger(item, "welcome_coupon_template", tier.welcome_coupon_template, 0);
    tier.benefit = item.String("benefit").value_or("");
    if (!item.ok()) reader.Fail(item.status());
    tiers.push_back(std::move(tier));
  }
  return tiers;
}

std::optional<Date> ReadDate(FieldReader& reader, const char* key, Presence presence) {
  std::optional<std::string> text = reader.String(key, presence);
  if (!text) return std::nullopt;
  auto date = Date::Parse(*text);
  if (!date.ok()) {
    reader.Fail(InvalidArgument("must be a date YYYY-MM-DD", reader.FieldName(key)));
    return std::nullopt;
  }
  return *date;
}

std::vector<domain::EarnEvent> ReadEvents(FieldReader& reader, std::vector<domain::EarnEvent> fallback) {
  const nlohmann::json* array = reader.Array("events");
  if (!array) return fallback;
  std::vector<domain::EarnEvent> events;
  for (size_t i = 0; i < array->size() && reader.ok(); ++i) {
    FieldReader item((*array)[i], IndexedName("events", i) + ".");
    domain::EarnEvent event;
    event.name = item.String("name", Presence::kRequired).value_or("");
    event.first_day = ReadDate(item, "first_day", Presence::kRequired).value_or(Date{});
    event.last_day = ReadDate(item, "last_day", Presence::kRequired).value_or(Date{});
    if (std::optional<int64_t> branch = item.Id("branch_id")) event.branch_id = BranchId(*branch);
    ReadInteger(item, "multiplier_percent", event.multiplier_percent, 0);
    if (!item.ok()) reader.Fail(item.status());
    events.push_back(std::move(event));
  }
  return events;
}

std::vector<domain::CouponRule> ReadCouponRules(FieldReader& reader, std::vector<domain::CouponRule> fallback) {
  const nlohmann::json* array = reader.Array("coupon_rules");
  if (!array) return fallback;
  std::vector<domain::CouponRule> rules;
  for (size_t i = 0; i < array->size() && reader.ok(); ++i) {
    FieldReader item((*array)[i], IndexedName("coupon_rules", i) + ".");
    domain::CouponRule rule;
    rule.every_visits = item.Integer("every_visits", 0, kWide, Presence::kRequired).value_or(0);
    rule.coupon_template = item.Id("coupon_template", Presence::kRequired).value_or(0);
    if (!item.ok()) reader.Fail(item.status());
    rules.push_back(rule);
  }
  return rules;
}

std::vector<domain::GachaPrize> ReadGacha(FieldReader& reader, std::vector<domain::GachaPrize> fallback) {
  const nlohmann::json* array = reader.Array("gacha");
  if (!array) return fallback;
  std::vector<domain::GachaPrize> prizes;
  for (size_t i = 0; i < array->size() && reader.ok(); ++i) {
    FieldReader item((*array)[i], IndexedName("gacha", i) + ".");
    domain::GachaPrize prize;
    prize.label = item.String("label", Presence::kRequired).value_or("");
    ReadInteger(item, "weight", prize.weight, 0);
    ReadInteger(item, "points", prize.points, 0);
    if (!item.ok()) reader.Fail(item.status());
    prizes.push_back(std::move(prize));
  }
  return prizes;
}

template <typename Enum, typename Parse>
void ReadEnum(FieldReader& reader, const char* key, Enum& target, Parse parse, const char* allowed) {
  if (auto value = reader.Enumerated<Enum>(key, parse, allowed)) target = *value;
}

}  // namespace

Json ToJson(const domain::Program& p) {
  Json tiers = Json::array();
  for (const domain::Tier& tier : p.tiers) {
    tiers.push_back({{"name", tier.name},
                     {"threshold", tier.threshold},
                     {"earn_multiplier_percent", tier.earn_multiplier_percent},
                     {"reward_every", tier.reward_every},
                     {"welcome_coupon_template", tier.welcome_coupon_template},
                     {"benefit", tier.benefit}});
  }
  Json events = Json::array();
  for (const domain::EarnEvent& event : p.events) {
    events.push_back({{"name", event.name},
                      {"first_day", event.first_day.ToString()},
                      {"last_day", event.last_day.ToString()},
                      {"branch_id", IdOrNull(event.branch_id)},
                      {"multiplier_percent", event.multiplier_percent}});
  }
  Json rules = Json::array();
  for (const domain::CouponRule& rule : p.coupon_rules) {
    rules.push_back({{"every_visits", rule.every_visits}, {"coupon_template", rule.coupon_template}});
  }
  Json gacha = Json::array();
  const int64_t total = domain::GachaTotalWeight(p.gacha);
  for (const domain::GachaPrize& prize : p.gacha) {
    gacha.push_back({{"label", prize.label},
                     {"weight", prize.weight},
                     {"points", prize.points},
                     {"odds_percent", total > 0 ? 100.0 * static_cast<double>(prize.weight) / static_cast<double>(total) : 0.0}});
  }
  return {{"kind", domain::ToString(p.kind)},
          {"name", p.name},
          {"unit", domain::BalanceUnit(p.kind)},
          {"stamp_basis", domain::ToString(p.stamp_basis)},
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
          {"reversal_policy", domain::ToString(p.reversal_policy)},
          {"tier_metric", domain::ToString(p.tier_metric)},
          {"tier_window", domain::ToString(p.tier_window)},
          {"tier_keep_months", p.tier_keep_months},
          {"tiers", tiers},
          {"events", events},
          {"birthday_month_percent", p.birthday_month_percent},
          {"referral_reward_points", p.referral_reward_points},
          {"coupon_rules", rules},
          {"gacha", gacha},
          {"visit_rule", domain::ToString(p.visit_rule)},
          {"visit_day_start_hour", p.visit_day_start_hour}};
}

Json ToJson(const domain::LedgerEntry& e) {
  return {{"id", e.id.value()},
          {"kind", domain::ToString(e.kind)},
          {"amount", e.amount},
          {"expires_at", TimeOrNull(e.expires_at)},
          {"order_id", IdOrNull(e.order_id)},
          {"related_id", IdOrNull(e.related_id)},
          {"staff_id", IdOrNull(e.staff_id)},
          {"branch_id", IdOrNull(e.branch_id)},
          {"reason", e.reason},
          {"created_at", e.created_at.ToIso8601()}};
}

Json ToJson(const domain::Coupon& c) {
  return {{"id", c.id.value()},
          {"template_id", IdOrNull(c.template_id)},
          {"customer_id", c.customer_id.value()},
          {"code", c.code},
          {"name", c.name},
          {"kind", domain::ToString(c.kind)},
          {"value", c.value},
          {"source", domain::ToString(c.source)},
          {"status", domain::ToString(c.status)},
          {"issued_at", c.issued_at.ToIso8601()},
          {"expires_at", c.expires_at.ToIso8601()},
          {"issued_by", IdOrNull(c.issued_by)},
          {"redeemed_at", TimeOrNull(c.redeemed_at)},
          {"redeemed_branch_id", IdOrNull(c.redeemed_branch_id)},
          {"redeemed_order_id", IdOrNull(c.redeemed_order_id)}};
}

Json ToJson(const domain::CouponTemplate& t) {
  return {{"id", t.id.value()},
          {"name", t.name},
          {"kind", domain::ToString(t.kind)},
          {"value", t.value},
          {"validity", domain::ToString(t.validity)},
          {"valid_days", t.valid_days},
          {"valid_from", t.valid_from ? Json(t.valid_from->ToString()) : Json(nullptr)},
          {"valid_until", t.valid_until ? Json(t.valid_until->ToString()) : Json(nullptr)},
          {"per_customer_limit", t.per_customer_limit},
          {"active", t.active},
          {"created_at", t.created_at.ToIso8601()}};
}

Json ToJson(const domain::Referral& r) {
  return {{"customer_id", r.customer_id.value()},
          {"referrer_id", r.referrer_id.value()},
          {"rewarded", r.rewarded_order_id.has_value()},
          {"rewarded_order_id", IdOrNull(r.rewarded_order_id)},
          {"created_at", r.created_at.ToIso8601()},
          {"rewarded_at", TimeOrNull(r.rewarded_at)}};
}

Json ToJson(const domain::GachaDraw& d) {
  return {{"customer_id", d.customer_id.value()},
          {"prize_index", d.prize_index},
          {"prize_label", d.prize_label},
          {"points", d.points},
          {"seed", d.seed_hex},
          {"draw", d.draw},
          {"total_weight", d.total_weight},
          {"created_at", d.created_at.ToIso8601()}};
}

Json ToJson(const domain::TierChangeRecord& change) {
  return {{"from_index", change.from_index},
          {"to_index", change.to_index},
          {"tier_name", change.tier_name},
          {"promoted", change.to_index > change.from_index},
          {"order_id", IdOrNull(change.order_id)},
          {"created_at", change.created_at.ToIso8601()}};
}

Json ToJson(const app::AccountView& view) {
  Json coupons = Json::array();
  for (const domain::Coupon& coupon : view.coupons) coupons.push_back(ToJson(coupon));
  return {{"program", view.program ? Json(domain::ToString(view.program->kind)) : Json(nullptr)},
          {"unit", view.program ? domain::BalanceUnit(view.program->kind) : ""},
          {"balance", view.account.balance},
          {"tier", view.tier_name.empty() ? Json(nullptr) : Json(view.tier_name)},
          {"tier_index", view.account.tier.index},
          {"tier_reached_at", TimeOrNull(view.account.tier.reached_at)},
          {"tier_qualified_at", TimeOrNull(view.account.tier.qualified_at ? view.account.tier.qualified_at
                                                                           : view.account.tier.reached_at)},
          {"tier_metric", view.tier_metric},
          {"visit_count", view.visit_count},
          {"reward_progress", view.reward_progress},
          {"next_tier", view.next_tier_name ? Json(*view.next_tier_name) : Json(nullptr)},
          {"to_next_tier", view.to_next_tier},
          {"expiring_within_30_days", view.expiring_within_30_days},
          {"next_expiry", TimeOrNull(view.next_expiry)},
          {"referral_code", view.account.referral_code.empty() ? Json(nullptr) : Json(view.account.referral_code)},
          {"referrer_id", IdOrNull(view.referrer_id)},
          {"referral_count", view.referral_count},
          {"coupons", coupons}};
}

Json ToJson(const app::SaleLoyalty& loyalty) {
  Json rewards = Json::array();
  for (const domain::Coupon& coupon : loyalty.rewards) rewards.push_back(ToJson(coupon));
  return {{"unit", loyalty.unit},
          {"earned", loyalty.earned},
          {"redeemed", loyalty.redeemed},
          {"balance", loyalty.balance},
          {"tier", loyalty.tier_name.empty() ? Json(nullptr) : Json(loyalty.tier_name)},
          {"promoted_to", loyalty.promoted_to ? Json(*loyalty.promoted_to) : Json(nullptr)},
          {"note", loyalty.note},
          {"rewards", rewards},
          {"visit_counted", loyalty.visit_counted},
          {"visits", loyalty.visits},
          {"not_earned", loyalty.not_earned_reason.empty()
                             ? Json(nullptr)
                             : Json({{"reason", loyalty.not_earned_reason}, {"expired_at", TimeOrNull(loyalty.expired_at)}})}};
}

Json OrderWithLoyalty(const domain::Order& order, const std::optional<app::SaleLoyalty>& loyalty) {
  Json json = ToJson(order);
  json["loyalty"] = loyalty ? ToJson(*loyalty) : Json(nullptr);
  return json;
}

Result<domain::Program> ParseProgram(const nlohmann::json& body) {
  FieldReader reader(body);
  domain::Program p;
  if (std::optional<std::string> preset = reader.String("preset")) {
    std::optional<domain::Program> base = domain::ProgramPreset(*preset);
    if (!base) return InvalidArgument("expected one of stamps, points, starbucks, visit-ranks", "preset");
    p = std::move(*base);
  }
  ReadEnum(reader, "kind", p.kind, domain::ParseProgramKind, "stamps, points, stars, visit_ranks");
  if (std::optional<std::string> name = reader.String("name")) p.name = *name;
  ReadEnum(reader, "stamp_basis", p.stamp_basis, domain::ParseStampBasis, "visit, item, amount");
  ReadInteger(reader, "won_per_stamp", p.won_per_stamp);
  ReadInteger(reader, "rate_permille", p.rate_permille);
  ReadInteger(reader, "won_per_star", p.won_per_star);
  ReadInteger(reader, "min_order_amount", p.min_order_amount);
  p.earn_excluded = ReadStrings(reader, "earn_excluded", p.earn_excluded);
  p.spend_excluded = ReadStrings(reader, "spend_excluded", p.spend_excluded);
  ReadInteger(reader, "stamps_per_reward", p.stamps_per_reward);
  int64_t reward_value = p.reward_value.minor_units();
  ReadInteger(reader, "reward_value", reward_value);
  p.reward_value = Money(reward_value);
  ReadInteger(reader, "reward_valid_days", p.reward_valid_days);
  ReadInteger(reader, "min_balance_to_redeem", p.min_balance_to_redeem);
  ReadInteger(reader, "max_redeem_percent", p.max_redeem_percent);
  ReadInteger(reader, "expiry_months", p.expiry_months);
  ReadEnum(reader, "reversal_policy", p.reversal_policy, domain::ParseReversalPolicy, "clamp_at_zero, allow_negative");
  ReadEnum(reader, "tier_metric", p.tier_metric, domain::ParseTierMetric, "visits, spend, earned");
  ReadEnum(reader, "tier_window", p.tier_window, domain::ParseTierWindow, "lifetime, rolling_12_months");
  ReadInteger(reader, "tier_keep_months", p.tier_keep_months);
  p.tiers = ReadTiers(reader, p.tiers);
  p.events = ReadEvents(reader, p.events);
  ReadInteger(reader, "birthday_month_percent", p.birthday_month_percent);
  ReadInteger(reader, "referral_reward_points", p.referral_reward_points);
  p.coupon_rules = ReadCouponRules(reader, p.coupon_rules);
  p.gacha = ReadGacha(reader, p.gacha);
  ReadEnum(reader, "visit_rule", p.visit_rule, domain::ParseVisitRule, "every_order, per_branch_day, per_day");
  ReadInteger(reader, "visit_day_start_hour", p.visit_day_start_hour);
  if (!reader.ok()) return reader.status();
  return p;
}

Result<app::RedeemRequest> ParseRedeem(const nlohmann::json& body) {
  FieldReader reader(body);
  app::RedeemRequest request;
  request.amount = reader.Integer("amount", 1, kWide, Presence::kRequired).value_or(0);
  request.branch_id = BranchId(reader.Id("branch_id", Presence::kRequired).value_or(0));
  if (std::optional<int64_t> order = reader.Id("order_id")) request.order_id = OrderId(*order);
  request.reason = reader.String("reason").value_or("");
  if (request.reason.size() > 500) reader.Fail(InvalidArgument("must be at most 500 bytes", "reason"));
  if (!reader.ok()) return reader.status();
  return request;
}

Result<AdjustRequest> ParseAdjust(const nlohmann::json& body) {
  FieldReader reader(body);
  AdjustRequest request;
  request.amount = reader.Integer("amount", -kWide, kWide, Presence::kRequired).value_or(0);
  request.reason = reader.String("reason", Presence::kRequired).value_or("");
  if (std::optional<int64_t> branch = reader.Id("branch_id")) request.branch_id = BranchId(*branch);
  if (!reader.ok()) return reader.status();
  return request;
}

Result<domain::CouponTemplate> ParseCouponTemplate(const nlohmann::json& body) {
  FieldReader reader(body);
  domain::CouponTemplate t;
  t.name = reader.String("name", Presence::kRequired).value_or("");
  if (auto kind = reader.Enumerated<domain::CouponKind>("kind", domain::ParseCouponKind,
                                                        "percent_off, amount_off, free_item", Presence::kRequired)) {
    t.kind = *kind;
  }
  t.value = reader.Integer("value", 0, kWide, Presence::kRequired).value_or(0);
  if (auto validity = reader.Enumerated<domain::CouponValidity>("validity", domain::ParseCouponValidity,
                                                                "same_day, days, date_range")) {
    t.validity = *validity;
  }
  ReadInteger(reader, "valid_days", t.valid_days);
  t.valid_from = ReadDate(reader, "valid_from", Presence::kOptional);
  t.valid_until = ReadDate(reader, "valid_until", Presence::kOptional);
  ReadInteger(reader, "per_customer_limit", t.per_customer_limit);
  if (std::optional<bool> active = reader.Bool("active")) t.active = *active;
  if (!reader.ok()) return reader.status();
  return t;
}

Result<CouponRedeemRequest> ParseCouponRedeem(const nlohmann::json& body) {
  FieldReader reader(body);
  CouponRedeemRequest request;
  request.code = reader.String("code", Presence::kRequired).value_or("");
  request.customer_id = CustomerId(reader.Id("customer_id", Presence::kRequired).value_or(0));
  request.branch_id = BranchId(reader.Id("branch_id", Presence::kRequired).value_or(0));
  if (std::optional<int64_t> order = reader.Id("order_id")) request.order_id = OrderId(*order);
  if (std::optional<int64_t> amount = reader.Integer("amount", 1, domain::kMaxOrderTotal)) request.amount = Money(*amount);
  if (!reader.ok()) return reader.status();
  return request;
}

}  // namespace crm::http
