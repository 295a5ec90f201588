#include "app/customer_service.h"

#include <fmt/format.h>

#include <algorithm>

#include "domain/korean_text.h"
#include "domain/phone.h"
#include "store/access_log_repository.h"
#include "store/customer_repository.h"
#include "store/customer_row_repository.h"
#include "store/kiosk_repository.h"
#include "store/read_latest.h"
#include "store/loyalty_repository.h"
#include "store/note_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxTextBytes = 2000;
constexpr size_t kMaxTags = 50;

Result<std::string> CleanText(const std::string& text, const char* field, size_t max_bytes) {
  auto normalized = domain::NormalizeText(text);
  if (!normalized.ok()) return InvalidArgument("must be valid UTF-8 text", field);
  if (normalized->size() > max_bytes) {
    return InvalidArgument(fmt::format("must be at most {} bytes", max_bytes), field);
  }
  if (domain::HasControlCharacter(*normalized)) return InvalidArgument("must not hold control characters", field);
  return std::move(normalized).value();
}

Result<std::string> CleanEmail(const std::string& text) {
  CRM_ASSIGN_OR_RETURN(std::string email, CleanText(text, "email", 254));
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (email.empty()) return email;
  const size_t at = email.find('@');
  const bool valid = at != std::string::npos && at > 0 && email.find('@', at + 1) == std::string::npos &&
                     email.find('.', at) != std::string::npos && email.back() != '.' &&
                     email.find(' ') == std::string::npos;
  if (!valid) return InvalidArgument("is not an e-mail address", "email");
  return email;
}

void AppendAccess(store::Transaction& tx, const Principal& principal, CustomerId customer,
                  domain::AccessAction action, Timestamp at, std::string detail, Status* status) {
  domain::AccessLogEntry entry;
  entry.business_id = principal.business_id;
  entry.at = at;
  entry.staff_id = principal.staff_id;
  entry.token_id = principal.token_id;
  entry.customer_id = customer;
  entry.action = action;
  entry.ip = principal.ip;
  entry.detail = std::move(detail);
  *status = tx.access_log().Append(entry);
}

}  // namespace

CustomerService::CustomerService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

domain::LifecycleStage CustomerService::StageOf(const domain::Customer& customer) const {
  return domain::ComputeStage(customer.stats, clock_.Now());
}

Status CustomerService::ApplyDraft(const domain::CustomerDraft& draft, domain::Customer& customer) const {
  if (draft.name) {
    CRM_ASSIGN_OR_RETURN(customer.name, CleanText(*draft.name, "name", kMaxNameBytes));
    const domain::NameParts parts = domain::SplitName(customer.name);
    customer.family_name = parts.family;
    customer.given_name = parts.given;
  }
  if (draft.phone) {
    if (draft.phone->empty()) {
      customer.phone_e164.clear();
    } else {
      CRM_ASSIGN_OR_RETURN(auto phone, domain::ParsePhone(*draft.phone));
      customer.phone_e164 = phone.e164;
    }
  }
  if (draft.email) {
    CRM_ASSIGN_OR_RETURN(customer.email, CleanEmail(*draft.email));
  }
  if (draft.birthday) {
    if (*draft.birthday && !(*draft.birthday)->date.IsValid()) {
      return InvalidArgument("is not a calendar date", "birthday");
    }
    customer.birthday = *draft.birthday;
  }
  if (draft.gender) customer.gender = *draft.gender;
  if (draft.anniversaries) {
    customer.anniversaries.clear();
    for (size_t i = 0; i < draft.anniversaries->size(); ++i) {
      domain::Anniversary anniversary = (*draft.anniversaries)[i];
      const std::string field = fmt::format("anniversaries[{}]", i);
      if (!anniversary.date.IsValid()) return InvalidArgument("is not a calendar date", field + ".date");
      CRM_ASSIGN_OR_RETURN(anniversary.label, CleanText(anniversary.label, "anniversaries.label", kMaxNameBytes));
      customer.anniversaries.push_back(std::move(anniversary));
    }
  }
  if (draft.tags) {
    if (draft.tags->size() > kMaxTags) return InvalidArgument("too many tags", "tags");
    customer.tags.clear();
    for (const std::string& raw : *draft.tags) {
      CRM_ASSIGN_OR_RETURN(std::string tag, CleanText(raw, "tags", 100));
      if (tag.empty()) return InvalidArgument("a tag cannot be empty", "tags");
      if (std::find(customer.tags.begin(), customer.tags.end(), tag) == customer.tags.end()) {
        customer.tags.push_back(std::move(tag));
      }
    }
  }
  if (draft.source) customer.source = *draft.source;
  if (draft.referrer_id) customer.referrer_id = *draft.referrer_id;
  if (draft.address) {
    CRM_ASSIGN_OR_RETURN(customer.address, CleanText(*draft.address, "address", kMaxTextBytes));
  }
  customer.consents.clear();  // only the new decisions are written; stored ones stay
  for (domain::Consent consent : draft.consents) {
    CRM_ASSIGN_OR_RETURN(consent.source, CleanText(consent.source, "consents.source", 100));
    if (consent.source.empty()) return InvalidArgument("consent needs a source", "consents.source");
    consent.at = clock_.Now();
    customer.consents.push_back(std::move(consent));
  }
  return Status::Ok();
}

