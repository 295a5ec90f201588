#include "http/openapi.h"

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "http/auth.h"
#include "http/errors.h"
#include "http/openapi_schema.h"
#include "http/route.h"

namespace crm::http {

using namespace schema;  // NOLINT(google-build-using-namespace): the schema vocabulary

namespace {

// The loyalty API's schemas (program, ledger, coupons, referrals, gacha).
void AddLoyaltySchemas(Json& schemas) {
  const Json tier = Object({{"name", String()}, {"threshold", Integer()}, {"earn_multiplier_percent", Integer()},
                            {"reward_every", Integer()}, {"welcome_coupon_template", Integer()}, {"benefit", String()}},
                           {"name", "threshold"});
  const Json event = Object({{"name", String()}, {"first_day", DateSchema()}, {"last_day", DateSchema()},
                             {"branch_id", Nullable(Integer())}, {"multiplier_percent", Integer()}},
                            {"name", "first_day", "last_day"});
  const Json prize = Object({{"label", String()}, {"weight", Integer()}, {"points", Integer()},
                             {"odds_percent", Type("number")}}, {"label", "weight"});
  std::vector<std::pair<std::string, Json>> program = {
      {"kind", Enum({"stamps", "points", "stars", "visit_ranks"})}, {"name", String()},
      {"stamp_basis", Enum({"visit", "item", "amount"})}, {"won_per_stamp", Integer()},
      {"rate_permille", Integer()}, {"won_per_star", Integer()}, {"min_order_amount", Integer()},
      {"earn_excluded", ArrayOf(String())}, {"spend_excluded", ArrayOf(String())},
      {"stamps_per_reward", Integer()}, {"reward_value", Integer()}, {"reward_valid_days", Integer()},
      {"min_balance_to_redeem", Integer()}, {"max_redeem_percent", Integer()}, {"expiry_months", Integer()},
      {"reversal_policy", Enum({"clamp_at_zero", "allow_negative"})},
      {"tier_metric", Enum({"visits", "spend", "earned"})}, {"tier_window", Enum({"lifetime", "rolling_12_months"})},
      {"tier_keep_months", Integer()}, {"tiers", ArrayOf(tier)}, {"events", ArrayOf(event)},
      {"birthday_month_percent", Integer()}, {"referral_reward_points", Integer()},
      {"coupon_rules", ArrayOf(Object({{"every_visits", Integer()}, {"coupon_template", Integer()}},
                                      {"every_visits", "coupon_template"}))},
      {"gacha", ArrayOf(prize)}, {"visit_rule", Enum({"per_branch_day", "per_day", "every_order"})},
      {"visit_day_start_hour", Integer()}};
  schemas["Program"] = Object(program);
  schemas["Program"]["properties"]["unit"] = String();
  program.insert(program.begin(), {"preset", Enum({"stamps", "points", "starbucks", "visit-ranks"})});
  schemas["ProgramInput"] = Object(program);
  schemas["PresetList"] = Object({{"items", ArrayOf(Object({{"preset", String()}, {"program", Ref("Program")}}))}});
  schemas["LedgerEntry"] = Object({{"id", Integer()}, {"kind", Enum({"earn", "redeem", "expire", "adjust", "reverse"})},
                                   {"amount", Integer()}, {"expires_at", Nullable(TimeSchema())},
                                   {"order_id", Nullable(Integer())}, {"related_id", Nullable(Integer())},
                                   {"staff_id", Nullable(Integer())}, {"branch_id", Nullable(Integer())},
                                   {"reason", String()}, {"created_at", TimeSchema()}});
  schemas["LedgerPage"] = Page("LedgerEntry");
  schemas["LedgerWrite"] = Object({{"entry", Ref("LedgerEntry")}, {"balance", Integer()}});
  schemas["RedeemInput"] = Object({{"amount", Integer()}, {"branch_id", Integer()}, {"order_id", Integer()},
                                   {"reason", String()}}, {"amount", "branch_id"});
  schemas["AdjustInput"] = Object({{"amount", Integer()}, {"reason", String()}, {"branch_id", Integer()}},
                                  {"amount", "reason"});
  schemas["Coupon"] = Object({{"id", Integer()}, {"template_id", Nullable(Integer())}, {"customer_id", Integer()},
                              {"code", String()}, {"name", String()},
                              {"kind", Enum({"percent_off", "amount_off", "free_item"})}, {"value", Integer()},
                              {"source", String()}, {"status", Enum({"issued", "redeemed", "voided"})},
                              {"issued_at", TimeSchema()}, {"expires_at", TimeSchema()},
                              {"issued_by", Nullable(Integer())}, {"redeemed_at", Nullable(TimeSchema())},
                              {"redeemed_branch_id", Nullable(Integer())}, {"redeemed_order_id", Nullable(Integer())}});
  schemas["CouponList"] = ListOf("Coupon");
  schemas["CouponTemplate"] = Object({{"id", Integer()}, {"name", String()},
                                      {"kind", Enum({"percent_off", "amount_off", "free_item"})}, {"value", Integer()},
                                      {"validity", Enum({"same_day", "days", "date_range"})}, {"valid_days", Integer()},
                                      {"valid_from", Nullable(DateSchema())}, {"valid_until", Nullable(DateSchema())},
                                      {"per_customer_limit", Integer()}, {"active", Boolean()},
                                      {"created_at", TimeSchema()}});
  schemas["CouponTemplateInput"] = schemas["CouponTemplate"];
  schemas["CouponTemplateInput"]["properties"].erase("id");
  schemas["CouponTemplateInput"]["properties"].erase("created_at");
  schemas["CouponTemplateInput"]["required"] = {"name", "kind", "value"};
  schemas["CouponTemplateList"] = ListOf("CouponTemplate");
  schemas["IssueCouponInput"] = Object({{"template_id", Integer()}}, {"template_id"});
  schemas["CouponRedeemInput"] = Object({{"code", String()}, {"customer_id", Integer()}, {"branch_id", Integer()},
                                         {"order_id", Integer()}, {"amount", Integer()}},
                                        {"code", "customer_id", "branch_id"});
  schemas["CouponRedemption"] = Object({{"coupon", Ref("Coupon")}, {"discount", Integer()}});
  schemas["SaleLoyalty"] = Object({{"unit", String()}, {"earned", Integer()}, {"redeemed", Integer()},
                                   {"balance", Integer()}, {"tier", Nullable(String())},
                                   {"promoted_to", Nullable(String())}, {"note", String()},
                                   {"rewards", ArrayOf(Ref("Coupon"))}, {"visit_counted", Boolean()},
                                   {"visits", Integer()},
                                   {"not_earned", Nullable(Object({{"reason", Enum({"older_than_expiry"})},
                                                                   {"expired_at", Nullable(TimeSchema())}}))}});
  schemas["LoyaltyAccount"] = Object({{"program", Nullable(String())}, {"unit", String()}, {"balance", Integer()},
                                      {"tier", Nullable(String())}, {"tier_index", Integer()},
                                      {"tier_reached_at", Nullable(TimeSchema())},
                                      {"tier_qualified_at", Nullable(TimeSchema())}, {"tier_metric", Integer()},
                                      {"visit_count", Integer()}, {"reward_progress", Integer()},
                                      {"next_tier", Nullable(String())}, {"to_next_tier", Integer()},
                                      {"expiring_within_30_days", Integer()}, {"next_expiry", Nullable(TimeSchema())},
                                      {"referral_code", Nullable(String())}, {"referrer_id", Nullable(Integer())},
                                      {"referral_count", Integer()}, {"coupons", ArrayOf(Ref("Coupon"))}});
  schemas["TierChange"] = Object({{"from_index", Integer()}, {"to_index", Integer()}, {"tier_name", String()},
                                  {"promoted", Boolean()}, {"order_id", Nullable(Integer())},
                                  {"created_at", TimeSchema()}});
  schemas["TierChangeList"] = ListOf("TierChange");
  schemas["ExpiringList"] = Object({{"items", ArrayOf(Object({{"customer_id", Integer()}, {"units", Integer()},
                                                              {"first_expiry", TimeSchema()}}))}});
  schemas["ExpiryRun"] = Object({{"customers", Integer()}, {"entries", Integer()}, {"units", Integer()}});
  schemas["Liability"] = Object({{"total", Integer()},
                                 {"rows", ArrayOf(Object({{"branch_id", Nullable(Integer())},
                                                          {"expiry_month", Nullable(String())},
                                                          {"units", Integer()}}))}});
  schemas["Referral"] = Object({{"customer_id", Integer()}, {"referrer_id", Integer()}, {"rewarded", Boolean()},
                                {"rewarded_order_id", Nullable(Integer())}, {"created_at", TimeSchema()},
                                {"rewarded_at", Nullable(TimeSchema())}});
  schemas["ReferralList"] = ListOf("Referral");
  schemas["ReferralInput"] = Object({{"code", String()}}, {"code"});
  schemas["GachaDraw"] = Object({{"customer_id", Integer()}, {"prize_index", Integer()}, {"prize_label", String()},
                                 {"points", Integer()}, {"seed", String()}, {"draw", Integer()},
                                 {"total_weight", Integer()}, {"created_at", TimeSchema()}});
}

// An import job and its report (the same JSON as `dangol import --format json`).
void AddImportSchemas(Json& schemas) {
  schemas["ImportReport"] = Object(
      {{"dry_run", Boolean()}, {"committed", Boolean()}, {"run_id", Nullable(Integer())},
       {"previous_run_id", Nullable(Integer())},
       {"file", Object({{"format", Enum({"csv", "xlsx"})}, {"encoding", String()}, {"delimiter", String()},
                        {"hash", String()}})},
       {"mapping", ArrayOf(Object({{"column", String()}, {"field", String()}}))},
       {"rows", Object({{"read", Integer()}, {"rejected", Integer()}, {"skipped", Integer()}})},
       {"customers", Object({{"created", Integer()}, {"updated", Integer()}, {"unchanged", Integer()}})},
       {"orders", Object({{"created", Integer()}, {"refunds", Integer()}, {"refunds_linked", Integer()},
                          {"existing", Integer()}})},
       {"write_offs", Object({{"created", Integer()}, {"existing", Integer()}})},
       {"issues", ArrayOf(Object({{"code", String()}, {"severity", String()}, {"count", Integer()},
                                  {"examples", ArrayOf(Object({{"row", Integer()}, {"column", String()},
                                                               {"message", String()}}))}}))}});
  schemas["ImportJob"] = Object(
      {{"id", Integer()}, {"state", Enum({"queued", "running", "finished", "failed"})},
       {"kind", Enum({"customers", "orders", "order_lines", "transactions"})}, {"dry_run", Boolean()},
       {"mode", Enum({"all_or_nothing", "valid_rows"})}, {"created_at", TimeSchema()},
       {"finished_at", Nullable(TimeSchema())},
       {"progress", Object({{"rows", Integer()}, {"bytes_read", Integer()}, {"bytes_total", Integer()}})},
       {"report", Nullable(Ref("ImportReport"))},
       {"error", Nullable(Object({{"code", String()}, {"message", String()}, {"field", String()}}))},
       {"rejects_url", Nullable(String())}},
      {"id", "state", "progress"});
}

Json Roles() { return Enum({"owner", "manager", "staff"}); }
Json PreferenceKinds() { return Enum({"like", "dislike", "allergy", "never"}); }

Json CustomerSchema(bool profile) {
  std::vector<std::pair<std::string, Json>> properties;
  if (profile) properties.emplace_back("alerts", ArrayOf(Ref("Preference")));
  std::vector<std::pair<std::string, Json>> common = {
      {"id", Integer()},
      {"name", String()},
      {"family_name", String()},
      {"given_name", String()},
      {"phone", Nullable(String())},
      {"phone_masked", Nullable(String())},
      {"email", Nullable(String())},
      {"birthday", Nullable(Ref("Birthday"))},
      {"gender", Enum({"unspecified", "female", "male", "other"})},
      {"anniversaries", ArrayOf(Ref("Anniversary"))},
      {"tags", ArrayOf(String())},
      {"source", Enum({"counter", "kiosk", "online", "referral", "import", "partner", "other"})},
      {"referrer_id", Nullable(Integer())},
      {"address", String()},
      {"consents", ArrayOf(Ref("Consent"))},
      {"stage", Enum({"prospect", "new", "regular", "loyal", "lapsed"})},
      {"visit_count", Integer()},
      {"total_spend", Integer()},
      {"first_visit_at", Nullable(TimeSchema())},
      {"last_visit_at", Nullable(TimeSchema())},
      {"created_at", TimeSchema()},
      {"updated_at", TimeSchema()},
  };
  properties.insert(properties.end(), common.begin(), common.end());
  if (profile) {
    properties.emplace_back("preferences", ArrayOf(Ref("Preference")));
    properties.emplace_back("agreements", ArrayOf(Object({{"item", Enum({"terms", "privacy"})},
                                                          {"version", String()},
                                                          {"accepted_at", TimeSchema()},
                                                          {"source", String()}})));
    properties.emplace_back("loyalty", Nullable(Object({{"unit", String()}, {"balance", Integer()},
                                                        {"tier", Nullable(String())}})));
    properties.emplace_back("open_tasks", ArrayOf(Ref("Task")));
    properties.emplace_back(
        "opening_balances",
        ArrayOf(Object({{"source", String()}, {"visit_count", Integer()}, {"total_spend", Integer()},
                        {"first_visit_at", Nullable(TimeSchema())}, {"last_visit_at", Nullable(TimeSchema())},
                        {"points", Integer()}, {"tier", Nullable(String())}})));
    properties.emplace_back("phone_shares",
                            ArrayOf(Object({{"customer_id", Integer()}, {"holder_id", Integer()}, {"phone", String()},
                                            {"relation", Enum({"family", "alias"})}, {"alias", Nullable(String())}})));
    properties.emplace_back("attributes",
                            ArrayOf(Object({{"key", String()}, {"value", String()}, {"source", String()}})));
  }
  return Object(std::move(properties));
}

// The duplicate review queue and merges.
void AddMergeSchemas(Json& schemas) {
  const Json side = Enum({"this", "other", "both"});
  const Json choices = Json{{"type", "object"}, {"additionalProperties", side}};
  schemas["Duplicate"] = Object({{"first_id", Integer()},
                                 {"second_id", Integer()},
                                 {"first_name", Nullable(String())},
                                 {"second_name", Nullable(String())},
                                 {"score", Type("number")},
                                 {"reasons", ArrayOf(Enum({"same_phone", "same_email", "same_name_and_birthday",
                                                          "same_name_and_last4"}))}});
  schemas["DuplicateList"] = ListOf("Duplicate");
  schemas["DuplicatePair"] = Object({{"first_id", Integer()}, {"second_id", Integer()}}, {"first_id", "second_id"});
  schemas["DuplicateDismissal"] = Object({{"first_id", Integer()}, {"second_id", Integer()}, {"dismissed", Boolean()}});
  schemas["MergePreview"] = Object({{"survivor", Ref("Customer")}, {"other", Ref("Customer")},
                                    {"differing", ArrayOf(String())}, {"defaults", choices}});
  schemas["MergeInput"] = Object({{"other_id", Integer()}, {"keep", choices}}, {"other_id"});
  schemas["MergeResult"] = Object({{"merge_id", Integer()}, {"choices", choices}, {"customer", Ref("Customer")}});
  schemas["Merge"] = Object({{"id", Integer()}, {"survivor_id", Integer()}, {"merged_id", Integer()},
                             {"staff_id", Nullable(Integer())}, {"token_id", Nullable(Integer())},
                             {"choices", choices}, {"created_at", TimeSchema()}, {"undone_at", Nullable(TimeSchema())}});
  schemas["MergePage"] = Page("Merge");
}

Json Schemas() {
  Json schemas;
  schemas["Error"] =
      Object({{"error", Object({{"code", String()}, {"message", String()}, {"field", String()}, {"reason", String()}},
                                      {"code", "message"})}},
             {"error"});
  schemas["Health"] = Object({{"status", String()}});
  schemas["OpenApiDocument"] = Type("object");
  const Json segment_filter = Object({{"rfm_segment", Nullable(String())}, {"stage", Nullable(String())},
                                      {"tag", Nullable(String())}, {"consent", Nullable(String())},
                                      {"min_tier_index", Nullable(Integer())}, {"min_visits", Nullable(Integer())},
                                      {"min_spend", Nullable(Integer())}, {"visited_within_days", Nullable(Integer())},
                                      {"not_visited_for_days", Nullable(Integer())}, {"overdue_only", Boolean()}});
  schemas["Segment"] = Object({{"id", Integer()}, {"name", String()}, {"filter", segment_filter},
                               {"created_at", TimeSchema()}, {"updated_at", TimeSchema()}});
  schemas["SegmentInput"] = Object({{"name", String()}, {"filter", segment_filter}}, {"name"});
  schemas["SegmentList"] = ListOf("Segment");
  schemas["SegmentCustomerPage"] = Page("CustomerSummary");
  schemas["AnalyticsResult"] = Object({{"as_of", TimeSchema()}, {"orders", Integer()}, {"parameters", Type("object")}});
  schemas["FitOutcome"] = Object({{"state", Enum({"fitting", "converged", "not_converged", "skipped"})},
                                  {"reason", Nullable(String())},
                                  {"seconds", Type("number")}});
  schemas["ClvResult"] = Object(
      {{"as_of", TimeSchema()},
       {"orders", Integer()},
       {"parameters", Type("object")},
       {"status", Enum({"ready", "fitting", "insufficient_data"})},
       {"message", String()},
       {"model", Nullable(Type("object"))},
       {"fits", Nullable(Object({{"bgnbd", Ref("FitOutcome")},
                                 {"gamma_gamma", Ref("FitOutcome")},
                                 {"model_check", Ref("FitOutcome")},
                                 {"pareto_nbd", Ref("FitOutcome")}}))},
       {"model_check", Nullable(Type("object"))},
       {"model_check_reason", Nullable(String())},
       {"histogram", ArrayOf(Type("object"))},
       {"customers", ArrayOf(Type("object"))}});
  schemas["Birthday"] =
      Object({{"date", DateSchema()}, {"calendar", Enum({"solar", "lunar"})}, {"leap_month", Boolean()}}, {"date"});
  schemas["Anniversary"] = Object({{"label", String()}, {"date", DateSchema()}}, {"date"});
  schemas["Consent"] = Object({{"channel", Enum({"sms", "kakao", "email", "night"})},
                               {"granted", Boolean()},
                               {"at", TimeSchema()},
                               {"source", String()}});
  schemas["ConsentInput"] =
      Object({{"channel", Enum({"sms", "kakao", "email", "night"})}, {"granted", Boolean()}, {"source", String()}},
             {"channel", "granted"});
  schemas["Customer"] = CustomerSchema(true);
  schemas["CustomerSummary"] = CustomerSchema(false);
  schemas["CustomerListItem"] = [] {
    Json item = CustomerSchema(false);
    item["properties"]["points"] = Integer();
    item["properties"]["tier"] = Nullable(String());
    return item;
  }();
  schemas["CustomerPage"] = Object({{"items", ArrayOf(Ref("CustomerListItem"))},
                                    {"next_cursor", Nullable(String())},
                                    {"total", Integer()},
                                    {"offset", Integer()}},
                                   {"items", "next_cursor"});
  schemas["CustomerTagInput"] =
      Object({{"customer_ids", ArrayOf(Integer())}, {"tag", String()}}, {"customer_ids", "tag"});
  schemas["CustomerTagResult"] = Object({{"tag", String()}, {"added", Integer()}}, {"tag", "added"});
  schemas["CustomerDraft"] = Object({
      {"name", Nullable(String())},
      {"phone", Nullable(String())},
      {"email", Nullable(String())},
      {"birthday", Nullable(Ref("Birthday"))},
      {"gender", Nullable(Enum({"unspecified", "female", "male", "other"}))},
      {"anniversaries", Nullable(ArrayOf(Ref("Anniversary")))},
      {"tags", Nullable(ArrayOf(String()))},
      {"source", Enum({"counter", "kiosk", "online", "referral", "import", "partner", "other"})},
      {"referrer_id", Nullable(Integer())},
      {"address", Nullable(String())},
      {"consents", ArrayOf(Ref("ConsentInput"))},
  });
  schemas["Alert"] = Object({{"id", Integer()}, {"kind", Enum({"allergy", "never"})}, {"subject", String()}});
  schemas["LookupHit"] = Object({{"alerts", ArrayOf(Ref("Alert"))},
                                 {"id", Integer()},
                                 {"name", String()},
                                 {"phone", Nullable(String())},
                                 {"last_visit_at", Nullable(TimeSchema())},
                                 {"visit_count", Integer()},
                                 {"stage", String()},
                                 {"tier", Nullable(String())}});
  schemas["LookupResult"] =
      Object({{"matched_by", Enum({"last4", "phone", "name", "initials"})}, {"items", ArrayOf(Ref("LookupHit"))}});
  schemas["Preference"] = Object({{"id", Integer()},
                                  {"kind", PreferenceKinds()},
                                  {"subject", String()},
                                  {"alert", Boolean()},
                                  {"created_at", TimeSchema()},
                                  {"created_by", Nullable(Integer())}});
  schemas["PreferenceInput"] = Object({{"kind", PreferenceKinds()}, {"subject", String()}}, {"kind", "subject"});
  schemas["Note"] = Object({{"id", Integer()},
                            {"customer_id", Integer()},
                            {"author_id", Nullable(Integer())},
                            {"branch_id", Nullable(Integer())},
                            {"text", String()},
                            {"pinned", Boolean()},
                            {"created_at", TimeSchema()},
                            {"source", String()}});
  schemas["NoteInput"] = Object({{"text", String()}, {"branch_id", Integer()}, {"pinned", Boolean()}}, {"text"});
  schemas["NotePin"] = Object({{"id", Integer()}, {"pinned", Boolean()}}, {"pinned"});
  schemas["NotePage"] = Page("Note");
  schemas["OrderLine"] =
      Object({{"product", String()}, {"category", String()}, {"quantity", Integer()}, {"unit_price", Integer()}},
             {"product", "unit_price"});
  schemas["Order"] = Object({{"id", Integer()},
                             {"kind", Enum({"sale", "refund"})},
                             {"branch_id", Integer()},
                             {"staff_id", Nullable(Integer())},
                             {"customer_id", Nullable(Integer())},
                             {"original_order_id", Nullable(Integer())},
                             {"ordered_at", TimeSchema()},
                             {"total", Integer()},
                             {"channel", String()},
                             {"external_source", Nullable(String())},
                             {"external_id", Nullable(String())},
                             {"lines", ArrayOf(Ref("OrderLine"))},
                             {"created_at", TimeSchema()},
                             {"loyalty", Nullable(Ref("SaleLoyalty"))}});
  schemas["OrderInput"] = Object({{"branch_id", Integer()},
                                  {"customer_id", Integer()},
                                  {"staff_id", Integer()},
                                  {"ordered_at", TimeSchema()},
                                  {"total", Integer()},
                                  {"channel", Enum({"counter", "pos", "online", "delivery", "phone", "import"})},
                                  {"external_source", String()},
                                  {"external_id", String()},
                                  {"lines", ArrayOf(Ref("OrderLine"))},
                                  {"points_redeemed", Integer()}},
                                 {"branch_id"});
  schemas["OrderPage"] = Page("Order");
  schemas["RefundInput"] = Object({{"amount", Integer()}, {"external_source", String()}, {"external_id", String()}});
  schemas["Business"] = Object({{"id", Integer()},
                                {"slug", String()},
                                {"name", String()},
                                {"utc_offset_minutes", Integer()},
                                {"created_at", TimeSchema()}});
  schemas["Branch"] = Object({{"id", Integer()}, {"name", String()}, {"created_at", TimeSchema()}});
  schemas["BranchInput"] = Object({{"name", String()}}, {"name"});
  schemas["BranchPage"] = Page("Branch");
  schemas["Staff"] = Object({{"id", Integer()},
                             {"email", String()},
                             {"display_name", String()},
                             {"role", Roles()},
                             {"branch_ids", ArrayOf(Integer())},
                             {"daily_prospect_goal", Integer()},
                             {"active", Boolean()},
                             {"created_at", TimeSchema()}});
  schemas["StaffInput"] = Object({{"email", String()},
                                  {"display_name", String()},
                                  {"password", String()},
                                  {"role", Roles()},
                                  {"branch_ids", ArrayOf(Integer())},
                                  {"daily_prospect_goal", Integer()}},
                                 {"email", "password"});
  schemas["StaffChange"] = Object({{"display_name", String()},
                                   {"role", Roles()},
                                   {"branch_ids", ArrayOf(Integer())},
                                   {"daily_prospect_goal", Integer()},
                                   {"active", Boolean()},
                                   {"password", String()}});
  schemas["StaffPage"] = Page("Staff");
  schemas["TokenInput"] = Object({{"role", Roles()}, {"name", String()}}, {"role", "name"});
  schemas["TokenCreated"] = Object({{"id", Integer()}, {"token", String()}, {"role", Roles()}, {"name", String()}});
  schemas["Token"] = Object({{"id", Integer()},
                             {"name", String()},
                             {"role", Roles()},
                             {"created_at", TimeSchema()},
                             {"created_by", Nullable(Integer())},
                             {"last_used_at", Nullable(TimeSchema())},
                             {"revoked_at", Nullable(TimeSchema())}});
  schemas["TokenList"] = ListOf("Token");
  schemas["Prospect"] = Object({{"id", Integer()},
                                {"staff_id", Integer()},
                                {"branch_id", Nullable(Integer())},
                                {"name", String()},
                                {"phone", Nullable(String())},
                                {"how_met", String()},
                                {"liked", String()},
                                {"customer_id", Nullable(Integer())},
                                {"created_at", TimeSchema()}});
  schemas["ProspectInput"] = Object(
      {{"name", String()}, {"phone", String()}, {"how_met", String()}, {"liked", String()}, {"branch_id", Integer()}});
  schemas["ProspectPage"] = Page("Prospect");
  schemas["ProspectProgress"] =
      Object({{"staff_id", Integer()}, {"display_name", String()}, {"goal", Integer()}, {"today", Integer()}});
  schemas["ProspectProgressPage"] = Page("ProspectProgress");
  schemas["AccessLogEntry"] = Object({{"id", Integer()},
                                      {"at", TimeSchema()},
                                      {"staff_id", Nullable(Integer())},
                                      {"token_id", Nullable(Integer())},
                                      {"customer_id", Nullable(Integer())},
                                      {"customer_name", Nullable(String())},
                                      {"action", String()},
                                      {"ip", String()},
                                      {"detail", String()}});
  schemas["AccessLogPage"] = Page("AccessLogEntry");
  schemas["LoginInput"] =
      Object({{"email", String()}, {"password", String()}, {"business", String()}}, {"email", "password"});
  schemas["LoginResult"] = Object({{"staff", Ref("Staff")},
                                   {"business", Ref("Business")},
                                   {"role", Roles()},
                                   {"csrf_token", String()},
                                   {"expires_at", TimeSchema()}});
  schemas["Me"] = Object({{"staff", Nullable(Ref("Staff"))},
                          {"business", Ref("Business")},
                          {"role", Roles()},
                          {"via", Enum({"session", "token"})},
                          {"csrf_token", Nullable(String())}});
  AddLoyaltySchemas(schemas);
  AddMergeSchemas(schemas);
  AddImportSchemas(schemas);
  schemas["CustomerRecord"] = Object(
      {{"exported_at", TimeSchema()}, {"customer", Ref("Customer")}, {"notes", ArrayOf(Ref("Note"))},
       {"orders", ArrayOf(Ref("Order"))},
       {"loyalty", Object({{"account", Nullable(Object({{"balance", Integer()}, {"tier_index", Integer()},
                                                         {"tier_reached_at", Nullable(TimeSchema())},
                                                         {"referral_code", String()}}))},
                           {"ledger", ArrayOf(Ref("LedgerEntry"))}, {"tier_changes", ArrayOf(Ref("TierChange"))}})},
       {"coupons", ArrayOf(Ref("Coupon"))},
       {"referrals", Object({{"referred_by", Nullable(Ref("Referral"))}, {"referred", ArrayOf(Ref("Referral"))}})},
       {"gacha_draw", Nullable(Ref("GachaDraw"))},
       {"consent_history",
        ArrayOf(Object({{"channel", String()}, {"granted", Boolean()}, {"at", TimeSchema()}, {"source", String()}}))},
       {"messages", ArrayOf(Object({{"id", Integer()},
                                    {"campaign_id", Nullable(Integer())},
                                    {"channel", String()},
                                    {"purpose", String()},
                                    {"status", String()},
                                    {"recipient", String()},
                                    {"subject", String()},
                                    {"body", String()},
                                    {"created_at", TimeSchema()},
                                    {"sent_at", Nullable(TimeSchema())},
                                    {"delivered_at", Nullable(TimeSchema())}}))},
       {"access_log", ArrayOf(Ref("AccessLogEntry"))}},
      {"exported_at", "customer", "notes", "orders", "loyalty", "coupons", "referrals", "consent_history", "messages",
       "access_log"});
  const Json action_kind = Enum({"order", "redemption", "coupon_use", "note", "preference"});
  schemas["CounterAction"] = Object({{"kind", action_kind},
                                     {"id", Integer()},
                                     {"customer_id", Integer()},
                                     {"staff_id", Nullable(Integer())},
                                     {"at", TimeSchema()},
                                     {"amount", Integer()},
                                     {"label", String()}},
                                    {"kind", "id", "at"});
  schemas["LastAction"] = Object({{"action", Nullable(Ref("CounterAction"))}}, {"action"});
  schemas["KioskDevice"] = Object({{"id", Integer()},
                                   {"name", String()},
                                   {"created_at", TimeSchema()},
                                   {"disabled_at", Nullable(TimeSchema())},
                                   {"token", String()}},
                                  {"id", "name", "created_at"});
  schemas["KioskDeviceList"] = ListOf("KioskDevice");
  schemas["KioskDeviceInput"] = Object({{"name", String()}}, {"name"});
  const Json notice_item = Enum({"terms", "privacy"});
  schemas["KioskNotices"] = Object(
      {{"items", ArrayOf(Object({{"item", notice_item}, {"version", String()}, {"required", Boolean()}}))}}, {"items"});
  schemas["KioskStanding"] = Object({{"known", Boolean()},
                                     {"loyalty", Nullable(Type("object"))},
                                     {"agreements", ArrayOf(Object({{"item", notice_item}, {"version", String()}}))}},
                                    {"known"});
  schemas["KioskRegistration"] = Object(
      {{"phone", String()},
       {"agreements", ArrayOf(Object({{"item", notice_item}, {"version", String()}}, {"item", "version"}))},
       {"consents", ArrayOf(Object({{"channel", Enum({"sms", "kakao", "email", "night"})}, {"granted", Boolean()}},
                                   {"channel", "granted"}))}},
      {"phone", "agreements"});
  schemas["UndoInput"] = Object({{"kind", action_kind}, {"id", Integer()}}, {"kind", "id"});
  schemas["UndoResult"] = Object(
      {{"undone", Ref("CounterAction")}, {"refund", Nullable(Ref("Order"))}, {"balance", Nullable(Integer())}},
      {"undone"});
  return schemas;
}

std::string OperationId(const RouteInfo& route) {
  std::string id = MethodName(route.method);
  for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char c : route.pattern.substr(sizeof("/api/v1") - 1)) {
    const bool word = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (word) {
      id.push_back(c);
    } else if (id.back() != '_') {
      id.push_back('_');
    }
  }
  while (id.back() == '_') id.pop_back();
  return id;
}

Json Parameters(const RouteInfo& route) {
  Json parameters = Json::array();
  size_t open = route.pattern.find('{');
  while (open != std::string::npos) {
    const size_t close = route.pattern.find('}', open);
    Json parameter;
    parameter["name"] = route.pattern.substr(open + 1, close - open - 1);
    parameter["in"] = "path";
    parameter["required"] = true;
    parameter["schema"] = Json{{"type", "integer"}, {"format", "int64"}, {"minimum", 1}};
    parameters.push_back(std::move(parameter));
    open = route.pattern.find('{', close);
  }
  for (const QueryParamInfo& query : route.query) {
    Json parameter;
    parameter["name"] = query.name;
    parameter["in"] = "query";
    parameter["required"] = query.required;
    parameter["description"] = query.description;
    parameter["schema"] = Type(query.type.c_str());
    parameters.push_back(std::move(parameter));
  }
  return parameters;
}

Json JsonContent(const std::string& schema) { return Json{{"application/json", Json{{"schema", Ref(schema)}}}}; }

// A file's bytes in each of `types`.
Json BinaryContent(const std::vector<std::string>& types) {
  Json content = Json::object();
  for (const std::string& type : types) content[type] = Json{{"schema", Json{{"type", "string"}, {"format", "binary"}}}};
  return content;
}

Json Operation(const RouteInfo& route) {
  Json operation;
  operation["operationId"] = OperationId(route);
  operation["summary"] = route.summary;
  operation["tags"] = Json::array({route.tag});
  Json parameters = Parameters(route);
  if (!parameters.empty()) operation["parameters"] = std::move(parameters);
  if (!route.raw_request_types.empty()) {
    operation["requestBody"] = Json{{"required", true}, {"content", BinaryContent(route.raw_request_types)}};
  } else if (!route.request_schema.empty()) {
    operation["requestBody"] = Json{{"required", true}, {"content", JsonContent(route.request_schema)}};
  }
  Json success;
  success["description"] = ReasonPhrase(route.success_status);
  if (!route.raw_response_types.empty()) {
    success["content"] = BinaryContent(route.raw_response_types);
    success["headers"]["Content-Disposition"] =
        Json{{"description", "attachment; filename=\"...\""}, {"schema", String()}};
  } else if (!route.response_schema.empty()) {
    success["content"] = JsonContent(route.response_schema);
  }
  Json responses;
  responses[std::to_string(route.success_status)] = std::move(success);
  responses["default"] = Json{{"$ref", "#/components/responses/Error"}};
  operation["responses"] = std::move(responses);
  if (route.access == Access::kPublic) operation["security"] = Json::array();
  return operation;
}

Result<Response> Health(RequestContext&) { return Response::Of(Json{{"status", "ok"}}); }

Result<Response> ServeOpenApi(RequestContext&) {
  static const Json kDocument = OpenApiDocument();
  return Response::Of(kDocument);
}

}  // namespace

