// Handlers for loyalty: the program, a customer's balance, ledger and tier history, redemption and
// manual adjustment, expiry and the liability report, coupons, referrals and the gacha.
#include <optional>
#include <vector>

#include "http/json_reader.h"
#include "http/loyalty_mapping.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "loyalty";

Json ListJson(Json items) { return Json{{"items", std::move(items)}}; }

Result<Response> GetProgram(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto program, context.services.loyalty.GetProgram(context.principal()));
  if (!program) return NotFound("the business has no loyalty program yet");
  return Response::Of(ToJson(*program));
}

Result<Response> PutProgram(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Program program, ParseProgram(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Program saved, context.services.loyalty.SetProgram(context.principal(), program));
  return Response::Of(ToJson(saved));
}

Result<Response> ListPresets(RequestContext&) {
  Json items = Json::array();
  for (const char* name : {"stamps", "points", "starbucks", "visit-ranks"}) {
    Json program = ToJson(*domain::ProgramPreset(name));
    items.push_back({{"preset", name}, {"program", std::move(program)}});
  }
  return Response::Of(ListJson(std::move(items)));
}

Result<Response> GetAccount(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::AccountView view,
                       context.services.loyalty.Account(context.principal(), context.PathId<CustomerId>("id")));
  return Response::Of(ToJson(view));
}

Result<Response> GetLedger(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PageRequest page, ReadPage(context.query));
  std::optional<LedgerEntryId> before;
  if (page.cursor) before = LedgerEntryId(*page.cursor);
  CRM_ASSIGN_OR_RETURN(app::LedgerPage result, context.services.loyalty.Ledger(
                                                   context.principal(), context.PathId<CustomerId>("id"), before,
                                                   page.limit));
  Json items = Json::array();
  for (const domain::LedgerEntry& entry : result.entries) items.push_back(ToJson(entry));
  std::optional<int64_t> next;
  if (result.next_cursor) next = result.next_cursor->value();
  return Response::Of(PageJson(std::move(items), next));
}

Result<Response> GetTierChanges(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto changes,
                       context.services.loyalty.TierChanges(context.principal(), context.PathId<CustomerId>("id")));
  Json items = Json::array();
  for (const auto& change : changes) items.push_back(ToJson(change));
  return Response::Of(ListJson(std::move(items)));
}

Json LedgerWriteJson(const app::LedgerWrite& write) {
  return Json{{"entry", ToJson(write.entry)}, {"balance", write.balance}};
}

Result<Response> Redeem(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::RedeemRequest request, ParseRedeem(context.body));
  CRM_ASSIGN_OR_RETURN(app::LedgerWrite write, context.services.loyalty.Redeem(
                                                   context.principal(), context.PathId<CustomerId>("id"), request));
  return Response::Of(LedgerWriteJson(write), 201);
}

Result<Response> Adjust(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(AdjustRequest request, ParseAdjust(context.body));
  CRM_ASSIGN_OR_RETURN(app::LedgerWrite write,
                       context.services.loyalty.Adjust(context.principal(), context.PathId<CustomerId>("id"),
                                                       request.amount, std::move(request.reason), request.branch_id));
  return Response::Of(LedgerWriteJson(write), 201);
}

Result<Response> Expiring(RequestContext& context) {
  int days = 30;
  if (std::optional<std::string> text = context.query.Get("days")) {
    try {
      days = std::stoi(*text);
    } catch (const std::exception&) {
      return InvalidArgument("must be a whole number of days from 1 to 366", "days");
    }
    if (days < 1 || days > 366) return InvalidArgument("must be a whole number of days from 1 to 366", "days");
  }
  CRM_ASSIGN_OR_RETURN(auto customers, context.services.loyalty.ExpiringSoon(context.principal(), days));
  Json items = Json::array();
  for (const app::ExpiringCustomer& item : customers) {
    items.push_back({{"customer_id", item.customer_id.value()},
                     {"units", item.units},
                     {"first_expiry", item.first_expiry.ToIso8601()}});
  }
  return Response::Of(ListJson(std::move(items)));
}

