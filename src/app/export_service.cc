#include "app/export_service.h"

#include <fmt/format.h>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "app/reason_text.h"
#include "domain/korean_text.h"
#include "store/access_log_repository.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/loyalty_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/outbox_repository.h"
#include "store/staff_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int kPage = 1000;

using importing::Cell;

std::string TimeText(const std::optional<Timestamp>& time) { return time ? time->ToIso8601() : std::string(); }

std::vector<Cell> HeaderOf(std::initializer_list<const char*> names) {
  std::vector<Cell> header;
  for (const char* name : names) header.emplace_back(std::string(name));
  return header;
}

// The header's names are the import's own (name, phone, email, birthday, gender, tags), so an
// export can be imported again; the other columns are ignored by the import.
const std::vector<Cell> kCustomerHeader =
    HeaderOf({"id", "name", "phone", "email", "birthday", "gender", "tags", "source", "stage", "visit_count",
              "total_spend", "first_visit_at", "last_visit_at", "registered_at"});

std::vector<Cell> CustomerRow(const domain::Customer& customer, Masking masking, Timestamp now) {
  const bool masked = masking == Masking::kMasked;
  std::string tags;
  for (const std::string& tag : customer.tags) tags += (tags.empty() ? "" : ";") + tag;
  std::string gender;
  if (customer.gender == domain::Gender::kFemale || customer.gender == domain::Gender::kMale) {
    gender = domain::ToString(customer.gender);
  }
  std::string birthday;
  if (customer.birthday && !masked) birthday = customer.birthday->date.ToString();
  return {customer.id.value(),
          masked ? domain::MaskName(customer.name) : customer.name,
          masked && !customer.phone_e164.empty() ? domain::MaskPhone(customer.phone_e164) : customer.phone_e164,
          masked ? domain::MaskEmail(customer.email) : customer.email,
          birthday,
          gender,
          tags,
          std::string(domain::ToString(customer.source)),
          std::string(domain::ToString(domain::ComputeStage(customer.stats, now))),
          customer.stats.visit_count,
          customer.stats.total_spend.minor_units(),
          TimeText(customer.stats.first_visit_at),
          TimeText(customer.stats.last_visit_at),
          customer.created_at.ToIso8601()};
}

const std::vector<Cell> kOrderHeader =
    HeaderOf({"order_id", "ordered_at", "kind", "original_order_id", "branch_id", "customer_id", "total", "channel",
              "external_source", "external_id", "product", "category", "quantity", "unit_price"});

Cell OptionalCell(std::optional<int64_t> value) { return value ? Cell(*value) : Cell(std::string()); }

Status WriteOrder(const domain::Order& order, importing::TableWriter& writer) {
  std::vector<Cell> row = {
      order.id.value(),
      order.ordered_at.ToIso8601(),
      std::string(domain::ToString(order.kind)),
      OptionalCell(order.original_order_id ? std::optional<int64_t>(order.original_order_id->value()) : std::nullopt),
      order.branch_id.value(),
      OptionalCell(order.customer_id ? std::optional<int64_t>(order.customer_id->value()) : std::nullopt),
      order.total.minor_units(),
      std::string(domain::ToString(order.channel)),
      order.external_source,
      order.external_id};
  if (order.lines.empty()) {
    row.insert(row.end(), {std::string(), std::string(), std::string(), std::string()});
    return writer.AddRow(row);
  }
  const size_t fixed = row.size();
  for (const domain::OrderLine& line : order.lines) {
    row.resize(fixed);
    row.insert(row.end(), {line.product, line.category, line.quantity, line.unit_price.minor_units()});
    CRM_RETURN_IF_ERROR(writer.AddRow(row));
  }
  return Status::Ok();
}

}  // namespace

ExportService::ExportService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Status ExportService::LogExport(const Principal& principal, std::string detail, std::optional<CustomerId> customer) {
  domain::AccessLogEntry entry;
  entry.business_id = principal.business_id;
  entry.at = clock_.Now();
  entry.staff_id = principal.staff_id;
  entry.token_id = principal.token_id;
  entry.customer_id = customer;
  entry.action = domain::AccessAction::kExport;
  entry.ip = principal.ip;
  entry.detail = std::move(detail);
  return database_.Write([&](store::Transaction& tx) { return tx.access_log().Append(entry); });
}

