#include "app/import_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "domain/korean_text.h"
#include "importing/cleanser.h"
#include "importing/csv_writer.h"
#include "importing/fingerprint.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/order_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

using importing::CustomerRecord;
using importing::OrderRecord;

constexpr int64_t kYearMicros = 365LL * 86400 * 1'000'000;
constexpr int64_t kProgressEveryRows = 5000;

// What the writer needs to know besides the records.
struct WriteSettings {
  BusinessId business;
  BranchId branch;
  std::string source;
  importing::ImportKind kind = importing::ImportKind::kCustomers;
  Timestamp now;
};

// The key a customer without phone, e-mail or number is remembered by, so that importing the
// same list again finds them: the fingerprint of what the file says about them.
std::string ContentKey(const CustomerRecord& record) {
  importing::Fingerprint fingerprint;
  fingerprint.AddFields({record.name, record.birthday ? record.birthday->ToString() : "", record.address});
  return "row-" + fingerprint.Hex();
}

// Fills the profile's empty fields from the record; returns whether anything changed.
bool FillEmptyFields(const CustomerRecord& record, domain::Customer& customer) {
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
    if (!existing) return Create(record).status();
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
    return Merge(*existing, record);
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
  std::unordered_map<std::string, int64_t> order_customers_;
  std::unordered_map<int64_t, domain::VisitStats> stats_;
};

// The rejects file is held in memory beside the import: bounded, like everything an import holds.
constexpr size_t kMaxRejectsBytes = size_t{32} << 20;

std::string FieldsText(const std::vector<importing::Field>& fields) {
  std::string text;
  for (size_t i = 0; i < fields.size(); ++i) text += (i > 0 ? "," : "") + std::string(importing::FieldName(fields[i]));
  return text;
}

std::optional<std::vector<importing::Field>> ParseFieldsText(const std::string& text) {
  std::vector<importing::Field> fields;
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = std::min(text.find(',', start), text.size());
    auto field = importing::ParseField(std::string_view(text).substr(start, comma - start));
    if (!field) return std::nullopt;
    fields.push_back(*field);
    start = comma + 1;
  }
  return fields;
}

Result<std::string> HashInput(std::istream& input, int64_t* size) {
  importing::Fingerprint fingerprint;
  std::string buffer(1 << 16, '\0');
  *size = 0;
  while (input.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || input.gcount() > 0) {
    fingerprint.Add(std::string_view(buffer.data(), static_cast<size_t>(input.gcount())));
    *size += input.gcount();
  }
  if (input.bad()) return DataLoss("the file could not be read");
  input.clear();
  input.seekg(0);
  if (!input) return InvalidArgument("the file cannot be read twice", "file");
  return fingerprint.Hex();
}

// One pass over the file: cleanse every row, hand the records to the writer, collect rejects.
Status CleanseFile(std::istream& input, const ImportRequest& request, const importing::ColumnMapping& mapping,
                   int utc_offset_minutes, int64_t file_size, ImportWriter& writer, ImportOutcome& outcome) {
  input.clear();
  input.seekg(0);
  CRM_ASSIGN_OR_RETURN(importing::OpenedSource source, importing::OpenSource(input, request.source));
  importing::CleanseOptions options;
  options.kind = request.kind;
  options.currency_exponent = request.currency_exponent;
  options.utc_offset_minutes = utc_offset_minutes;
  importing::Cleanser cleanser(mapping, options, outcome.report);
  std::vector<std::string> rejects_header = mapping.headers;
  rejects_header.push_back("reason");
  outcome.rejects_csv = std::string(importing::kUtf8Bom) + importing::CsvLine(rejects_header);
  importing::Record record;
  int64_t row = 0;
  while (true) {
    CRM_ASSIGN_OR_RETURN(bool more, source.rows->Next(record));
    if (!more) break;
    CRM_ASSIGN_OR_RETURN(importing::RowOutcome result, cleanser.Add(record, ++row, writer));
    if (result.rejected && outcome.rejects_csv.size() < kMaxRejectsBytes) {
      record.fields.push_back(result.reason);
      outcome.rejects_csv += importing::CsvLine(record.fields);
    } else if (result.rejected) {
      outcome.rejects_truncated = true;
    }
    if (request.on_progress && row % kProgressEveryRows == 0) {
      const std::streamoff at = input.tellg();
      request.on_progress(ImportProgress{row, at < 0 ? file_size : static_cast<int64_t>(at), file_size});
    }
  }
  CRM_RETURN_IF_ERROR(cleanser.Finish(writer));
  if (request.on_progress) request.on_progress(ImportProgress{row, file_size, file_size});
  return writer.Finish();
}

}  // namespace