Result<domain::Customer> CustomerService::Create(const Principal& principal, const domain::CustomerDraft& draft) {
  domain::Customer customer;
  customer.business_id = principal.business_id;
  CRM_RETURN_IF_ERROR(ApplyDraft(draft, customer));
  if (customer.name.empty() && customer.phone_e164.empty()) {
    return InvalidArgument("a customer needs a name or a phone number", "phone");
  }
  customer.created_at = customer.updated_at = clock_.Now();
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    if (customer.referrer_id) CRM_RETURN_IF_ERROR(tx.customers().Get(principal.business_id, *customer.referrer_id).status());
    CRM_ASSIGN_OR_RETURN(customer.id, tx.customers().Insert(customer));
    for (const domain::Agreement& agreement : draft.agreements) {
      CRM_RETURN_IF_ERROR(tx.kiosk().AddAgreement(principal.business_id, customer.id, agreement));
    }
    customer.agreements = draft.agreements;
    Status logged;
    AppendAccess(tx, principal, customer.id, domain::AccessAction::kCreate, customer.created_at, "", &logged);
    return logged;
  }));
  return customer;
}

Result<domain::Customer> CustomerService::Update(const Principal& principal, CustomerId id,
                                                 const domain::CustomerDraft& draft) {
  domain::Customer updated;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(updated, tx.customers().Get(principal.business_id, id));
    CRM_RETURN_IF_ERROR(ApplyDraft(draft, updated));
    if (updated.referrer_id) {
      if (*updated.referrer_id == id) return InvalidArgument("a customer cannot refer themselves", "referrer_id");
      auto referrer = tx.customers().Get(principal.business_id, *updated.referrer_id);
      if (!referrer.ok()) return InvalidArgument("referrer is not a customer of this business", "referrer_id");
    }
    updated.updated_at = clock_.Now();
    CRM_RETURN_IF_ERROR(tx.customers().Update(updated));
    Status logged;
    AppendAccess(tx, principal, id, domain::AccessAction::kUpdate, updated.updated_at, "", &logged);
    CRM_RETURN_IF_ERROR(logged);
    CRM_ASSIGN_OR_RETURN(updated, tx.customers().Get(principal.business_id, id));
    return Status::Ok();
  }));
  return updated;
}

Result<domain::Customer> CustomerService::Get(const Principal& principal, CustomerId id) {
  CRM_ASSIGN_OR_RETURN(
      domain::Customer customer,
      store::ReadValue<domain::Customer>(database_, [&](store::Transaction& tx) -> Result<domain::Customer> {
        CRM_ASSIGN_OR_RETURN(domain::Customer found, tx.customers().Get(principal.business_id, id));
        CRM_ASSIGN_OR_RETURN(found.agreements, tx.kiosk().Agreements(principal.business_id, id));
        return found;
      }));
  // The view is logged before the profile is answered: no log line, no profile.
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    Status logged;
    AppendAccess(tx, principal, id, domain::AccessAction::kViewProfile, clock_.Now(), "", &logged);
    return logged;
  }));
  return customer;
}

