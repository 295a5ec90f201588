#include "store/audience_repository.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace crm::store {
namespace {

// Ids and addresses travel as one JSON array parameter, so that one prepared statement serves any
// number of them (as CustomerRepository::Alerts does).
#define IN_JSON_SQLITE(n) "(SELECT value FROM json_each(" n "))"
#define IN_IDS_PG(n) "(SELECT json_array_elements_text(CAST(" n " AS json))::bigint)"
#define IN_TEXTS_PG(n) "(SELECT json_array_elements_text(CAST(" n " AS json)))"

constexpr size_t kChunk = 1000;

constexpr Statement kCustomers{
    "audience.customers",
    "SELECT id, business_id, name, phone_e164, email, visit_count, visits_last_year, total_spend, first_visit_at, "
    "last_visit_at, created_at FROM customers WHERE business_id = $1 AND merged_into IS NULL AND id IN " IN_JSON_SQLITE("$2"),
    "SELECT id, business_id, name, phone_e164, email, visit_count, visits_last_year, total_spend, first_visit_at, "
    "last_visit_at, created_at FROM customers WHERE business_id = $1 AND merged_into IS NULL AND id IN " IN_IDS_PG("$2")};
constexpr Statement kConsents{
    "audience.consents",
    "SELECT customer_id, channel, granted, at, source FROM customer_consents WHERE business_id = $1 AND "
    "customer_id IN " IN_JSON_SQLITE("$2") " ORDER BY customer_id, channel",
    "SELECT customer_id, channel, granted, at, source FROM customer_consents WHERE business_id = $1 AND "
    "customer_id IN " IN_IDS_PG("$2") " ORDER BY customer_id, channel"};
constexpr Statement kReconfirmations{
    "audience.reconfirmations",
    "SELECT customer_id, consent_channel, MAX(sent_at) FROM consent_notices WHERE business_id = $1 AND kind = 2 AND "
    "customer_id IN " IN_JSON_SQLITE("$2") " GROUP BY customer_id, consent_channel",
    "SELECT customer_id, consent_channel, MAX(sent_at) FROM consent_notices WHERE business_id = $1 AND kind = 2 AND "
    "customer_id IN " IN_IDS_PG("$2") " GROUP BY customer_id, consent_channel"};
constexpr Statement kSuppressions{
    "audience.suppressions",
    "SELECT address, reason FROM suppressions WHERE business_id = $1 AND address IN " IN_JSON_SQLITE("$2"),
    "SELECT address, reason FROM suppressions WHERE business_id = $1 AND address IN " IN_TEXTS_PG("$2")};
constexpr Statement kAccounts{
    "audience.accounts",
    "SELECT customer_id, balance, tier_index FROM loyalty_accounts WHERE business_id = $1 AND "
    "customer_id IN " IN_JSON_SQLITE("$2"),
    "SELECT customer_id, balance, tier_index FROM loyalty_accounts WHERE business_id = $1 AND "
    "customer_id IN " IN_IDS_PG("$2")};
constexpr Statement kRewardProgress{
    "audience.reward_progress",
    "SELECT customer_id, COALESCE(SUM(reward_units), 0) FROM loyalty_counts WHERE business_id = $1 AND "
    "customer_id IN " IN_JSON_SQLITE("$2") " GROUP BY customer_id",
    "SELECT customer_id, COALESCE(SUM(reward_units), 0) FROM loyalty_counts WHERE business_id = $1 AND "
    "customer_id IN " IN_IDS_PG("$2") " GROUP BY customer_id"};

std::string JsonIds(std::span<const CustomerId> ids) {
  std::string out = "[";
  for (CustomerId id : ids) {
    if (out.size() > 1) out += ',';
    out += std::to_string(id.value());
  }
  return out + "]";
}

// Phones are E.164 and e-mail addresses as stored: neither holds a character JSON must escape
// but '"' and '\', which are escaped all the same.
std::string JsonTexts(const std::vector<std::string>& texts) {
  std::string out = "[";
  for (const std::string& text : texts) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) < 0x20) continue;
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

}  // namespace

Result<std::vector<AudienceMember>> AudienceRepository::Load(BusinessId business, std::span<const CustomerId> ids) {
  std::vector<CustomerId> unique;
  unique.reserve(ids.size());
  std::unordered_set<int64_t> seen;
  for (CustomerId id : ids) {
    if (seen.insert(id.value()).second) unique.push_back(id);
  }
  std::vector<AudienceMember> out;
  out.reserve(unique.size());
  for (size_t first = 0; first < unique.size(); first += kChunk) {
    const size_t count = std::min(kChunk, unique.size() - first);
    CRM_RETURN_IF_ERROR(LoadChunk(business, std::span<const CustomerId>(unique).subspan(first, count), out));
  }
  return out;
}

