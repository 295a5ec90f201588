// ImportWriter: writes the clean records of one import through the transaction's repositories,
// finding what exists first (customers by their number in the other system, phone or e-mail;
// orders by invoice number), keeping a shared phone as the policy says, and folding orders into
// the customers' visit statistics. Internal to ImportService. Not thread-safe; lives for one
// transaction.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "app/import_history.h"
#include "app/import_service.h"
#include "domain/korean_text.h"
#include "importing/cleanser.h"
#include "importing/fingerprint.h"
#include "store/customer_repository.h"
#include "store/import_repository.h"
#include "store/order_repository.h"
#include "store/transaction.h"

namespace crm::app::import_internal {

using importing::CustomerRecord;
using importing::OrderRecord;

inline constexpr int64_t kYearMicros = 365LL * 86400 * 1'000'000;

// What the writer needs to know besides the records.
struct WriteSettings {
  BusinessId business;
  BranchId branch;
  std::string source;
  importing::ImportKind kind = importing::ImportKind::kCustomers;
  Timestamp now;
  SharedPhonePolicy shared_phone = SharedPhonePolicy::kAuto;
};

// The key a customer without phone, e-mail or number is remembered by, so that importing the
// same list again finds them: the fingerprint of what the file says about them.
inline std::string ContentKey(const CustomerRecord& record) {
  importing::Fingerprint fingerprint;
  fingerprint.AddFields({record.name, record.birthday ? record.birthday->ToString() : "", record.address});
  return "row-" + fingerprint.Hex();
}

// Fills the profile's empty fields from the record; returns whether anything changed.
inline bool FillEmptyFields(const CustomerRecord& record, domain::Customer& customer) {
  bool changed = false;
  auto fill = [&changed](std::string& field, const std::string& value) {
    if (field.empty() && !value.empty()) {
      field = value;
      changed = true;
    }
  };
  if (customer.name.empty() && !record.name.empty()) {
    const domain::NameParts parts = domain::SplitName(record.name);
    customer.family_name = parts.family;
    customer.given_name = parts.given;
  }
  fill(customer.name, record.name);
  fill(customer.email, record.email);
  fill(customer.address, record.address);
  if (!customer.birthday && record.birthday) {
    customer.birthday = domain::Birthday{*record.birthday};
    changed = true;
  }
  if (customer.gender == domain::Gender::kUnspecified && record.gender != domain::Gender::kUnspecified) {
    customer.gender = record.gender;
    changed = true;
  }
  for (const std::string& tag : record.tags) {
    if (std::find(customer.tags.begin(), customer.tags.end(), tag) == customer.tags.end()) {
      customer.tags.push_back(tag);
      changed = true;
    }
  }
  return changed;
}

// The ids of the customers one run created, to tell them from customers who were there before.
// The database hands out ids in increasing order, mostly consecutive, so they are kept as runs of
// consecutive ids (a 1,000,000-row file is one run) rather than one hash-set node per customer,
// which grew the import's memory by about 40 bytes a row; an id out of order goes to a small set.
class CreatedIds {
 public:
  void Add(int64_t id) {
    if (!runs_.empty() && id == runs_.back().second) {
      ++runs_.back().second;
    } else if (runs_.empty() || id > runs_.back().second) {
      runs_.emplace_back(id, id + 1);
    } else if (!Contains(id)) {
      others_.insert(id);
    }
  }
  bool Contains(int64_t id) const {
    // The last run starting at or before `id`; runs are sorted and do not overlap.
    auto after = std::upper_bound(runs_.begin(), runs_.end(), id,
                                  [](int64_t value, const std::pair<int64_t, int64_t>& run) { return value < run.first; });
    if (after != runs_.begin() && id < std::prev(after)->second) return true;
    return others_.count(id) > 0;
  }

 private:
  std::vector<std::pair<int64_t, int64_t>> runs_;  // [first, end) each, increasing
  std::unordered_set<int64_t> others_;
};

// Writes clean records through the transaction's repositories, finding what exists first.
// Not thread-safe; lives for one transaction.
class ImportWriter final : public importing::RecordSink {
 public:
  ImportWriter(store::Transaction& tx, WriteSettings settings, importing::ImportReport& report, ImportCounts& counts)
      : tx_(tx), imports_(tx.connection()), settings_(std::move(settings)), report_(report), counts_(counts) {}