Result<store::LookupQuery> CustomerService::SearchFor(const std::string& raw_query, std::string* matched_by) {
  auto normalized = domain::NormalizeText(raw_query);
  if (!normalized.ok() || normalized->empty()) return InvalidArgument("enter digits, a phone number or a name", "q");
  const std::string& query = *normalized;
  store::LookupQuery lookup;
  const std::string digits = domain::PhoneDigits(query);
  if (!digits.empty()) {
    if (digits.size() == 4) {
      lookup.kind = store::LookupKind::kLast4;
      lookup.value = digits;
      *matched_by = "last4";
    } else {
      auto phone = domain::ParsePhone(query);
      if (!phone.ok()) return InvalidArgument("enter the last 4 digits or a whole phone number", "q");
      lookup.kind = store::LookupKind::kPhone;
      lookup.value = phone->e164;
      *matched_by = "phone";
    }
  } else if (domain::IsInitialConsonantQuery(query)) {
    lookup.kind = store::LookupKind::kInitialsPrefix;
    lookup.value = domain::InitialConsonantKey(query);
    *matched_by = "initials";
  } else {
    lookup.kind = store::LookupKind::kNamePrefix;
    lookup.value = domain::NameSearchKey(query);
    *matched_by = "name";
    if (lookup.value.empty()) return InvalidArgument("enter digits, a phone number or a name", "q");
  }
  return lookup;
}

Result<LookupResult> CustomerService::Lookup(const Principal& principal, const std::string& raw_query, int limit) {
  LookupResult result;
  CRM_ASSIGN_OR_RETURN(store::LookupQuery lookup, SearchFor(raw_query, &result.matched_by));
  lookup.limit = std::clamp(limit, 1, 50);
  const Timestamp now = clock_.Now();
  // One statement on PostgreSQL, so it needs no transaction block of its own (store/read_latest.h).
  CRM_RETURN_IF_ERROR(store::ReadLatest(database_, [&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(store::LookupHits found,
                         store::CustomerRowRepository(tx.connection()).LookupWithAlerts(principal.business_id, lookup));
    const auto& customers = found.customers;
    const auto& alerts = found.alerts;
    for (const auto& customer : customers) {
      LookupHit hit;
      hit.id = customer.id;
      hit.masked_name = domain::MaskName(customer.name);
      hit.masked_phone = domain::MaskPhone(customer.phone_e164);
      hit.last_visit_at = customer.stats.last_visit_at;
      hit.visit_count = customer.stats.visit_count;
      hit.stage = domain::ComputeStage(customer.stats, now);
      for (const auto& [owner, preference] : alerts) {
        if (owner == customer.id) hit.alerts.push_back(preference);
      }
      result.hits.push_back(std::move(hit));
    }
    return Status::Ok();
  }));
  return result;
}

Result<store::CustomerFilter> CustomerService::FilterFor(store::Transaction& tx, BusinessId business,
                                                         const CustomerQuery& query, Timestamp now) {
  store::CustomerFilter filter;
  filter.as_of = now;
  if (query.tag) {
    auto normalized = domain::NormalizeText(*query.tag);
    if (!normalized.ok() || normalized->empty()) return InvalidArgument("must be a non-empty tag", "tag");
    filter.tag = std::move(normalized).value();
  }
  if (query.tier) {
    CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(business));
    const int count = program ? static_cast<int>(program->tiers.size()) : 0;
    for (int index = 0; index < count && !filter.tier_min; ++index) {
      if (program->tiers[static_cast<size_t>(index)].name != *query.tier) continue;
      filter.tier_min = index;
      // An index past the last tier reads as the last one (as the profile shows it).
      if (index + 1 < count) filter.tier_max = index;
    }
    if (!filter.tier_min) return InvalidArgument("is not a tier of the loyalty program", "tier");
  }
  if (query.visits_min && query.visits_max && *query.visits_min > *query.visits_max) {
    return InvalidArgument("must not be above visits_max", "visits_min");
  }
  if (query.spend_min && query.spend_max && *query.spend_min > *query.spend_max) {
    return InvalidArgument("must not be above spend_max", "spend_min");
  }
  if (query.last_visit_before && query.last_visit_after && *query.last_visit_after >= *query.last_visit_before) {
    return InvalidArgument("must be before last_visit_before", "last_visit_after");
  }
  if (query.text) {
    std::string matched_by;
    CRM_ASSIGN_OR_RETURN(filter.search, SearchFor(*query.text, &matched_by));
  }
  filter.stage = query.stage;
  filter.consent = query.consent;
  filter.visits_min = query.visits_min;
  filter.visits_max = query.visits_max;
  filter.spend_min = query.spend_min;
  filter.spend_max = query.spend_max;
  filter.last_visit_before = query.last_visit_before;
  filter.last_visit_after = query.last_visit_after;
  return filter;
}

