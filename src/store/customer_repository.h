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
  // The back office's search box: customers the counter lookup would find for the same text.
  std::optional<LookupQuery> search;
  std::optional<CustomerId> after;  // cursor: ids greater than this
  int limit = 50;

  // True when a condition beyond the cursor is set.
  bool HasConditions() const;
};

// The orders a sorted page of customers can be in. The values are SQL parameters, not persisted.
enum class CustomerSort { kId = 0, kLastVisit = 1, kVisits = 2, kSpend = 3, kPoints = 4, kTier = 5, kStage = 6 };
enum class SortDirection { kAscending = 1, kDescending = -1 };

// One row of a sorted page: the summary (with tags) and the loyalty standing.
struct CustomerListRow {
  domain::Customer customer;
  int64_t points = 0;      // the loyalty balance; 0 without an account
  int64_t tier_index = 0;  // 0 without an account
};

// A sorted page and how many customers the filter holds in all.
struct CustomerListPage {
  std::vector<CustomerListRow> rows;
  int64_t total = 0;
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
  // The customers the filter holds (its cursor ignored), sorted by `sort` in `direction` (ties by
  // id in the same direction; never visited counts as the earliest last visit), skipping `offset`
  // and at most filter.limit (clamped to 1..5000); with the total count of matches.
  Result<CustomerListPage> SortedPage(BusinessId business, const CustomerFilter& filter, CustomerSort sort,
                                      SortDirection direction, int64_t offset);
  // Gives `tag` to each of `ids` that is a current customer of the business (others are skipped);
  // returns how many did not have it yet.
  Result<int64_t> AddTag(BusinessId business, const std::vector<CustomerId>& ids, const std::string& tag);
  // The names of many customers at once (merged ones too; erased ones are blank), for lists that
  // name the customers they mention. Ids that are not the business's are left out.
  Result<std::vector<std::pair<CustomerId, std::string>>> Names(BusinessId business, const std::vector<CustomerId>& ids);
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