Result<int64_t> ExportService::Customers(const Principal& principal, const CustomerQuery& query, Masking masking,
                                         std::string_view format, importing::TableWriter& writer) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  int64_t rows = 0;
  // A retried read starts the file again only if nothing was written yet; the writer cannot take
  // rows back, so a retry after rows fails instead of doubling them.
  bool started = false;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    if (started) return Aborted("the export was interrupted; start it again");
    CRM_ASSIGN_OR_RETURN(store::CustomerFilter filter,
                         CustomerService::FilterFor(tx, principal.business_id, query, now));
    filter.limit = kPage;
    started = true;
    CRM_RETURN_IF_ERROR(writer.AddRow(kCustomerHeader));
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.customers().List(principal.business_id, filter));
      for (const domain::Customer& customer : page) {
        CRM_RETURN_IF_ERROR(writer.AddRow(CustomerRow(customer, masking, now)));
        ++rows;
      }
      if (static_cast<int>(page.size()) < kPage) return Status::Ok();
      filter.after = page.back().id;
    }
  }));
  CRM_RETURN_IF_ERROR(writer.Finish());
  CRM_RETURN_IF_ERROR(LogExport(principal, fmt::format("customers {} rows={} masked={}", format, rows,
                                                       masking == Masking::kMasked ? "yes" : "no")));
  return rows;
}

Result<int64_t> ExportService::Segment(const Principal& principal, SegmentService& segments, SegmentId id,
                                       Masking masking, std::string_view format, importing::TableWriter& writer) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(domain::SavedSegment segment, segments.Get(principal, id));
  const Timestamp now = clock_.Now();
  constexpr int kSegmentPage = 500;  // SegmentService::Members' largest page
  int64_t rows = 0;
  std::optional<CustomerId> after;
  CRM_RETURN_IF_ERROR(writer.AddRow(kCustomerHeader));
  while (true) {
    CRM_ASSIGN_OR_RETURN(SegmentMembers page, segments.Members(principal, id, after, kSegmentPage));
    for (const SegmentMember& member : page.members) {
      CRM_RETURN_IF_ERROR(writer.AddRow(CustomerRow(member.customer, masking, now)));
      ++rows;
    }
    if (!page.next_cursor) break;
    after = page.next_cursor;
  }
  CRM_RETURN_IF_ERROR(writer.Finish());
  CRM_RETURN_IF_ERROR(LogExport(principal, fmt::format("segment {} customers {} rows={} masked={}", id.value(), format,
                                                       rows, masking == Masking::kMasked ? "yes" : "no")));
  return rows;
}

Result<int64_t> ExportService::Orders(const Principal& principal, const OrderExportQuery& query,
                                      std::string_view format, importing::TableWriter& writer) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (query.from && query.to && *query.from >= *query.to) return InvalidArgument("must be before to", "from");
  if (query.branch && !principal.CanAccessBranch(*query.branch)) return PermissionDenied("no access to this branch");
  if (!query.branch && !principal.branch_ids.empty()) {
    return PermissionDenied("a principal limited to some branches must name one (branch_id)");
  }
  int64_t orders = 0;
  bool started = false;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    if (started) return Aborted("the export was interrupted; start it again");
    if (query.branch) {
      Status branch = tx.branches().Get(principal.business_id, *query.branch).status();
      if (branch.code() == StatusCode::kNotFound) return NotFound("no such branch");
      CRM_RETURN_IF_ERROR(branch);
    }
    store::OrderRange range{query.from, query.to, query.branch, std::nullopt, kPage};
    started = true;
    CRM_RETURN_IF_ERROR(writer.AddRow(kOrderHeader));
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.orders().ListRange(principal.business_id, range));
      for (const domain::Order& order : page) {
        CRM_RETURN_IF_ERROR(WriteOrder(order, writer));
        ++orders;
      }
      if (static_cast<int>(page.size()) < kPage) return Status::Ok();
      range.after = page.back().id;
    }
  }));
  CRM_RETURN_IF_ERROR(writer.Finish());
  CRM_RETURN_IF_ERROR(LogExport(principal, fmt::format("orders {} rows={} masked=n/a", format, orders)));
  return orders;
}

const std::vector<Cell> kAccessLogHeader =
    HeaderOf({"id", "at", "staff_id", "staff_name", "token_id", "customer_id", "action", "ip", "detail"});

