// CustomerService: the use cases around a customer profile: create and edit (normalising names,
// phones and e-mails), counter lookup with a masked pick list, the full profile with alerts first
// (written to the access log), preferences and notes. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "domain/customer.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/transaction.h"

namespace crm::app {

// One row of the counter pick list: masked, never the whole name or number.
struct LookupHit {
  CustomerId id;
  std::string masked_name;   // 김*수
  std::string masked_phone;  // 010-****-5678
  std::optional<Timestamp> last_visit_at;
  int64_t visit_count = 0;
  domain::LifecycleStage stage = domain::LifecycleStage::kProspect;
  std::string tier;  // filled by the loyalty engine; empty until then
  std::vector<domain::Preference> alerts;
};

struct LookupResult {
  std::string matched_by;  // "last4", "phone", "name", "initials"
  std::vector<LookupHit> hits;
};

// Conditions on a customer list (and export); every set one must hold.
struct CustomerQuery {
  // The search box: 4 digits, a phone number, 초성 or a name prefix, read as Lookup reads it.
  std::optional<std::string> text;
  std::optional<std::string> tag;
  std::optional<std::string> tier;  // the name of a tier of the loyalty program
  std::optional<domain::LifecycleStage> stage;
  std::optional<domain::ConsentChannel> consent;  // consent granted on this channel
  std::optional<int64_t> visits_min;
  std::optional<int64_t> visits_max;
  std::optional<int64_t> spend_min;  // minor units, inclusive
  std::optional<int64_t> spend_max;
  std::optional<Timestamp> last_visit_before;
  std::optional<Timestamp> last_visit_after;
};

struct CustomerPage {
  std::vector<domain::Customer> customers;
  std::optional<CustomerId> next_cursor;
};

// The order of a sorted customer page.
struct CustomerOrder {
  store::CustomerSort sort = store::CustomerSort::kId;
  store::SortDirection direction = store::SortDirection::kAscending;
};

// One row of a sorted page: the summary with tags, the loyalty balance and the tier's name (empty
// without a program with tiers).
struct CustomerListEntry {
  domain::Customer customer;
  int64_t points = 0;
  std::string tier;
};

struct CustomerSortedPage {
  std::vector<CustomerListEntry> entries;
  int64_t total = 0;  // how many customers the query holds in all
};

// Whether a list shows customers' phones, e-mails, birthdays and addresses. kShown takes a manager
// or an owner.
enum class PersonalData { kMasked, kShown };

class CustomerService {
 public:
  CustomerService(store::Database& database, const Clock& clock);

  // Validates and normalises the draft (name NFC and split, phone E.164, e-mail lower case), stores
  // the customer and logs the creation. kInvalidArgument naming the field; kAlreadyExists ("phone")
  // when the phone belongs to another customer.
  Result<domain::Customer> Create(const Principal& principal, const domain::CustomerDraft& draft);
  // Applies the fields set in the draft. kNotFound when the id is not the business's.
  Result<domain::Customer> Update(const Principal& principal, CustomerId id, const domain::CustomerDraft& draft);
  // The whole profile (alerts first among the preferences); writes a view to the access log.
  Result<domain::Customer> Get(const Principal& principal, CustomerId id);
  // Interprets `query` as 4 digits, a phone number, 초성 or a name prefix (in that order) and
  // returns the masked pick list, never choosing for the caller. kInvalidArgument ("q") when empty
  // or too short to search.
  Result<LookupResult> Lookup(const Principal& principal, const std::string& query, int limit);
  // The store's search for `query` as Lookup interprets it; `matched_by` is set to "last4",
  // "phone", "initials" or "name". kInvalidArgument ("q") as Lookup.
  static Result<store::LookupQuery> SearchFor(const std::string& query, std::string* matched_by);
  // One page (limit 1..200) of the customers the query holds, in id order after `after`, with
  // summaries and tags. kInvalidArgument naming "tag" (empty), "tier" (not a tier of the program),
  // "visits_min"/"spend_min" (above the maximum) or "last_visit_after" (not before
  // last_visit_before).
  Result<CustomerPage> List(const Principal& principal, std::optional<CustomerId> after, int limit,
                            const CustomerQuery& query);
  // The page of the customers the query holds in `order`, `offset` rows in, at most `limit`
  // (1..200), with the total count. Fails as List does, and with kInvalidArgument ("q") when the
  // search text cannot be searched.
  Result<CustomerSortedPage> ListSorted(const Principal& principal, const CustomerQuery& query, CustomerOrder order,
                                        int64_t offset, int limit);
  // Gives `tag` to each of `ids` (1..1000 ids; ids that are not the business's customers are
  // skipped) and logs the change; returns how many did not have it yet. kInvalidArgument naming
  // "tag" (empty or too long) or "customer_ids".
  Result<int64_t> AddTag(const Principal& principal, const std::vector<CustomerId>& ids, const std::string& tag);
  // The masked names (김*수) of the given customers of the principal's business (merged ones too;
  // an erased one's is empty), for lists that mention customers by id. The caller's route decides
  // who may read the list; this reads names only and logs nothing.
  Result<std::map<CustomerId, std::string>> MaskedNames(const Principal& principal, std::vector<CustomerId> ids);
  // Writes to the access log that `principal` was shown a list of `shown` customers (`what`: the
  // route, e.g. "customers" or "segment 12"), with their personal data masked or not. Nothing is
  // written for an empty list.
  Status RecordListRead(const Principal& principal, std::string_view what, size_t shown, PersonalData personal_data);
  // The store filter for `query` at `now` (a tier name becomes its index range), read inside `tx`;
  // fails as List does.
  static Result<store::CustomerFilter> FilterFor(store::Transaction& tx, BusinessId business,
                                                 const CustomerQuery& query, Timestamp now);

  Result<domain::Preference> AddPreference(const Principal& principal, CustomerId id, domain::PreferenceKind kind,
                                           const std::string& subject);
  Status DeletePreference(const Principal& principal, CustomerId id, PreferenceId preference);

  // kPermissionDenied when the note names a branch the principal may not use.
  Result<domain::Note> AddNote(const Principal& principal, CustomerId id, const std::string& text,
                               std::optional<BranchId> branch, bool pinned);
  Result<std::vector<domain::Note>> ListNotes(const Principal& principal, CustomerId id);
  Status PinNote(const Principal& principal, CustomerId id, NoteId note, bool pinned);

  // The stage of `customer` now.
  domain::LifecycleStage StageOf(const domain::Customer& customer) const;

 private:
  Status ApplyDraft(const domain::CustomerDraft& draft, domain::Customer& customer) const;

  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
