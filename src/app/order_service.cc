#include "app/order_service.h"

#include <algorithm>

#include <fmt/format.h>

#include "domain/korean_text.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/customer_row_repository.h"
#include "store/enclosing_write.h"
#include "store/order_repository.h"
#include "store/staff_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kYearSeconds = 365LL * 86400;
constexpr int64_t kMaxFutureSeconds = 86400;

Status CleanLines(domain::Order& order) {
  for (size_t i = 0; i < order.lines.size(); ++i) {
    auto product = domain::NormalizeText(order.lines[i].product);
    auto category = domain::NormalizeText(order.lines[i].category);
    if (!product.ok()) return InvalidArgument("must be valid UTF-8 text", "lines[" + std::to_string(i) + "].product");
    if (!category.ok()) return InvalidArgument("must be valid UTF-8 text", "lines[" + std::to_string(i) + "].category");
    order.lines[i].product = std::move(product).value();
    order.lines[i].category = std::move(category).value();
  }
  return Status::Ok();
}

// External ids come from other systems: valid UTF-8 of bounded length, kept as given.
Status CleanExternalId(const std::string& source, const std::string& id) {
  auto clean_source = domain::NormalizeText(source);
  auto clean_id = domain::NormalizeText(id);
  if (!clean_source.ok() || source.size() > 100) return InvalidArgument("must be text up to 100 bytes", "external_source");
  if (!clean_id.ok() || id.size() > 200) return InvalidArgument("must be text up to 200 bytes", "external_id");
  return Status::Ok();
}

// Folds the order into its customer's stats inside the order's transaction.
Status UpdateCustomerStats(store::Transaction& tx, const domain::Order& order, Timestamp now,
                           const std::optional<domain::Order>& original) {
  if (!order.customer_id) return Status::Ok();
  const BusinessId business = order.business_id;
  store::CustomerRowRepository rows(tx.connection());
  CRM_ASSIGN_OR_RETURN(domain::Customer customer, rows.LockAndGetRow(business, *order.customer_id));
  domain::VisitStats stats;
  if (order.kind == domain::OrderKind::kSale) {
    CRM_ASSIGN_OR_RETURN(int64_t before, tx.orders().CountSales(business, customer.id,
                                                                order.ordered_at.PlusSeconds(-kYearSeconds),
                                                                order.ordered_at));
    stats = domain::ApplySale(customer.stats, order, before);
  } else {
    CRM_ASSIGN_OR_RETURN(Money refunded, tx.orders().RefundedTotal(business, original->id));
    stats = domain::ApplyRefund(customer.stats, -order.total, refunded == original->total);
  }
  return tx.customers().SaveStats(business, customer.id, stats, now);
}

// The staff member an order is booked for must be of the business; a staff member books only in
// their own name unless they are a manager (a token, which is no staff member, may name the
// cashier of a POS).
Status CheckOrderStaff(store::Transaction& tx, const Principal& principal, const std::optional<StaffId>& staff) {
  if (!staff) return Status::Ok();
  auto found = tx.staff().Get(principal.business_id, *staff);
  if (found.status().code() == StatusCode::kNotFound) {
    return InvalidArgument("no staff member of this business has this id", "staff_id").WithReason("unknown_staff");
  }
  CRM_RETURN_IF_ERROR(found.status());
  if (principal.staff_id && *principal.staff_id != *staff && !domain::HasRole(principal.role, domain::Role::kManager)) {
    return PermissionDenied("booking an order in another staff member's name needs a manager")
        .WithReason("staff_id_needs_manager");
  }
  return Status::Ok();
}

}  // namespace

