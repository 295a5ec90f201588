// Customers of a business with their tags, consents, anniversaries and preferences, and the
// indexed keys the counter lookup searches by (last 4 digits, E.164, name key, 초성 key).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/customer.h"
#include "store/sql.h"

namespace crm::store {

enum class LookupKind { kLast4 = 1, kPhone = 2, kNamePrefix = 3, kInitialsPrefix = 4 };

struct LookupQuery {
  LookupKind kind = LookupKind::kLast4;
  std::string value;  // last 4 digits, an E.164 number, a NameSearchKey or an InitialConsonantKey prefix
  int limit = 20;
};

// Which customers a list holds. Every set condition must hold; unset ones do not filter. The
// visit and spend bounds are inclusive; the last-visit bounds exclude customers who never visited.
struct CustomerFilter {
  std::optional<std::string> tag;
  std::optional<domain::ConsentChannel> consent;  // granted on this channel
  // The loyalty tier index, inclusive; a customer without an account is at index 0.
  std::optional<int64_t> tier_min;
  std::optional<int64_t> tier_max;
  std::optional<domain::LifecycleStage> stage;  // as domain::ComputeStage with default rules at `as_of`
  Timestamp as_of;
  std::optional<int64_t> visits_min;
  std::optional<int64_t> visits_max;
  std::optional<int64_t> spend_min;  // minor units
  std::optional<int64_t> spend_max;
  std::optional<Timestamp> last_visit_before;  // last visit earlier than this
  std::optional<Timestamp> last_visit_after;   // last visit at or after this
  std::optional<CustomerId> after;  // cursor: ids greater than this
  int limit = 50;

  // True when a condition beyond the cursor is set.
  bool HasConditions() const;
};

class CustomerRepository {
 public:
  explicit CustomerRepository(SqlConnection& connection) : connection_(connection) {}

  // Stores a new customer with tags, consents and anniversaries; returns its id.
  // kAlreadyExists (field "phone") when another customer of the business has the same phone.
  Result<CustomerId> Insert(const domain::Customer& customer);
  // Rewrites the profile fields, tags and anniversaries, and upserts the consents given.
  // kNotFound when the customer is not the business's; kAlreadyExists as for Insert.
  Status Update(const domain::Customer& customer);
  // The whole profile with preferences. kNotFound when it is not the business's.
  Result<domain::Customer> Get(BusinessId business, CustomerId id);
  Result<std::optional<CustomerId>> FindByPhone(BusinessId business, const std::string& e164);
  // Pick-list summaries matching the query, at most query.limit: id, name, phone and visit
  // statistics only (no tags, consents, preferences or other profile fields).
  Result<std::vector<domain::Customer>> Lookup(BusinessId business, const LookupQuery& query);
  // Summaries (with tags) of the customers the filter holds, in id order after the cursor; at most
  // filter.limit (clamped to 1..5000).
  Result<std::vector<domain::Customer>> List(BusinessId business, const CustomerFilter& filter);
  // Alerts (allergy, never) of many customers at once, for pick lists.
  Result<std::vector<std::pair<CustomerId, domain::Preference>>> Alerts(BusinessId business,
                                                                        const std::vector<CustomerId>& ids);
  // Locks the customer row for the rest of the transaction (PostgreSQL) so concurrent orders of
  // one customer update the stats one after the other. kNotFound when not the business's.
  Result<bool> Exists(BusinessId business, CustomerId id);
  Status LockForUpdate(BusinessId business, CustomerId id);
  Status SaveStats(BusinessId business, CustomerId id, const domain::VisitStats& stats, Timestamp updated_at);

  Result<PreferenceId> AddPreference(BusinessId business, CustomerId customer, const domain::Preference& preference);
  // kNotFound when the preference is not this customer's.
  Status DeletePreference(BusinessId business, CustomerId customer, PreferenceId id);
  Result<int64_t> Count(BusinessId business);

 private:
  Status SaveChildren(const domain::Customer& customer);
  SqlConnection& connection_;
};

}  // namespace crm::store