Result<Response> RunExpiry(RequestContext& context) {
  CRM_RETURN_IF_ERROR(context.principal().Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(app::ExpiryRun run, context.services.loyalty.RunExpiry(context.principal().business_id));
  return Response::Of({{"customers", run.customers}, {"entries", run.entries}, {"units", run.units}});
}

Result<Response> Liability(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::LiabilityReport report, context.services.loyalty.Liability(context.principal()));
  Json rows = Json::array();
  for (const store::LiabilityRow& row : report.rows) {
    rows.push_back({{"branch_id", row.branch_id ? Json(row.branch_id->value()) : Json(nullptr)},
                    {"expiry_month", row.expiry_month.empty() ? Json(nullptr) : Json(row.expiry_month)},
                    {"units", row.units}});
  }
  return Response::Of({{"total", report.total}, {"rows", rows}});
}

Result<Response> CreateTemplate(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::CouponTemplate coupon_template, ParseCouponTemplate(context.body));
  CRM_ASSIGN_OR_RETURN(domain::CouponTemplate created,
                       context.services.loyalty.CreateTemplate(context.principal(), std::move(coupon_template)));
  return Response::Of(ToJson(created), 201);
}

Result<Response> ListTemplates(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto templates, context.services.loyalty.Templates(context.principal()));
  Json items = Json::array();
  for (const auto& coupon_template : templates) items.push_back(ToJson(coupon_template));
  return Response::Of(ListJson(std::move(items)));
}

Result<Response> IssueCoupon(RequestContext& context) {
  FieldReader reader(context.body);
  const std::optional<int64_t> template_id = reader.Id("template_id", Presence::kRequired);
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(domain::Coupon coupon,
                       context.services.loyalty.IssueCoupon(context.principal(), context.PathId<CustomerId>("id"),
                                                            CouponTemplateId(*template_id)));
  return Response::Of(ToJson(coupon), 201);
}

Result<Response> ListCoupons(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto coupons,
                       context.services.loyalty.Coupons(context.principal(), context.PathId<CustomerId>("id")));
  Json items = Json::array();
  for (const auto& coupon : coupons) items.push_back(ToJson(coupon));
  return Response::Of(ListJson(std::move(items)));
}

Result<Response> RedeemCoupon(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(CouponRedeemRequest request, ParseCouponRedeem(context.body));
  CRM_ASSIGN_OR_RETURN(app::CouponRedemption redemption,
                       context.services.loyalty.RedeemCoupon(context.principal(), request.code, request.customer_id,
                                                             request.branch_id, request.order_id, request.amount));
  return Response::Of({{"coupon", ToJson(redemption.coupon)}, {"discount", redemption.discount.minor_units()}});
}

Result<Response> VoidCoupon(RequestContext& context) {
  CRM_RETURN_IF_ERROR(context.services.loyalty.VoidCoupon(context.principal(), context.PathId<CouponId>("id")));
  return Response::NoContent();
}

Result<Response> JoinWithReferral(RequestContext& context) {
  FieldReader reader(context.body);
  const std::string code = reader.String("code", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(domain::Referral referral, context.services.loyalty.JoinWithReferral(
                                                      context.principal(), context.PathId<CustomerId>("id"), code));
  return Response::Of(ToJson(referral), 201);
}

Result<Response> ListReferrals(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto referrals,
                       context.services.loyalty.Referrals(context.principal(), context.PathId<CustomerId>("id")));
  Json items = Json::array();
  for (const auto& referral : referrals) items.push_back(ToJson(referral));
  return Response::Of(ListJson(std::move(items)));
}

Result<Response> DrawGacha(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::GachaDraw draw,
                       context.services.loyalty.DrawGacha(context.principal(), context.PathId<CustomerId>("id")));
  return Response::Of(ToJson(draw), 201);
}

}  // namespace