Result<CustomerPage> CustomerService::List(const Principal& principal, std::optional<CustomerId> after, int limit,
                                           const CustomerQuery& query) {
  const int page_size = std::clamp(limit, 1, 200);
  CustomerPage page;
  CRM_ASSIGN_OR_RETURN(page.customers, store::ReadValue<std::vector<domain::Customer>>(
                                           database_, [&](store::Transaction& tx)
                                                          -> Result<std::vector<domain::Customer>> {
                                             CRM_ASSIGN_OR_RETURN(store::CustomerFilter filter,
                                                                  FilterFor(tx, principal.business_id, query,
                                                                            clock_.Now()));
                                             filter.after = after;
                                             filter.limit = page_size + 1;  // one more: is there a next page
                                             return tx.customers().List(principal.business_id, filter);
                                           }));
  if (static_cast<int>(page.customers.size()) == page_size + 1) {
    page.customers.pop_back();
    page.next_cursor = page.customers.back().id;
  }
  return page;
}

Result<CustomerSortedPage> CustomerService::ListSorted(const Principal& principal, const CustomerQuery& query,
                                                       CustomerOrder order, int64_t offset, int limit) {
  return store::ReadValue<CustomerSortedPage>(database_, [&](store::Transaction& tx) -> Result<CustomerSortedPage> {
    CRM_ASSIGN_OR_RETURN(store::CustomerFilter filter, FilterFor(tx, principal.business_id, query, clock_.Now()));
    filter.limit = std::clamp(limit, 1, 200);
    CRM_ASSIGN_OR_RETURN(store::CustomerListPage page, tx.customers().SortedPage(principal.business_id, filter,
                                                                                 order.sort, order.direction, offset));
    CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(principal.business_id));
    CustomerSortedPage result;
    result.total = page.total;
    for (store::CustomerListRow& row : page.rows) {
      CustomerListEntry entry{std::move(row.customer), row.points, ""};
      if (program && !program->tiers.empty()) {
        // An index past the last tier reads as the last one (as the profile shows it).
        const size_t index = std::min(static_cast<size_t>(std::max<int64_t>(row.tier_index, 0)),
                                      program->tiers.size() - 1);
        entry.tier = program->tiers[index].name;
      }
      result.entries.push_back(std::move(entry));
    }
    return result;
  });
}

Result<int64_t> CustomerService::AddTag(const Principal& principal, const std::vector<CustomerId>& ids,
                                        const std::string& raw_tag) {
  CRM_ASSIGN_OR_RETURN(std::string tag, CleanText(raw_tag, "tag", kMaxNameBytes));
  if (tag.empty()) return InvalidArgument("must be a non-empty tag", "tag");
  if (ids.empty() || ids.size() > 1000) return InvalidArgument("must list 1 to 1000 customers", "customer_ids");
  return store::WriteValue<int64_t>(database_, [&](store::Transaction& tx) -> Result<int64_t> {
    CRM_ASSIGN_OR_RETURN(int64_t added, tx.customers().AddTag(principal.business_id, ids, tag));
    if (added == 0) return added;
    domain::AccessLogEntry entry;
    entry.business_id = principal.business_id;
    entry.at = clock_.Now();
    entry.staff_id = principal.staff_id;
    entry.token_id = principal.token_id;
    entry.action = domain::AccessAction::kUpdate;
    entry.ip = principal.ip;
    entry.detail = fmt::format("tag added to {} customers", added);
    CRM_RETURN_IF_ERROR(tx.access_log().Append(entry));
    return added;
  });
}