Result<PostedOrder> RefundInTransaction(store::Transaction& tx, const Principal& principal, OrderId original_id,
                                        std::optional<Money> amount, const std::string& external_source,
                                        const std::string& external_id, Timestamp now) {
  CRM_ASSIGN_OR_RETURN(domain::Order original, tx.orders().Get(principal.business_id, original_id));
  if (!principal.CanAccessBranch(original.branch_id)) return PermissionDenied("no access to this branch");
  // Customer first, then the order (the order every write takes them in): two refunds of one
  // order are serialised and the second sees what the first refunded.
  if (original.customer_id) {
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(principal.business_id, *original.customer_id));
  }
  CRM_RETURN_IF_ERROR(tx.orders().LockForUpdate(principal.business_id, original_id));
  CRM_ASSIGN_OR_RETURN(Money refunded, tx.orders().RefundedTotal(principal.business_id, original_id));
  // With or without an amount: nothing is left to refund.
  if (refunded >= original.total) {
    return FailedPrecondition("the order has been refunded in full already", "amount").WithReason("already_refunded");
  }
  const Money requested = amount.value_or(original.total - refunded);
  CRM_RETURN_IF_ERROR(domain::ValidateRefund(original, refunded, requested));
  domain::Order refund;
  refund.business_id = principal.business_id;
  refund.branch_id = original.branch_id;
  refund.staff_id = principal.staff_id;
  refund.customer_id = original.customer_id;
  refund.kind = domain::OrderKind::kRefund;
  refund.original_order_id = original.id;
  refund.ordered_at = now;
  refund.total = -requested;
  refund.channel = original.channel;
  // Copies: the transaction may run again after a serialization failure.
  refund.external_source = external_source;
  refund.external_id = external_id;
  refund.created_at = now;
  CRM_ASSIGN_OR_RETURN(refund.id, tx.orders().Insert(refund));
  CRM_RETURN_IF_ERROR(UpdateCustomerStats(tx, refund, now, original));
  CRM_RETURN_IF_ERROR(ReverseRefundLoyalty(tx, principal, refund, original, refunded, now));
  return PostedOrder{std::move(refund), false, std::nullopt};
}

namespace {

// OK when `existing`, the order stored under the sale's external id, is that sale (a retry):
// the same branch, customer, total and lines. kAlreadyExists ("external_id", reason
// "external_id_conflict", figures total and existing_total) when the id was used for another.
Status SameSaleOrConflict(const domain::Order& existing, const domain::Order& sale) {
  if (existing.kind == domain::OrderKind::kSale && existing.branch_id == sale.branch_id &&
      existing.customer_id == sale.customer_id && existing.total == sale.total && existing.lines == sale.lines) {
    return Status::Ok();
  }
  return AlreadyExists(fmt::format("this external id was used for order #{} with a total of {}, not {}; a retry "
                                   "sends the same order, another order needs another external id",
                                   existing.id.value(), existing.total.minor_units(), sale.total.minor_units()),
                       "external_id")
      .WithReason("external_id_conflict")
      .WithFigure("total", sale.total.minor_units())
      .WithFigure("existing_total", existing.total.minor_units())
      .WithFigure("existing_order_id", existing.id.value());
}

}  // namespace

OrderService::OrderService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Result<PostedOrder> OrderService::PostSale(const Principal& principal, domain::Order order, int64_t points_redeemed) {
  const Timestamp now = clock_.Now();
  order.business_id = principal.business_id;
  order.kind = domain::OrderKind::kSale;
  order.original_order_id.reset();
  order.created_at = now;
  if (order.ordered_at == Timestamp()) order.ordered_at = now;
  if (order.ordered_at > now.PlusSeconds(kMaxFutureSeconds)) {
    return InvalidArgument("ordered_at is in the future", "ordered_at");
  }
  if (!order.branch_id.valid()) return InvalidArgument("branch_id is required", "branch_id");
  if (!principal.CanAccessBranch(order.branch_id)) return PermissionDenied("no access to this branch");
  if (!order.staff_id && principal.staff_id) order.staff_id = principal.staff_id;
  if (order.total == Money() && !order.lines.empty()) {
    for (const auto& line : order.lines) {
      if (line.quantity > 0 && line.quantity <= domain::kMaxLineQuantity && line.unit_price.minor_units() >= 0 &&
          line.unit_price.minor_units() <= domain::kMaxOrderTotal) {
        order.total += Money(line.quantity * line.unit_price.minor_units());
      }
    }
  }
  CRM_RETURN_IF_ERROR(CleanLines(order));
  CRM_RETURN_IF_ERROR(domain::ValidateSale(order));
  CRM_RETURN_IF_ERROR(CleanExternalId(order.external_source, order.external_id));
  if (points_redeemed < 0 || points_redeemed > domain::kMaxOrderTotal) {
    return InvalidArgument("must be a whole number of at least 0", "points_redeemed");
  }

  PostedOrder posted;
  Status status = database_.Write([&](store::Transaction& tx) -> Status {
    if (!order.external_id.empty()) {
      CRM_ASSIGN_OR_RETURN(auto existing, tx.orders().FindByExternalId(principal.business_id, order.external_source,
                                                                       order.external_id));
      if (existing) {
        CRM_RETURN_IF_ERROR(SameSaleOrConflict(*existing, order));
        posted.order = std::move(*existing);
        posted.replayed = true;
        CRM_ASSIGN_OR_RETURN(posted.loyalty, ReplayedSaleLoyalty(tx, posted.order));
        return Status::Ok();
      }
    }
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_RETURN_IF_ERROR(tx.branches().Get(principal.business_id, order.branch_id).status());
    CRM_RETURN_IF_ERROR(CheckOrderStaff(tx, principal, order.staff_id));
    // The customer is locked before the order row references it: inserting first would take a
    // shared key lock that two concurrent sales then both try to upgrade (a deadlock).
    if (order.customer_id) {
      CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(principal.business_id, *order.customer_id));
    }
    CRM_ASSIGN_OR_RETURN(order.id, tx.orders().Insert(order));
    CRM_RETURN_IF_ERROR(UpdateCustomerStats(tx, order, now, std::nullopt));
    CRM_ASSIGN_OR_RETURN(posted.loyalty, PostSaleLoyalty(tx, principal, order, points_redeemed, now));
    posted.order = order;
    posted.replayed = false;
    return Status::Ok();
  });
  if (status.code() == StatusCode::kAlreadyExists && !order.external_id.empty() && !principal.idempotency) {
    // A concurrent post of the same external id won the race: answer with its order.
    CRM_ASSIGN_OR_RETURN(auto existing, store::ReadValue<std::optional<domain::Order>>(
                                            database_, [&](store::Transaction& tx) {
                                              return tx.orders().FindByExternalId(
                                                  principal.business_id, order.external_source, order.external_id);
                                            }));
    if (!existing) return status;
    CRM_RETURN_IF_ERROR(SameSaleOrConflict(*existing, order));
    PostedOrder replay{std::move(*existing), true, std::nullopt};
    CRM_ASSIGN_OR_RETURN(replay.loyalty, store::ReadValue<std::optional<SaleLoyalty>>(
                                             database_, [&](store::Transaction& tx) {
                                               return ReplayedSaleLoyalty(tx, replay.order);
                                             }));
    return replay;
  }
  if (!status.ok()) return status;
  if (observer_ != nullptr && !posted.replayed) {
    // Inside a keyed request's enclosing transaction the order is not committed yet.
    store::AfterCommit(database_, [observer = observer_, order = posted.order] {
      observer->OnOrderCommitted(order, nullptr);
    });
  }
  return posted;
}

