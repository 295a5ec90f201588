// JSON of the loyalty API: the program (both ways), accounts, ledger entries, coupons, referrals,
// gacha draws and the loyalty part of an order response. Same conventions as json_mapping.h.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "app/loyalty_posting.h"
#include "app/loyalty_service.h"
#include "http/json_mapping.h"

namespace crm::http {

Json ToJson(const domain::Program& program);
Json ToJson(const domain::LedgerEntry& entry);
Json ToJson(const domain::Coupon& coupon);
Json ToJson(const domain::CouponTemplate& coupon_template);
Json ToJson(const domain::Referral& referral);
Json ToJson(const domain::GachaDraw& draw);
Json ToJson(const domain::TierChangeRecord& change);
Json ToJson(const app::AccountView& view);
Json ToJson(const app::SaleLoyalty& loyalty);
// An order with the loyalty part of its posting ("loyalty": null without a program).
Json OrderWithLoyalty(const domain::Order& order, const std::optional<app::SaleLoyalty>& loyalty);

// A program from a body: {"preset": "points"} starts from a preset, and any other field
// overrides it; without a preset every field not given keeps its default.
Result<domain::Program> ParseProgram(const nlohmann::json& body);
Result<app::RedeemRequest> ParseRedeem(const nlohmann::json& body);

struct AdjustRequest {
  int64_t amount = 0;
  std::string reason;
  std::optional<BranchId> branch_id;
};
Result<AdjustRequest> ParseAdjust(const nlohmann::json& body);
Result<domain::CouponTemplate> ParseCouponTemplate(const nlohmann::json& body);

struct CouponRedeemRequest {
  std::string code;
  CustomerId customer_id;
  BranchId branch_id;
  std::optional<OrderId> order_id;
  std::optional<Money> amount;  // the order amount the coupon applies to
};
Result<CouponRedeemRequest> ParseCouponRedeem(const nlohmann::json& body);

}  // namespace crm::http