  Status OnCustomer(CustomerRecord record) override {
    MatchedBy matched_by = MatchedBy::kNothing;
    CRM_ASSIGN_OR_RETURN(std::optional<CustomerId> existing, FindExisting(record, &matched_by));
    if (!existing) {
      CRM_ASSIGN_OR_RETURN(const CustomerId created, Create(record));
      return ApplyCustomerHistory(tx_, History(), created, record, report_);
    }
    if (matched_by == MatchedBy::kPhone) {
      CRM_ASSIGN_OR_RETURN(const bool shared, SharePhone(*existing, record));
      if (shared) return Status::Ok();
    }
    if (created_.Contains(existing->value())) {
      report_.Add({record.row, "", importing::IssueCode::kSameCustomerInFile,
                   "the same phone, e-mail or number as an earlier row: merged into it"});
    } else if (matched_by == MatchedBy::kPhone || matched_by == MatchedBy::kEmail) {
      // Only an exact phone or e-mail merges into a customer who was there before the import;
      // the owner sees each such merge in the report.
      report_.Add({record.row, matched_by == MatchedBy::kPhone ? "phone" : "email",
                   importing::IssueCode::kMergedIntoExisting,
                   fmt::format("the same {} as customer {}: merged into it (only empty fields filled)",
                               matched_by == MatchedBy::kPhone ? "phone" : "e-mail", existing->value())});
    }
    CRM_RETURN_IF_ERROR(Merge(*existing, record));
    return ApplyCustomerHistory(tx_, History(), *existing, record, report_);
  }

  Status OnOrder(OrderRecord record) override {
    CRM_ASSIGN_OR_RETURN(bool existing,
                         tx_.orders().ExistsByExternalId(settings_.business, settings_.source, record.external_id));
    if (existing) {
      ++counts_.orders_existing;
      return Status::Ok();
    }
    std::optional<CustomerId> customer;
    if (record.customer.HasKey()) {
      CRM_ASSIGN_OR_RETURN(customer, ResolveOrderCustomer(record.customer));
    }
    domain::Order order;
    order.business_id = settings_.business;
    order.branch_id = settings_.branch;
    order.customer_id = customer;
    order.kind = record.kind;
    order.ordered_at = record.ordered_at;
    order.total = record.total;
    order.channel = domain::OrderChannel::kImport;
    order.external_source = settings_.source;
    order.external_id = record.external_id;
    order.lines = std::move(record.lines);
    order.created_at = settings_.now;
    bool cancels_visit = false;
    if (order.kind == domain::OrderKind::kRefund) CRM_RETURN_IF_ERROR(LinkRefund(record, order, cancels_visit));
    CRM_ASSIGN_OR_RETURN(order.id, tx_.orders().Insert(order));
    ++counts_.orders_created;
    counts_.refunds_created += order.kind == domain::OrderKind::kRefund;
    if (customer) CRM_RETURN_IF_ERROR(FoldStats(order, cancels_visit));
    return Status::Ok();
  }

  Status OnWriteOff(importing::WriteOffRecord record) override {
    importing::Fingerprint fingerprint;
    fingerprint.AddFields({record.external_id, record.line.category, record.line.product,
                           std::to_string(record.line.quantity), std::to_string(record.at.micros())});
    store::StockWriteOff write_off{settings_.branch,         settings_.source,        record.external_id,
                                   fingerprint.Hex(),        record.line.product,     record.line.category,
                                   record.line.quantity,     record.at,               settings_.now};
    CRM_ASSIGN_OR_RETURN(bool added, imports_.AddWriteOff(settings_.business, write_off));
    ++(added ? counts_.write_offs_created : counts_.write_offs_existing);
    return Status::Ok();
  }

  // Saves the visit statistics of every customer the orders touched.
  Status Finish() {
    for (auto& [id, stats] : stats_) {
      const CustomerId customer(id);
      if (stats.last_visit_at) {
        CRM_ASSIGN_OR_RETURN(stats.visits_last_year,
                             tx_.orders().CountSales(settings_.business, customer,
                                                     Timestamp::FromMicros(stats.last_visit_at->micros() - kYearMicros),
                                                     stats.last_visit_at->PlusSeconds(1)));
      }
      CRM_RETURN_IF_ERROR(tx_.customers().SaveStats(settings_.business, customer, stats, settings_.now));
    }
    return Status::Ok();
  }

 private:
  enum class MatchedBy { kNothing, kNumber, kPhone, kEmail, kContent };

  HistorySettings History() const { return {settings_.business, settings_.source, settings_.now}; }

  // "row 2 (김철수)" for a customer this run created, else "customer 17 (김철수)".
  std::string Describe(const domain::Customer& customer) const {
    const auto row = created_rows_.find(customer.id.value());
    if (row != created_rows_.end()) return fmt::format("row {} ({})", row->second, customer.name);
    return fmt::format("customer {} ({})", customer.id.value(), customer.name);
  }