Result<PostedOrder> OrderService::Refund(const Principal& principal, OrderId original_id, std::optional<Money> amount,
                                         std::string external_source, std::string external_id) {
  const Timestamp now = clock_.Now();
  CRM_RETURN_IF_ERROR(CleanExternalId(external_source, external_id));
  PostedOrder posted;
  std::optional<domain::Order> refunded_sale;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    if (!external_id.empty()) {
      CRM_ASSIGN_OR_RETURN(auto existing,
                           tx.orders().FindByExternalId(principal.business_id, external_source, external_id));
      if (existing) {
        if (existing->original_order_id != original_id) {
          return AlreadyExists("this external id belongs to another order", "external_id")
              .WithReason("external_id_taken");
        }
        posted = PostedOrder{std::move(*existing), true, std::nullopt};
        return Status::Ok();
      }
    }
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_ASSIGN_OR_RETURN(posted,
                         RefundInTransaction(tx, principal, original_id, amount, external_source, external_id, now));
    // The sale as it was, for the order observer (the analytics fold the refund into its customer).
    CRM_ASSIGN_OR_RETURN(refunded_sale, tx.orders().Get(principal.business_id, original_id));
    return Status::Ok();
  }));
  if (observer_ != nullptr && !posted.replayed && refunded_sale) {
    store::AfterCommit(database_, [observer = observer_, refund = posted.order, sale = *refunded_sale] {
      observer->OnOrderCommitted(refund, &sale);
    });
  }
  return posted;
}

Result<domain::Order> OrderService::Get(const Principal& principal, OrderId id) {
  return store::ReadValue<domain::Order>(database_, [&](store::Transaction& tx) {
    return tx.orders().Get(principal.business_id, id);
  });
}

Result<OrderPage> OrderService::ListForCustomer(const Principal& principal, CustomerId customer,
                                                std::optional<OrderId> before, int limit) {
  const int page_size = std::clamp(limit, 1, 100);
  OrderPage page;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, customer));
    if (!exists) return NotFound("customer not found");
    CRM_ASSIGN_OR_RETURN(page.orders, tx.orders().ListForCustomer(principal.business_id, customer, before,
                                                                  page_size + 1));
    return Status::Ok();
  }));
  if (static_cast<int>(page.orders.size()) > page_size) {
    page.orders.pop_back();
    page.next_cursor = page.orders.back().id;
  }
  return page;
}

}  // namespace crm::app
