// Mapping between domain types and the JSON of the API. Output: ids are JSON numbers (null when
// unset), money is an integer, times are ISO 8601 UTC strings (null when unset), enums are their
// snake_case names. Input: request bodies are read with FieldReader, so a field of the wrong type
// fails with kInvalidArgument naming it; unknown fields are ignored. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/business_service.h"
#include "app/customer_service.h"
#include "common/money.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/business.h"
#include "domain/customer.h"
#include "domain/order.h"
#include "domain/prospect.h"

namespace crm::http {

using Json = nlohmann::ordered_json;

// ---- Output ----

Json ToJson(const domain::Business& business);
Json ToJson(const domain::Branch& branch);
Json ToJson(const domain::Staff& staff);  // never the password hash
Json ToJson(const domain::ApiToken& token);  // never the secret nor its hash
// Masks the personal data of a customer summary (CustomerView::kSummary) in place: the phone and
// birthday become null (phone_masked stays), the e-mail is masked, the address and anniversaries
// are dropped. Lists answer this unless a manager asks for `unmask=true`.
void MaskPersonalData(Json& summary);
Json ToJson(const domain::Preference& preference);
Json ToJson(const domain::Note& note);
Json ToJson(const domain::Order& order);
Json ToJson(const domain::Prospect& prospect);
Json ToJson(const domain::ProspectProgress& progress);
Json ToJson(const domain::AccessLogEntry& entry);
Json ToJson(const app::LookupResult& lookup);

enum class CustomerView {
  kSummary,  // list rows: the profile fields without preferences
  kProfile,  // the whole profile: "alerts" (allergy and never) first, "preferences" last
};
Json CustomerToJson(const domain::Customer& customer, domain::LifecycleStage stage, CustomerView view);

// {"items":[...],"next_cursor":"42" or null}
Json PageJson(Json items, std::optional<int64_t> next_cursor);

// ---- Input ----

// A customer draft: name, phone, email, birthday {date, calendar, leap_month} (or "YYYY-MM-DD"),
// gender, anniversaries [{label, date}], tags, source, referrer_id, address, consents
// [{channel, granted, source}]. Absent fields stay unset. JSON null clears: birthday and
// referrer_id become empty, strings become "", lists become empty, gender unspecified.
Result<domain::CustomerDraft> ParseCustomerDraft(const nlohmann::json& body);

// A sale: branch_id (required), customer_id, staff_id, ordered_at (default `now`), total (left
// 0 when absent: the service sums the lines), channel, external_source, external_id, lines
// [{product, category, quantity, unit_price}].
Result<domain::Order> ParseSale(const nlohmann::json& body, Timestamp now);

struct RefundRequest {
  std::optional<Money> amount;
  std::string external_source;
  std::string external_id;
};
Result<RefundRequest> ParseRefund(const nlohmann::json& body);

struct LoginRequest {
  std::string email;
  std::string password;
  std::string business;  // slug; empty when not given
};
Result<LoginRequest> ParseLogin(const nlohmann::json& body);

struct PreferenceRequest {
  domain::PreferenceKind kind = domain::PreferenceKind::kLike;
  std::string subject;
};
Result<PreferenceRequest> ParsePreference(const nlohmann::json& body);

struct NoteRequest {
  std::string text;
  std::optional<BranchId> branch_id;
  bool pinned = false;
};
Result<NoteRequest> ParseNote(const nlohmann::json& body);
// {"pinned": bool}, required.
Result<bool> ParsePinned(const nlohmann::json& body);

struct TokenRequest {
  domain::Role role = domain::Role::kStaff;
  std::string name;
};
Result<TokenRequest> ParseTokenRequest(const nlohmann::json& body);

// {"name": "..."} for a new branch.
Result<std::string> ParseBranchName(const nlohmann::json& body);
Result<app::NewStaff> ParseNewStaff(const nlohmann::json& body);
Result<app::StaffChange> ParseStaffChange(const nlohmann::json& body);
// A prospect card: name, phone (any accepted format; checked here), how_met, liked, branch_id.
Result<domain::Prospect> ParseProspect(const nlohmann::json& body);

}  // namespace crm::http