ImportService::ImportService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Result<ImportOutcome> ImportService::Import(const Principal& principal, std::istream& input,
                                            const ImportRequest& request) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp started = clock_.Now();
  ImportOutcome outcome;
  int64_t file_size = 0;
  CRM_ASSIGN_OR_RETURN(outcome.file_hash, HashInput(input, &file_size));
  CRM_ASSIGN_OR_RETURN(importing::OpenedSource source, importing::OpenSource(input, request.source));
  outcome.format = source.format;
  outcome.encoding = source.encoding;
  outcome.delimiter = source.delimiter;
  const int kind = static_cast<int>(request.kind);
  const std::string header_key = importing::HeaderKey(source.headers);

  WriteSettings settings{principal.business_id, BranchId(), request.source_name, request.kind, started};
  int utc_offset = 0;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::ImportRepository imports(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::Business business, tx.businesses().Get(principal.business_id));
    utc_offset = request.utc_offset_minutes.value_or(business.utc_offset_minutes);
    CRM_ASSIGN_OR_RETURN(auto branches, tx.branches().List(principal.business_id));
    if (request.branch) {
      CRM_RETURN_IF_ERROR(tx.branches().Get(principal.business_id, *request.branch).status());
      settings.branch = *request.branch;
    } else if (!branches.empty()) {
      settings.branch = branches.front().id;
    }
    CRM_ASSIGN_OR_RETURN(auto previous, imports.FindRunByHash(principal.business_id, kind, outcome.file_hash));
    if (previous) outcome.previous_run_id = previous->id;
    outcome.mapping = importing::GuessMapping(source.headers, request.kind);
    std::optional<std::vector<importing::Field>> fields = request.fields;
    if (!fields) {
      CRM_ASSIGN_OR_RETURN(auto remembered, imports.FindMapping(principal.business_id, kind, header_key));
      if (remembered) fields = ParseFieldsText(*remembered);
      if (fields && !importing::ValidateMapping({source.headers, *fields}, request.kind).ok()) fields.reset();
    }
    if (fields) outcome.mapping.fields = *fields;
    return Status::Ok();
  }));
  if (request.branch && !principal.CanAccessBranch(*request.branch)) return PermissionDenied("no access to this branch");
  CRM_RETURN_IF_ERROR(importing::ValidateMapping(outcome.mapping, request.kind));
  if (request.kind != importing::ImportKind::kCustomers && !settings.branch.valid()) {
    return FailedPrecondition("the business has no branch to put imported orders in", "branch").WithReason("no_branch");
  }

  // Ends the transaction without keeping anything: a dry run, or rejected rows in all-or-nothing mode.
  bool rolled_back = false;
  Status written = database_.Write([&](store::Transaction& tx) -> Status {
    outcome.report = importing::ImportReport();
    outcome.counts = ImportCounts();
    rolled_back = false;
    ImportWriter writer(tx, settings, outcome.report, outcome.counts);
    CRM_RETURN_IF_ERROR(CleanseFile(input, request, outcome.mapping, utc_offset, file_size, writer, outcome));
    const bool rejected = outcome.report.rows_rejected > 0 && request.mode == ImportMode::kAllOrNothing;
    if (request.action == ImportAction::kDryRun || rejected) {
      rolled_back = true;
      return FailedPrecondition("rolled back");
    }
    store::ImportRepository imports(tx.connection());
    CRM_RETURN_IF_ERROR(imports.SaveMapping(principal.business_id, kind, header_key, FieldsText(outcome.mapping.fields),
                                            started));
    store::ImportRun run{0, principal.business_id, kind, static_cast<int>(request.mode), outcome.file_hash,
                         request.source_name, outcome.report.rows_read, outcome.report.rows_rejected,
                         outcome.report.rows_skipped, outcome.counts.customers_created,
                         outcome.counts.customers_updated, outcome.counts.orders_created,
                         outcome.counts.orders_existing, started, clock_.Now()};
    CRM_ASSIGN_OR_RETURN(outcome.run_id, imports.InsertRun(run));
    return Status::Ok();
  });
  if (!written.ok() && !rolled_back) return written;
  outcome.committed = written.ok();
  if (request.mode != ImportMode::kValidRows) outcome.rejects_csv.clear();
  return outcome;
}

Result<std::vector<importing::DuplicateCandidate>> ImportService::FindDuplicates(const Principal& principal,
                                                                                int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  constexpr int kPage = 1000;
  importing::DuplicateFinder finder;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::CustomerFilter filter;
    filter.limit = kPage;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.customers().List(principal.business_id, filter));
      for (const domain::Customer& customer : page) {
        std::optional<Date> birthday;
        if (customer.birthday) birthday = customer.birthday->date;
        finder.Add({customer.id.value(), customer.name, customer.phone_e164, customer.email, birthday});
      }
      if (static_cast<int>(page.size()) < kPage) return Status::Ok();
      filter.after = page.back().id;
    }
  }));
  std::vector<importing::DuplicateCandidate> candidates = finder.Candidates();
  if (static_cast<int>(candidates.size()) > limit) candidates.resize(static_cast<size_t>(std::max(limit, 0)));
  return candidates;
}

Result<store::ImportRun> ImportService::GetRun(const Principal& principal, int64_t id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<store::ImportRun>(database_, [&](store::Transaction& tx) {
    return store::ImportRepository(tx.connection()).GetRun(principal.business_id, id);
  });
}

}  // namespace crm::app