Status AudienceRepository::LoadChunk(BusinessId business, std::span<const CustomerId> ids,
                                     std::vector<AudienceMember>& out) {
  const std::vector<SqlValue> params{Int(business.value()), Text(JsonIds(ids))};
  CRM_ASSIGN_OR_RETURN(auto customer_rows, connection_.Query(kCustomers, params));
  std::unordered_map<int64_t, AudienceMember> members;
  std::vector<std::string> addresses;
  for (const Row& row : customer_rows) {
    AudienceMember member;
    domain::Customer& c = member.customer;
    c.id = CustomerId(row.GetInt(0));
    c.business_id = BusinessId(row.GetInt(1));
    c.name = row.GetText(2);
    c.phone_e164 = row.GetText(3);
    c.email = row.GetText(4);
    c.stats.visit_count = row.GetInt(5);
    c.stats.visits_last_year = row.GetInt(6);
    c.stats.total_spend = Money(row.GetInt(7));
    if (auto at = row.GetOptionalInt(8)) c.stats.first_visit_at = Timestamp::FromMicros(*at);
    if (auto at = row.GetOptionalInt(9)) c.stats.last_visit_at = Timestamp::FromMicros(*at);
    c.created_at = Timestamp::FromMicros(row.GetInt(10));
    if (!c.phone_e164.empty()) addresses.push_back(c.phone_e164);
    if (!c.email.empty()) addresses.push_back(c.email);
    members.emplace(c.id.value(), std::move(member));
  }
  if (members.empty()) return Status::Ok();
  auto member_of = [&](int64_t id) -> AudienceMember* {
    auto found = members.find(id);
    return found == members.end() ? nullptr : &found->second;
  };

  CRM_ASSIGN_OR_RETURN(auto consent_rows, connection_.Query(kConsents, params));
  for (const Row& row : consent_rows) {
    if (AudienceMember* m = member_of(row.GetInt(0))) {
      m->customer.consents.push_back({static_cast<domain::ConsentChannel>(row.GetInt(1)), row.GetInt(2) != 0,
                                      Timestamp::FromMicros(row.GetInt(3)), row.GetText(4)});
    }
  }
  CRM_ASSIGN_OR_RETURN(auto notice_rows, connection_.Query(kReconfirmations, params));
  for (const Row& row : notice_rows) {
    if (row.IsNull(2)) continue;
    if (AudienceMember* m = member_of(row.GetInt(0))) {
      m->reconfirmed_at[static_cast<domain::ConsentChannel>(row.GetInt(1))] = Timestamp::FromMicros(row.GetInt(2));
    }
  }
  if (!addresses.empty()) {
    CRM_ASSIGN_OR_RETURN(auto suppression_rows,
                         connection_.Query(kSuppressions, {Int(business.value()), Text(JsonTexts(addresses))}));
    std::unordered_map<std::string, domain::SuppressionReason> suppressed;
    for (const Row& row : suppression_rows) {
      suppressed.emplace(row.GetText(0), static_cast<domain::SuppressionReason>(row.GetInt(1)));
    }
    for (auto& [id, m] : members) {
      if (auto found = suppressed.find(m.customer.phone_e164); !m.customer.phone_e164.empty() && found != suppressed.end()) {
        m.phone_suppression = found->second;
      }
      if (auto found = suppressed.find(m.customer.email); !m.customer.email.empty() && found != suppressed.end()) {
        m.email_suppression = found->second;
      }
    }
  }
  CRM_ASSIGN_OR_RETURN(auto account_rows, connection_.Query(kAccounts, params));
  for (const Row& row : account_rows) {
    if (AudienceMember* m = member_of(row.GetInt(0))) {
      m->balance = row.GetInt(1);
      m->tier_index = static_cast<int>(row.GetInt(2));
    }
  }
  CRM_ASSIGN_OR_RETURN(auto progress_rows, connection_.Query(kRewardProgress, params));
  for (const Row& row : progress_rows) {
    if (AudienceMember* m = member_of(row.GetInt(0))) m->reward_progress = row.GetInt(1);
  }
  for (CustomerId id : ids) {
    auto found = members.find(id.value());
    if (found != members.end()) out.push_back(std::move(found->second));
  }
  return Status::Ok();
}

}  // namespace crm::store