  // A row with the phone of a customer of another name is another person on the same phone (a
  // family) or another name of the same person; merging would erase the name. Keeps it as the
  // policy says and reports both rows and names. Returns whether the row was handled here; false
  // when the names match or the policy is to merge (the caller merges).
  Result<bool> SharePhone(CustomerId holder_id, const CustomerRecord& record) {
    if (record.name.empty()) return false;
    const BusinessId business = settings_.business;
    CRM_ASSIGN_OR_RETURN(domain::Customer holder, tx_.customers().Get(business, holder_id));
    if (holder.name.empty() || domain::NameSearchKey(holder.name) == domain::NameSearchKey(record.name)) return false;
    const std::string shared = fmt::format("row {} ({}) has the phone of {}", record.row, record.name, Describe(holder));
    if (settings_.shared_phone == SharedPhonePolicy::kMerge) {
      report_.Add({record.row, "phone", importing::IssueCode::kSharedPhone,
                   shared + ": merged into it as asked; the name " + record.name + " is not kept"});
      return false;
    }
    if (settings_.shared_phone == SharedPhonePolicy::kAlias) {
      report_.Add({record.row, "phone", importing::IssueCode::kSharedPhone, shared + ": kept as another name of it"});
      CRM_RETURN_IF_ERROR(imports_.AddPhoneShare(
          business, {holder_id, holder_id, record.phone_e164, store::PhoneShareKind::kAlias, record.name, settings_.now}));
      CRM_RETURN_IF_ERROR(Merge(holder_id, record));
      CRM_RETURN_IF_ERROR(ApplyCustomerHistory(tx_, History(), holder_id, record, report_));
      return true;
    }
    report_.Add({record.row, "phone", importing::IssueCode::kSharedPhone,
                 shared + ": kept as a separate customer sharing the number (a family)"});
    CustomerRecord own = record;
    own.phone_e164.clear();  // phones are unique per business: the number stays with its first holder
    CRM_ASSIGN_OR_RETURN(auto shares, imports_.PhoneShares(business, record.phone_e164));
    for (const store::PhoneShare& share : shares) {
      if (share.kind != store::PhoneShareKind::kFamily) continue;
      CRM_ASSIGN_OR_RETURN(domain::Customer member, tx_.customers().Get(business, share.customer_id));
      if (domain::NameSearchKey(member.name) != domain::NameSearchKey(record.name)) continue;
      CRM_RETURN_IF_ERROR(Merge(member.id, own));
      CRM_RETURN_IF_ERROR(ApplyCustomerHistory(tx_, History(), member.id, record, report_));
      return true;
    }
    CRM_ASSIGN_OR_RETURN(const CustomerId member, Create(own));
    CRM_RETURN_IF_ERROR(imports_.AddPhoneShare(
        business, {member, holder_id, record.phone_e164, store::PhoneShareKind::kFamily, "", settings_.now}));
    CRM_RETURN_IF_ERROR(ApplyCustomerHistory(tx_, History(), member, record, report_));
    return true;
  }

  Result<std::optional<CustomerId>> FindExisting(const CustomerRecord& record, MatchedBy* matched_by = nullptr) {
    const BusinessId business = settings_.business;
    MatchedBy ignored = MatchedBy::kNothing;
    MatchedBy& how = matched_by != nullptr ? *matched_by : ignored;
    if (!record.external_id.empty()) {
      CRM_ASSIGN_OR_RETURN(auto found, imports_.FindCustomer(business, settings_.source, record.external_id));
      how = MatchedBy::kNumber;
      if (found) return found;
    }
    if (!record.phone_e164.empty()) {
      CRM_ASSIGN_OR_RETURN(auto found, tx_.customers().FindByPhone(business, record.phone_e164));
      how = MatchedBy::kPhone;
      if (found) return found;
    }
    if (!record.email.empty()) {
      CRM_ASSIGN_OR_RETURN(auto found, imports_.FindCustomerByEmail(business, record.email));
      how = MatchedBy::kEmail;
      if (found) return found;
    }
    how = MatchedBy::kContent;
    if (!record.HasKey()) return imports_.FindCustomer(business, settings_.source, ContentKey(record));
    return std::optional<CustomerId>();
  }