Json OpenApiDocument() {
  Json document;
  document["openapi"] = "3.0.3";
  document["info"] = Json{{"title", "Dangol API"},
                          {"version", "1"},
                          {"description",
                           "CRM and loyalty for small businesses. Errors are "
                           "{\"error\":{\"code\",\"message\",\"field\"}}; lists are "
                           "{\"items\",\"next_cursor\"}."}};
  Json paths = Json::object();
  for (const RouteInfo& route : Routes()) {
    std::string method = MethodName(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[route.pattern][method] = Operation(route);
  }
  document["paths"] = std::move(paths);
  Json components;
  components["schemas"] = Schemas();
  AddCampaignSchemas(components["schemas"]);
  AddPrivacySchemas(components["schemas"]);
  AddAutomationSchemas(components["schemas"]);
  components["responses"]["Error"] = Json{{"description", "An error: 400, 401, 403, 404, 405, 409, 413, 429, 500, 503"},
                                          {"content", JsonContent("Error")}};
  components["securitySchemes"]["bearerAuth"] = Json{{"type", "http"}, {"scheme", "bearer"}};
  components["securitySchemes"]["cookieAuth"] =
      Json{{"type", "apiKey"}, {"in", "cookie"}, {"name", kSessionCookieName}};
  document["components"] = std::move(components);
  document["security"] = Json::array({Json{{"bearerAuth", Json::array()}}, Json{{"cookieAuth", Json::array()}}});
  return document;
}

std::vector<Route> MetaRoutes() {
  return {
      {{.method = Method::kGet,
        .pattern = "/api/v1/health",
        .summary = "Liveness",
        .tag = "meta",
        .access = Access::kPublic,
        .response_schema = "Health",
        .blocking = false},
       Health},
      {{.method = Method::kGet,
        .pattern = "/api/v1/openapi.json",
        .summary = "This document",
        .tag = "meta",
        .access = Access::kPublic,
        .response_schema = "OpenApiDocument",
        .blocking = false},
       ServeOpenApi},
  };
}

}  // namespace crm::http