std::vector<Route> LoyaltyRoutes() {
  const std::vector<QueryParamInfo> paging = {
      {.name = "cursor", .description = "next_cursor of the previous page"},
      {.name = "limit", .description = "items per page, 1-200 (default 50)", .type = "integer"}};
  return {
      {{.method = Method::kGet, .pattern = "/api/v1/loyalty/program", .summary = "The business's loyalty program",
        .tag = kTag, .response_schema = "Program"},
       GetProgram},
      {{.method = Method::kPut, .pattern = "/api/v1/loyalty/program",
        .summary = "Set the program (owner): {\"preset\": ...} and any field to change", .tag = kTag,
        .request_schema = "ProgramInput", .response_schema = "Program"},
       PutProgram},
      {{.method = Method::kGet, .pattern = "/api/v1/loyalty/presets", .summary = "The presets a program starts from",
        .tag = kTag, .response_schema = "PresetList"},
       ListPresets},
      {{.method = Method::kGet, .pattern = "/api/v1/loyalty/expiring",
        .summary = "Customers with units expiring soon", .tag = kTag,
        .query = {{.name = "days", .description = "how far ahead, 1-366 (default 30)", .type = "integer"}},
        .response_schema = "ExpiringList"},
       Expiring},
      {{.method = Method::kPost, .pattern = "/api/v1/loyalty/expire",
        .summary = "Expire every due award now (manager; idempotent)", .tag = kTag, .response_schema = "ExpiryRun"},
       RunExpiry},
      {{.method = Method::kGet, .pattern = "/api/v1/loyalty/liability",
        .summary = "Outstanding units by branch of origin and expiry month (manager)", .tag = kTag,
        .response_schema = "Liability"},
       Liability},
      {{.method = Method::kGet, .pattern = "/api/v1/customers/{id}/loyalty",
        .summary = "Balance, tier, expiring units, usable coupons and referral code", .tag = kTag,
        .response_schema = "LoyaltyAccount"},
       GetAccount},
      {{.method = Method::kGet, .pattern = "/api/v1/customers/{id}/ledger", .summary = "The ledger, newest first",
        .tag = kTag, .query = paging, .response_schema = "LedgerPage"},
       GetLedger},
      {{.method = Method::kGet, .pattern = "/api/v1/customers/{id}/tier-changes",
        .summary = "Promotions and demotions, oldest first", .tag = kTag, .response_schema = "TierChangeList"},
       GetTierChanges},
      {{.method = Method::kPost, .pattern = "/api/v1/customers/{id}/redeem", .summary = "Spend units", .tag = kTag,
        .request_schema = "RedeemInput", .response_schema = "LedgerWrite", .success_status = 201},
       Redeem},
      {{.method = Method::kPost, .pattern = "/api/v1/customers/{id}/adjust",
        .summary = "Add or deduct units by hand (manager; reason required)", .tag = kTag,
        .request_schema = "AdjustInput", .response_schema = "LedgerWrite", .success_status = 201},
       Adjust},
      {{.method = Method::kGet, .pattern = "/api/v1/coupon-templates", .summary = "Coupon templates", .tag = kTag,
        .response_schema = "CouponTemplateList"},
       ListTemplates},
      {{.method = Method::kPost, .pattern = "/api/v1/coupon-templates", .summary = "Create a coupon template (manager)",
        .tag = kTag, .request_schema = "CouponTemplateInput", .response_schema = "CouponTemplate",
        .success_status = 201},
       CreateTemplate},
      {{.method = Method::kPost, .pattern = "/api/v1/customers/{id}/coupons",
        .summary = "Issue a coupon from a template", .tag = kTag, .request_schema = "IssueCouponInput",
        .response_schema = "Coupon", .success_status = 201},
       IssueCoupon},
      {{.method = Method::kGet, .pattern = "/api/v1/customers/{id}/coupons", .summary = "A customer's coupons",
        .tag = kTag, .response_schema = "CouponList"},
       ListCoupons},
      {{.method = Method::kPost, .pattern = "/api/v1/coupons/redeem", .summary = "Use a coupon at the counter",
        .tag = kTag, .request_schema = "CouponRedeemInput", .response_schema = "CouponRedemption"},
       RedeemCoupon},
      {{.method = Method::kPost, .pattern = "/api/v1/coupons/{id}/void", .summary = "Void an unused coupon (manager)",
        .tag = kTag, .success_status = 204},
       VoidCoupon},
      {{.method = Method::kPost, .pattern = "/api/v1/customers/{id}/referral",
        .summary = "Link a new customer to the friend whose referral code they joined with", .tag = kTag,
        .request_schema = "ReferralInput", .response_schema = "Referral", .success_status = 201},
       JoinWithReferral},
      {{.method = Method::kGet, .pattern = "/api/v1/customers/{id}/referrals",
        .summary = "The friends a customer referred", .tag = kTag, .response_schema = "ReferralList"},
       ListReferrals},
      {{.method = Method::kPost, .pattern = "/api/v1/customers/{id}/gacha",
        .summary = "Draw the Kakao-channel gacha once (seed logged; odds as published)", .tag = kTag,
        .response_schema = "GachaDraw", .success_status = 201},
       DrawGacha},
  };
}

}  // namespace crm::http