Result<int64_t> ExportService::AccessLog(const Principal& principal, const AccessLogExportQuery& query,
                                         std::string_view format, importing::TableWriter& writer) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  if (query.from >= query.to) return InvalidArgument("must be before to", "from");
  CRM_ASSIGN_OR_RETURN(std::string reason, CleanReason(query.reason));
  int64_t entries = 0;
  bool started = false;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    if (started) return Aborted("the export was interrupted; start it again");
    CRM_ASSIGN_OR_RETURN(std::vector<domain::Staff> staff, tx.staff().List(principal.business_id));
    std::map<int64_t, std::string> names;
    for (const domain::Staff& member : staff) names[member.id.value()] = member.display_name;
    started = true;
    CRM_RETURN_IF_ERROR(writer.AddRow(kAccessLogHeader));
    int64_t after = 0;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page,
                           tx.access_log().ListRange(principal.business_id, query.from, query.to, after, kPage));
      for (const domain::AccessLogEntry& e : page) {
        const int64_t staff_id = e.staff_id ? e.staff_id->value() : 0;
        auto name = names.find(staff_id);
        CRM_RETURN_IF_ERROR(writer.AddRow({e.id, e.at.ToIso8601(), e.staff_id ? Cell(staff_id) : Cell(std::string()),
                                           name != names.end() ? name->second : std::string(),
                                           e.token_id ? Cell(e.token_id->value()) : Cell(std::string()),
                                           e.customer_id ? Cell(e.customer_id->value()) : Cell(std::string()),
                                           std::string(domain::ToString(e.action)), e.ip, e.detail}));
        ++entries;
      }
      if (static_cast<int>(page.size()) < kPage) return Status::Ok();
      after = page.back().id;
    }
  }));
  CRM_RETURN_IF_ERROR(writer.Finish());
  CRM_RETURN_IF_ERROR(LogExport(principal, fmt::format("access log {} {}..{} rows={} reason: {}", format,
                                                       query.from.ToIso8601(), query.to.ToIso8601(), entries, reason)));
  return entries;
}

Result<CustomerRecord> ExportService::CustomerData(const Principal& principal, CustomerId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  CustomerRecord record;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    const BusinessId business = principal.business_id;
    record = CustomerRecord();
    CRM_ASSIGN_OR_RETURN(record.customer, tx.customers().Get(business, id));
    record.stage = domain::ComputeStage(record.customer.stats, now);
    CRM_ASSIGN_OR_RETURN(record.notes, tx.notes().List(business, id));
    std::optional<OrderId> before;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.orders().ListForCustomer(business, id, before, 200));
      for (domain::Order& order : page) record.orders.push_back(std::move(order));
      if (page.size() < 200) break;
      before = record.orders.back().id;
    }
    CRM_ASSIGN_OR_RETURN(record.account, tx.loyalty().GetAccount(business, id));
    CRM_ASSIGN_OR_RETURN(record.ledger, tx.loyalty().Entries(business, id));
    CRM_ASSIGN_OR_RETURN(record.tier_changes, tx.loyalty().TierChanges(business, id));
    CRM_ASSIGN_OR_RETURN(record.coupons, tx.coupons().ListForCustomer(business, id));
    CRM_ASSIGN_OR_RETURN(record.referred_by, tx.coupons().GetReferral(business, id));
    CRM_ASSIGN_OR_RETURN(record.referrals, tx.coupons().ReferralsBy(business, id));
    CRM_ASSIGN_OR_RETURN(record.gacha_draw, tx.coupons().GetGachaDraw(business, id));
    CRM_ASSIGN_OR_RETURN(record.consent_history, store::ConsentRepository(tx.connection()).History(business, id));
    store::OutboxRepository outbox(tx.connection());
    std::optional<MessageId> before_message;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page, outbox.ListForCustomer(business, id, 200, before_message));
      for (domain::OutboxMessage& message : page) record.messages.push_back(std::move(message));
      if (page.size() < 200) break;
      before_message = record.messages.back().id;
    }
    std::optional<int64_t> before_entry;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.access_log().List(business, id, before_entry, 500));
      for (domain::AccessLogEntry& entry : page) record.access_log.push_back(std::move(entry));
      if (page.size() < 500) break;
      before_entry = record.access_log.back().id;
    }
    return Status::Ok();
  }));
  CRM_RETURN_IF_ERROR(LogExport(principal, "customer data json", id));
  return record;
}

}  // namespace crm::app