Result<std::map<CustomerId, std::string>> CustomerService::MaskedNames(const Principal& principal,
                                                                        std::vector<CustomerId> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  using Names = std::vector<std::pair<CustomerId, std::string>>;
  CRM_ASSIGN_OR_RETURN(Names names, store::ReadValue<Names>(database_, [&](store::Transaction& tx) {
                         return tx.customers().Names(principal.business_id, ids);
                       }));
  std::map<CustomerId, std::string> masked;
  for (const auto& [id, name] : names) masked[id] = domain::MaskName(name);
  return masked;
}

Status CustomerService::RecordListRead(const Principal& principal, std::string_view what, size_t shown,
                                       PersonalData personal_data) {
  if (shown == 0) return Status::Ok();
  domain::AccessLogEntry entry;
  entry.business_id = principal.business_id;
  entry.at = clock_.Now();
  entry.staff_id = principal.staff_id;
  entry.token_id = principal.token_id;
  entry.action = domain::AccessAction::kList;
  entry.ip = principal.ip;
  entry.detail = fmt::format("{}: {} customers, {}", what, shown,
                             personal_data == PersonalData::kShown ? "unmasked" : "masked");
  return database_.Write([&](store::Transaction& tx) { return tx.access_log().Append(entry); });
}

Result<domain::Preference> CustomerService::AddPreference(const Principal& principal, CustomerId id,
                                                          domain::PreferenceKind kind, const std::string& subject) {
  domain::Preference preference;
  preference.kind = kind;
  CRM_ASSIGN_OR_RETURN(preference.subject, CleanText(subject, "subject", kMaxNameBytes));
  if (preference.subject.empty()) return InvalidArgument("subject is required", "subject");
  preference.created_at = clock_.Now();
  if (principal.staff_id) preference.created_by = *principal.staff_id;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    // A merged profile's row is still there for its foreign keys; it takes nothing new.
    CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, id));
    if (!exists) return NotFound("customer not found");
    CRM_ASSIGN_OR_RETURN(preference.id, tx.customers().AddPreference(principal.business_id, id, preference));
    return Status::Ok();
  }));
  return preference;
}

Status CustomerService::DeletePreference(const Principal& principal, CustomerId id, PreferenceId preference) {
  return database_.Write([&](store::Transaction& tx) {
    return tx.customers().DeletePreference(principal.business_id, id, preference);
  });
}

Result<domain::Note> CustomerService::AddNote(const Principal& principal, CustomerId id, const std::string& text,
                                              std::optional<BranchId> branch, bool pinned) {
  domain::Note note;
  CRM_ASSIGN_OR_RETURN(note.text, CleanText(text, "text", kMaxTextBytes));
  if (note.text.empty()) return InvalidArgument("a note needs text", "text");
  if (branch && !principal.CanAccessBranch(*branch)) return PermissionDenied("no access to this branch");
  note.customer_id = id;
  if (principal.staff_id) note.author_id = *principal.staff_id;
  if (branch) note.branch_id = *branch;
  note.pinned = pinned;
  note.created_at = clock_.Now();
  return store::WriteValue<domain::Note>(database_, [&](store::Transaction& tx) -> Result<domain::Note> {
    CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, id));
    if (!exists) return NotFound("customer not found");
    return tx.notes().Add(principal.business_id, note);
  });
}

Result<std::vector<domain::Note>> CustomerService::ListNotes(const Principal& principal, CustomerId id) {
  return store::ReadValue<std::vector<domain::Note>>(database_, [&](store::Transaction& tx)
                                                                    -> Result<std::vector<domain::Note>> {
    CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, id));
    if (!exists) return NotFound("customer not found");
    return tx.notes().List(principal.business_id, id);
  });
}

Status CustomerService::PinNote(const Principal& principal, CustomerId id, NoteId note, bool pinned) {
  return database_.Write([&](store::Transaction& tx) {
    return tx.notes().SetPinned(principal.business_id, id, note, pinned);
  });
}

}  // namespace crm::app