  Result<CustomerId> Create(const CustomerRecord& record) {
    domain::Customer customer;
    customer.business_id = settings_.business;
    customer.phone_e164 = record.phone_e164;
    customer.source = domain::SourceChannel::kImport;
    customer.created_at = record.joined_at.value_or(settings_.now);
    customer.updated_at = settings_.now;
    FillEmptyFields(record, customer);
    CRM_ASSIGN_OR_RETURN(customer.id, tx_.customers().Insert(customer));
    const std::string key = !record.external_id.empty() ? record.external_id
                            : record.HasKey()           ? std::string()
                                                        : ContentKey(record);
    if (!key.empty()) CRM_RETURN_IF_ERROR(imports_.LinkCustomer(settings_.business, settings_.source, key, customer.id));
    created_.Add(customer.id.value());
    // Only a customer with a phone can be named as the holder of a shared phone.
    if (!customer.phone_e164.empty()) created_rows_.emplace(customer.id.value(), record.row);
    ++counts_.customers_created;
    return customer.id;
  }

  Status Merge(CustomerId id, const CustomerRecord& record) {
    CRM_ASSIGN_OR_RETURN(domain::Customer customer, tx_.customers().Get(settings_.business, id));
    bool changed = FillEmptyFields(record, customer);
    if (customer.phone_e164.empty() && !record.phone_e164.empty()) {
      CRM_ASSIGN_OR_RETURN(auto holder, tx_.customers().FindByPhone(settings_.business, record.phone_e164));
      if (!holder) {
        customer.phone_e164 = record.phone_e164;
        changed = true;
      }
    }
    if (!record.external_id.empty()) {
      CRM_ASSIGN_OR_RETURN(auto linked, imports_.FindCustomer(settings_.business, settings_.source, record.external_id));
      if (!linked) CRM_RETURN_IF_ERROR(imports_.LinkCustomer(settings_.business, settings_.source, record.external_id, id));
    }
    if (!changed) {
      counts_.customers_unchanged += !created_.Contains(id.value());
      return Status::Ok();
    }
    customer.updated_at = settings_.now;
    CRM_RETURN_IF_ERROR(tx_.customers().Update(customer));
    counts_.customers_updated += !created_.Contains(id.value());
    return Status::Ok();
  }

  // The customer of an order: found or created once per run, then taken from the cache.
  Result<CustomerId> ResolveOrderCustomer(const CustomerRecord& record) {
    const std::string key = record.external_id + "\x1F" + record.phone_e164 + "\x1F" + record.email;
    if (const auto cached = order_customers_.find(key); cached != order_customers_.end()) {
      return CustomerId(cached->second);
    }
    CRM_ASSIGN_OR_RETURN(std::optional<CustomerId> existing, FindExisting(record));
    CustomerId id;
    if (existing) {
      id = *existing;
      CRM_RETURN_IF_ERROR(Merge(id, record));
    } else {
      CRM_ASSIGN_OR_RETURN(id, Create(record));
    }
    order_customers_[key] = id.value();
    return id;
  }

  // Ties a refund to its sale when the sale is this customer's and has enough left to refund.
  Status LinkRefund(const OrderRecord& record, domain::Order& refund, bool& cancels_visit) {
    if (record.original_external_id.empty()) return Status::Ok();
    CRM_ASSIGN_OR_RETURN(auto original, tx_.orders().FindByExternalId(settings_.business, settings_.source,
                                                                      record.original_external_id));
    if (!original || original->kind != domain::OrderKind::kSale || original->customer_id != refund.customer_id) {
      return Status::Ok();
    }
    CRM_ASSIGN_OR_RETURN(Money refunded, tx_.orders().RefundedTotal(settings_.business, original->id));
    if (!domain::ValidateRefund(*original, refunded, -refund.total).ok()) return Status::Ok();
    refund.original_order_id = original->id;
    cancels_visit = refunded - refund.total == original->total;
    ++counts_.refunds_linked;
    return Status::Ok();
  }

  Status FoldStats(const domain::Order& order, bool cancels_visit) {
    const int64_t id = order.customer_id->value();
    auto found = stats_.find(id);
    if (found == stats_.end()) {
      CRM_ASSIGN_OR_RETURN(domain::Customer customer, tx_.customers().Get(settings_.business, *order.customer_id));
      found = stats_.emplace(id, customer.stats).first;
    }
    found->second = order.kind == domain::OrderKind::kSale ? domain::ApplySale(found->second, order, 0)
                                                           : domain::ApplyRefund(found->second, -order.total, cancels_visit);
    return Status::Ok();
  }

  store::Transaction& tx_;
  store::ImportRepository imports_;
  WriteSettings settings_;
  importing::ImportReport& report_;
  ImportCounts& counts_;
  CreatedIds created_;
  std::unordered_map<int64_t, int64_t> created_rows_;  // customer id → the row that created it
  std::unordered_map<std::string, int64_t> order_customers_;
  std::unordered_map<int64_t, domain::VisitStats> stats_;
};

}  // namespace crm::app::import_internal
