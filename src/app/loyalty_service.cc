#include "app/loyalty_service.h"

#include <sodium.h>

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "app/loyalty_posting.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/order_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int kExpiryBatch = 200;
constexpr int kMaxReferralDepth = 100;
constexpr int64_t kMaxAdjustment = 100'000'000;

Status RequireCustomer(store::Transaction& tx, BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(business, customer));
  if (!exists) return NotFound("customer not found");
  return Status::Ok();
}

Result<domain::Program> RequireProgram(store::Transaction& tx, BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(business));
  if (!program) return FailedPrecondition("the business has no loyalty program").WithReason("no_program");
  return std::move(*program);
}

std::string Hex(const unsigned char* bytes, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

// Fills the tier fields of the view from the stored standing and the current metric.
void DescribeTier(const domain::Program& program, int64_t metric, AccountView& view) {
  if (program.tiers.empty()) return;
  const int index = std::clamp(view.account.tier.index, 0, static_cast<int>(program.tiers.size()) - 1);
  view.tier_name = program.tiers[index].name;
  view.tier_metric = metric;
  if (index + 1 < static_cast<int>(program.tiers.size())) {
    view.next_tier_name = program.tiers[index + 1].name;
    view.to_next_tier = std::max<int64_t>(program.tiers[index + 1].threshold - metric, 0);
  }
}

// Reads something of one customer after checking the customer is the business's (kNotFound).
template <typename T, typename ReadFn>
Result<T> ReadForCustomer(store::Database& database, const Principal& principal, CustomerId customer, ReadFn read) {
  T value;
  CRM_RETURN_IF_ERROR(database.Read([&](store::Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(RequireCustomer(tx, principal.business_id, customer));
    CRM_ASSIGN_OR_RETURN(value, read(tx));
    return Status::Ok();
  }));
  return value;
}

}  // namespace

LoyaltyService::LoyaltyService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Result<std::optional<domain::Program>> LoyaltyService::GetProgram(const Principal& principal) {
  return store::ReadValue<std::optional<domain::Program>>(
      database_, [&](store::Transaction& tx) { return tx.loyalty().GetProgram(principal.business_id); });
}

Result<domain::Program> LoyaltyService::SetProgram(const Principal& principal, domain::Program program) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  CRM_RETURN_IF_ERROR(domain::ValidateProgram(program));
  const Timestamp now = clock_.Now();
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    for (size_t i = 0; i < program.events.size(); ++i) {
      if (program.events[i].branch_id && !tx.branches().Get(principal.business_id, *program.events[i].branch_id).ok()) {
        return InvalidArgument("no such branch", fmt::format("events[{}].branch_id", i));
      }
    }
    for (size_t i = 0; i < program.tiers.size(); ++i) {
      const int64_t id = program.tiers[i].welcome_coupon_template;
      if (id > 0 && !tx.coupons().GetTemplate(principal.business_id, CouponTemplateId(id)).ok()) {
        return InvalidArgument("no such coupon template", fmt::format("tiers[{}].welcome_coupon_template", i));
      }
    }
    for (size_t i = 0; i < program.coupon_rules.size(); ++i) {
      const int64_t id = program.coupon_rules[i].coupon_template;
      if (!tx.coupons().GetTemplate(principal.business_id, CouponTemplateId(id)).ok()) {
        return InvalidArgument("no such coupon template", fmt::format("coupon_rules[{}].coupon_template", i));
      }
    }
    return tx.loyalty().SaveProgram(principal.business_id, program, now);
  }));
  return program;
}

Result<std::optional<LoyaltySummary>> LoyaltyService::Summary(const Principal& principal, CustomerId customer) {
  return store::ReadValue<std::optional<LoyaltySummary>>(
      database_, [&](store::Transaction& tx) -> Result<std::optional<LoyaltySummary>> {
        CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(principal.business_id));
        if (!program) return std::optional<LoyaltySummary>();
        CRM_ASSIGN_OR_RETURN(auto account, tx.loyalty().GetAccount(principal.business_id, customer));
        LoyaltySummary summary;
        summary.unit = domain::BalanceUnit(program->kind);
        const int index = account ? account->tier.index : 0;
        if (account) summary.balance = account->balance;
        if (!program->tiers.empty()) {
          summary.tier = program->tiers[std::clamp(index, 0, static_cast<int>(program->tiers.size()) - 1)].name;
        }
        return std::optional<LoyaltySummary>(std::move(summary));
      });
}

Result<AccountView> LoyaltyService::Account(const Principal& principal, CustomerId customer) {
  const Timestamp now = clock_.Now();
  AccountView view;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    const BusinessId business = principal.business_id;
    CRM_RETURN_IF_ERROR(RequireCustomer(tx, business, customer));
    CRM_ASSIGN_OR_RETURN(view.program, tx.loyalty().GetProgram(business));
    CRM_ASSIGN_OR_RETURN(auto account, tx.loyalty().GetAccount(business, customer));
    view.account.customer_id = customer;
    if (account) view.account = std::move(*account);
    if (view.program) {
      CRM_ASSIGN_OR_RETURN(domain::Business owner, tx.businesses().Get(business));
      CRM_ASSIGN_OR_RETURN(domain::Customer profile, tx.customers().Get(business, customer));
      CRM_ASSIGN_OR_RETURN(domain::TierMeasure measure, MeasureTier(tx, *view.program, business, profile,
                                                                    view.account.tier, owner.utc_offset_minutes, now));
      DescribeTier(*view.program, measure.window, view);
      CRM_ASSIGN_OR_RETURN(view.visit_count, VisitCount(tx, *view.program, business, customer, owner.utc_offset_minutes));
      CRM_ASSIGN_OR_RETURN(view.reward_progress, tx.loyalty().RewardProgress(business, customer));
    }
    CRM_ASSIGN_OR_RETURN(auto entries, tx.loyalty().Entries(business, customer));
    const Timestamp horizon = now.PlusSeconds(30 * 86'400);
    for (const domain::Award& award : domain::ReplayAwards(entries)) {
      if (award.remaining <= 0 || !award.expires_at || *award.expires_at <= now) continue;
      if (!view.next_expiry || *award.expires_at < *view.next_expiry) view.next_expiry = award.expires_at;
      if (*award.expires_at <= horizon) view.expiring_within_30_days += award.remaining;
    }
    CRM_ASSIGN_OR_RETURN(auto coupons, tx.coupons().ListForCustomer(business, customer));
    for (domain::Coupon& coupon : coupons) {
      if (coupon.status == domain::CouponStatus::kIssued && coupon.expires_at > now) view.coupons.push_back(std::move(coupon));
    }
    CRM_ASSIGN_OR_RETURN(auto referral, tx.coupons().GetReferral(business, customer));
    if (referral) view.referrer_id = referral->referrer_id;
    CRM_ASSIGN_OR_RETURN(auto referred, tx.coupons().ReferralsBy(business, customer));
    view.referral_count = static_cast<int64_t>(referred.size());
    return Status::Ok();
  }));
  return view;
}

Result<LedgerPage> LoyaltyService::Ledger(const Principal& principal, CustomerId customer,
                                          std::optional<LedgerEntryId> before, int limit) {
  const int page_size = std::clamp(limit, 1, 200);
  LedgerPage page;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(RequireCustomer(tx, principal.business_id, customer));
    CRM_ASSIGN_OR_RETURN(page.entries, tx.loyalty().Page(principal.business_id, customer, before, page_size + 1));
    return Status::Ok();
  }));
  if (static_cast<int>(page.entries.size()) > page_size) {
    page.entries.pop_back();
    page.next_cursor = page.entries.back().id;
  }
  return page;
}

Result<std::vector<domain::TierChangeRecord>> LoyaltyService::TierChanges(const Principal& principal,
                                                                          CustomerId customer) {
  return ReadForCustomer<std::vector<domain::TierChangeRecord>>(
      database_, principal, customer,
      [&](store::Transaction& tx) { return tx.loyalty().TierChanges(principal.business_id, customer); });
}

Result<LedgerWrite> LoyaltyService::Redeem(const Principal& principal, CustomerId customer,
                                           const RedeemRequest& request) {
  if (request.amount <= 0 || request.amount > kMaxAdjustment) {
    return InvalidArgument("must be a positive whole number", "amount");
  }
  if (!request.branch_id.valid()) return InvalidArgument("branch_id is required", "branch_id");
  if (!principal.CanAccessBranch(request.branch_id)) return PermissionDenied("no access to this branch");
  const Timestamp now = clock_.Now();
  LedgerWrite result;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    const BusinessId business = principal.business_id;
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
    CRM_RETURN_IF_ERROR(tx.branches().Get(business, request.branch_id).status());
    CRM_ASSIGN_OR_RETURN(domain::Program program, RequireProgram(tx, business));
    if (program.kind == domain::ProgramKind::kVisitRanks) {
      return FailedPrecondition("this program has no balance to spend", "amount").WithReason("no_balance_program");
    }
    CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount account, LoadAccount(tx, business, customer, now));
    if (account.balance < program.min_balance_to_redeem) {
      return FailedPrecondition(fmt::format("can be used from a balance of {}", program.min_balance_to_redeem),
                                "amount")
          .WithReason("below_min_balance")
          .WithFigure("min_balance", program.min_balance_to_redeem)
          .WithFigure("balance", account.balance);
    }
    if (request.amount > account.balance) {
      return FailedPrecondition(fmt::format("the balance is {}", account.balance), "amount")
          .WithReason("insufficient_balance")
          .WithFigure("balance", account.balance);
    }
    if (request.order_id) {
      CRM_ASSIGN_OR_RETURN(domain::Order order, tx.orders().Get(business, *request.order_id));
      if (order.customer_id != customer || order.kind != domain::OrderKind::kSale) {
        return FailedPrecondition("the order is not this customer's sale", "order_id")
            .WithReason("not_customers_order");
      }
      CRM_ASSIGN_OR_RETURN(auto spent_entries, tx.loyalty().EntriesForOrder(business, order.id));
      int64_t spent = 0;
      for (const auto& e : spent_entries) {
        if (e.kind == domain::LedgerKind::kRedeem && e.customer_id == customer) spent -= e.amount;
      }
      const int64_t payable = domain::EligibleAmount(order, program.spend_excluded).minor_units();
      if (spent + request.amount > payable * program.max_redeem_percent / 100) {
        return FailedPrecondition(fmt::format("points may pay at most {} % of the order's eligible {} won",
                                              program.max_redeem_percent, payable),
                                  "amount")
            .WithReason("over_redeem_share")
            .WithFigure("max_percent", program.max_redeem_percent)
            .WithFigure("eligible", payable);
      }
    }
    domain::LedgerEntry entry;
    entry.kind = domain::LedgerKind::kRedeem;
    entry.amount = -request.amount;
    entry.order_id = request.order_id;
    entry.branch_id = request.branch_id;
    entry.staff_id = principal.staff_id;
    entry.reason = request.reason.empty() ? "사용" : request.reason;
    CRM_ASSIGN_OR_RETURN(result.entry, AppendEntry(tx, business, account, std::move(entry), now));
    result.balance = account.balance;
    return Status::Ok();
  }));
  return result;
}

Result<LedgerWrite> LoyaltyService::Adjust(const Principal& principal, CustomerId customer, int64_t amount,
                                           std::string reason, std::optional<BranchId> branch) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (amount == 0 || amount > kMaxAdjustment || amount < -kMaxAdjustment) {
    return InvalidArgument("must be a non-zero whole number up to 100,000,000 either way", "amount");
  }
  if (reason.empty() || reason.size() > 500) return InvalidArgument("a reason of up to 500 bytes is required", "reason");
  if (branch && !principal.CanAccessBranch(*branch)) return PermissionDenied("no access to this branch");
  const Timestamp now = clock_.Now();
  LedgerWrite result;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    const BusinessId business = principal.business_id;
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
    if (branch) CRM_RETURN_IF_ERROR(tx.branches().Get(business, *branch).status());
    CRM_ASSIGN_OR_RETURN(domain::Program program, RequireProgram(tx, business));
    CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount account, LoadAccount(tx, business, customer, now));
    if (account.balance + amount < 0) {
      return FailedPrecondition(fmt::format("the balance is {}", account.balance), "amount")
          .WithReason("insufficient_balance")
          .WithFigure("balance", account.balance);
    }
    domain::LedgerEntry entry;
    entry.kind = domain::LedgerKind::kAdjust;
    entry.amount = amount;
    entry.branch_id = branch;
    entry.staff_id = principal.staff_id;
    entry.reason = reason;  // a copy: the transaction may run again after a serialization failure
    if (amount > 0 && program.expiry_months > 0) entry.expires_at = domain::AddMonths(now, program.expiry_months);
    CRM_ASSIGN_OR_RETURN(result.entry, AppendEntry(tx, business, account, std::move(entry), now));
    result.balance = account.balance;
    return Status::Ok();
  }));
  return result;
}

Result<ExpiryRun> LoyaltyService::RunExpiry(BusinessId business) {
  const Timestamp now = clock_.Now();
  ExpiryRun run;
  std::optional<CustomerId> after;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(auto batch, store::ReadValue<std::vector<CustomerId>>(database_, [&](store::Transaction& tx) {
      return tx.loyalty().CustomersWithDueAwards(business, now, kExpiryBatch, after);
    }));
    if (batch.empty()) break;
    for (CustomerId customer : batch) {
      ExpiryRun done;  // counted per attempt: the transaction may run again after a conflict
      CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
        done = ExpiryRun{};
        CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
        CRM_ASSIGN_OR_RETURN(auto entries, tx.loyalty().Entries(business, customer));
        const std::vector<domain::Award> due = domain::DueForExpiry(entries, now);
        if (due.empty()) return Status::Ok();
        CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount account, LoadAccount(tx, business, customer, now));
        for (const domain::Award& award : due) {
          domain::LedgerEntry entry;
          entry.kind = domain::LedgerKind::kExpire;
          entry.amount = -award.remaining;
          entry.related_id = award.id;
          entry.branch_id = award.branch_id;
          entry.reason = fmt::format("유효기간 만료 ({})", award.expires_at->ToIso8601().substr(0, 10));
          CRM_RETURN_IF_ERROR(AppendEntry(tx, business, account, std::move(entry), now).status());
          ++done.entries;
          done.units += award.remaining;
        }
        done.customers = 1;
        return Status::Ok();
      }));
      run.customers += done.customers;
      run.entries += done.entries;
      run.units += done.units;
    }
    after = batch.back();
  }
  return run;
}

Result<std::vector<ExpiringCustomer>> LoyaltyService::ExpiringSoon(const Principal& principal, int days) {
  const Timestamp now = clock_.Now();
  const Timestamp until = now.PlusSeconds(int64_t{std::clamp(days, 1, 366)} * 86'400);
  std::vector<ExpiringCustomer> result;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    std::optional<CustomerId> after;
    for (;;) {
      CRM_ASSIGN_OR_RETURN(auto batch, tx.loyalty().CustomersWithAwardsExpiring(principal.business_id, now, until,
                                                                                after, kExpiryBatch));
      for (CustomerId customer : batch) {
        CRM_ASSIGN_OR_RETURN(auto entries, tx.loyalty().Entries(principal.business_id, customer));
        ExpiringCustomer item{customer, 0, until};
        for (const domain::Award& award : domain::ReplayAwards(entries)) {
          if (award.remaining <= 0 || !award.expires_at || *award.expires_at <= now || *award.expires_at > until) continue;
          item.units += award.remaining;
          item.first_expiry = std::min(item.first_expiry, *award.expires_at);
        }
        if (item.units > 0) result.push_back(item);
      }
      if (static_cast<int>(batch.size()) < kExpiryBatch) break;
      after = batch.back();
    }
    return Status::Ok();
  }));
  return result;
}

Result<LiabilityReport> LoyaltyService::Liability(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  std::map<std::pair<int64_t, std::string>, int64_t> totals;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    std::optional<CustomerId> after;
    for (;;) {
      CRM_ASSIGN_OR_RETURN(auto batch, tx.loyalty().CustomersWithEntries(principal.business_id, after, kExpiryBatch));
      for (CustomerId customer : batch) {
        CRM_ASSIGN_OR_RETURN(auto entries, tx.loyalty().Entries(principal.business_id, customer));
        for (const domain::Award& award : domain::ReplayAwards(entries)) {
          if (award.remaining <= 0) continue;
          const std::string month = award.expires_at ? award.expires_at->ToIso8601().substr(0, 7) : "";
          totals[{award.branch_id ? award.branch_id->value() : 0, month}] += award.remaining;
        }
      }
      if (static_cast<int>(batch.size()) < kExpiryBatch) break;
      after = batch.back();
    }
    return Status::Ok();
  }));
  LiabilityReport report;
  for (const auto& [key, units] : totals) {
    store::LiabilityRow row;
    if (key.first > 0) row.branch_id = BranchId(key.first);
    row.expiry_month = key.second;
    row.units = units;
    report.total += units;
    report.rows.push_back(std::move(row));
  }
  return report;
}

Result<std::vector<store::BalanceMismatch>> LoyaltyService::Verify(std::optional<BusinessId> business) {
  return store::ReadValue<std::vector<store::BalanceMismatch>>(
      database_, [&](store::Transaction& tx) { return tx.loyalty().Mismatches(business); });
}

Result<domain::CouponTemplate> LoyaltyService::CreateTemplate(const Principal& principal,
                                                              domain::CouponTemplate coupon_template) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_RETURN_IF_ERROR(domain::ValidateCouponTemplate(coupon_template));
  coupon_template.business_id = principal.business_id;
  coupon_template.created_at = clock_.Now();
  domain::CouponTemplate created;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, coupon_template.created_at));
    CRM_ASSIGN_OR_RETURN(created, tx.coupons().InsertTemplate(coupon_template));
    return Status::Ok();
  }));
  return created;
}

Result<std::vector<domain::CouponTemplate>> LoyaltyService::Templates(const Principal& principal) {
  return store::ReadValue<std::vector<domain::CouponTemplate>>(
      database_, [&](store::Transaction& tx) { return tx.coupons().ListTemplates(principal.business_id); });
}

Result<domain::Coupon> LoyaltyService::IssueCoupon(const Principal& principal, CustomerId customer,
                                                   CouponTemplateId id) {
  // A coupon is worth money like an adjustment: the same role.
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  domain::Coupon issued;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    const BusinessId business = principal.business_id;
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
    CRM_ASSIGN_OR_RETURN(domain::CouponTemplate coupon_template, tx.coupons().GetTemplate(business, id));
    if (!coupon_template.active) {
      return FailedPrecondition("the template is not active", "template_id").WithReason("coupon_template_inactive");
    }
    if (coupon_template.per_customer_limit > 0) {
      CRM_ASSIGN_OR_RETURN(int64_t count, tx.coupons().CountIssued(business, customer, id));
      if (count >= coupon_template.per_customer_limit) {
        return FailedPrecondition(
                   fmt::format("the limit of {} per customer is reached", coupon_template.per_customer_limit),
                   "template_id")
            .WithReason("coupon_limit_reached");
      }
    }
    CRM_ASSIGN_OR_RETURN(domain::Business owner, tx.businesses().Get(business));
    CRM_ASSIGN_OR_RETURN(Timestamp expires, domain::CouponExpiry(coupon_template, now, owner.utc_offset_minutes));
    domain::Coupon coupon = domain::CouponFromTemplate(coupon_template, customer, domain::CouponSource::kManual, now,
                                                       expires, principal.staff_id);
    CRM_ASSIGN_OR_RETURN(issued, IssueCouponIn(tx, std::move(coupon)));
    return Status::Ok();
  }));
  return issued;
}

Result<std::vector<domain::Coupon>> LoyaltyService::Coupons(const Principal& principal, CustomerId customer) {
  return ReadForCustomer<std::vector<domain::Coupon>>(
      database_, principal, customer,
      [&](store::Transaction& tx) { return tx.coupons().ListForCustomer(principal.business_id, customer); });
}

Result<CouponRedemption> LoyaltyService::RedeemCoupon(const Principal& principal, const std::string& code,
                                                      CustomerId customer, BranchId branch,
                                                      std::optional<OrderId> order, std::optional<Money> amount) {
  if (!branch.valid()) return InvalidArgument("branch_id is required", "branch_id");
  if (!principal.CanAccessBranch(branch)) return PermissionDenied("no access to this branch");
  const std::string normalized = domain::NormalizeCouponCode(code);
  if (normalized.empty() || normalized.size() > 40) return InvalidArgument("a coupon code is required", "code");
  const Timestamp now = clock_.Now();
  CouponRedemption result;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    const BusinessId business = principal.business_id;
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
    CRM_RETURN_IF_ERROR(tx.branches().Get(business, branch).status());
    CRM_ASSIGN_OR_RETURN(auto coupon, tx.coupons().FindByCode(business, normalized));
    if (!coupon) return NotFound("no coupon has this code").WithReason("coupon_not_found");
    CRM_RETURN_IF_ERROR(domain::CheckRedeemable(*coupon, customer, now));
    if (order) {
      CRM_ASSIGN_OR_RETURN(domain::Order sale, tx.orders().Get(business, *order));
      if (sale.customer_id != customer) {
        return FailedPrecondition("the order is not this customer's", "order_id").WithReason("not_customers_order");
      }
    }
    CRM_RETURN_IF_ERROR(tx.coupons().MarkRedeemed(business, coupon->id, now, branch, order, principal.staff_id));
    coupon->status = domain::CouponStatus::kRedeemed;
    coupon->redeemed_at = now;
    coupon->redeemed_branch_id = branch;
    coupon->redeemed_order_id = order;
    if (!amount && coupon->kind == domain::CouponKind::kPercentOff) {
      return InvalidArgument("the order amount is required for a percent-off coupon", "amount");
    }
    result.discount = domain::CouponDiscount(*coupon, amount.value_or(Money(coupon->value)));
    result.coupon = std::move(*coupon);
    return Status::Ok();
  }));
  return result;
}

Status LoyaltyService::VoidCoupon(const Principal& principal, CouponId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  return database_.Write([&](store::Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_RETURN_IF_ERROR(tx.coupons().Get(principal.business_id, id).status());
    return tx.coupons().MarkVoided(principal.business_id, id);
  });
}

Result<domain::Referral> LoyaltyService::JoinWithReferral(const Principal& principal, CustomerId customer,
                                                          const std::string& code) {
  const std::string normalized = domain::NormalizeCouponCode(code);
  if (normalized.empty() || normalized.size() > 20) return InvalidArgument("a referral code is required", "code");
  const Timestamp now = clock_.Now();
  domain::Referral referral;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    const BusinessId business = principal.business_id;
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
    CRM_ASSIGN_OR_RETURN(auto referrer, tx.loyalty().FindByReferralCode(business, normalized));
    if (!referrer) return NotFound("no customer has this referral code").WithReason("referral_code_not_found");
    CRM_ASSIGN_OR_RETURN(domain::Customer friend_profile, tx.customers().Get(business, customer));
    CRM_ASSIGN_OR_RETURN(domain::Customer referrer_profile, tx.customers().Get(business, *referrer));
    if (*referrer == customer ||
        (!friend_profile.phone_e164.empty() && friend_profile.phone_e164 == referrer_profile.phone_e164)) {
      return FailedPrecondition("a customer cannot refer themselves", "code").WithReason("self_referral");
    }
    CRM_ASSIGN_OR_RETURN(auto existing, tx.coupons().GetReferral(business, customer));
    if (existing) {
      return FailedPrecondition("this customer already has a referrer", "code").WithReason("already_referred");
    }
    // No loops: the friend may not be up the referrer's own chain.
    std::optional<CustomerId> up = *referrer;
    for (int depth = 0; up && depth < kMaxReferralDepth; ++depth) {
      CRM_ASSIGN_OR_RETURN(auto link, tx.coupons().GetReferral(business, *up));
      if (!link) break;
      if (link->referrer_id == customer) {
        return FailedPrecondition("this would make a referral loop", "code").WithReason("referral_loop");
      }
      up = link->referrer_id;
    }
    if (friend_profile.stats.visit_count > 0) {
      return FailedPrecondition("only a new customer can join with a referral code", "code")
          .WithReason("not_new_customer");
    }
    referral.customer_id = customer;
    referral.referrer_id = *referrer;
    referral.created_at = now;
    CRM_RETURN_IF_ERROR(tx.coupons().InsertReferral(business, referral));
    friend_profile.referrer_id = *referrer;
    friend_profile.updated_at = now;
    return tx.customers().Update(friend_profile);
  }));
  return referral;
}

Result<std::vector<domain::Referral>> LoyaltyService::Referrals(const Principal& principal, CustomerId referrer) {
  return ReadForCustomer<std::vector<domain::Referral>>(
      database_, principal, referrer,
      [&](store::Transaction& tx) { return tx.coupons().ReferralsBy(principal.business_id, referrer); });
}

Result<domain::GachaDraw> LoyaltyService::DrawGacha(const Principal& principal, CustomerId customer) {
  const Timestamp now = clock_.Now();
  domain::GachaDraw draw;
  Status status = database_.Write([&](store::Transaction& tx) -> Status {
    const BusinessId business = principal.business_id;
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
    CRM_ASSIGN_OR_RETURN(domain::Program program, RequireProgram(tx, business));
    if (program.gacha.empty()) return FailedPrecondition("the program has no gacha table").WithReason("no_gacha");
    CRM_ASSIGN_OR_RETURN(auto previous, tx.coupons().GetGachaDraw(business, customer));
    if (previous) {
      draw = std::move(*previous);
      return AlreadyExists("this customer has drawn already").WithReason("gacha_already_drawn");
    }
    // The seed is logged with the draw: the same seed always gives the same draw, so anyone can
    // check it, and the draw is uniform over the total weight, so the published odds are exact.
    unsigned char seed[randombytes_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    const int64_t total = domain::GachaTotalWeight(program.gacha);
    const uint64_t value = GachaDrawFromSeed(seed, total);
    draw.customer_id = customer;
    draw.seed_hex = Hex(seed, sizeof seed);
    draw.draw = value;
    draw.total_weight = total;
    draw.prize_index = static_cast<int64_t>(domain::GachaPick(program.gacha, draw.draw));
    draw.prize_label = program.gacha[draw.prize_index].label;
    draw.points = program.gacha[draw.prize_index].points;
    draw.created_at = now;
    CRM_RETURN_IF_ERROR(tx.coupons().InsertGachaDraw(business, draw));
    if (draw.points > 0) {
      CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount account, LoadAccount(tx, business, customer, now));
      domain::LedgerEntry entry;
      entry.kind = domain::LedgerKind::kEarn;
      entry.amount = draw.points;
      entry.staff_id = principal.staff_id;
      entry.reason = "카카오 채널 가입 뽑기: " + draw.prize_label;
      if (program.expiry_months > 0) entry.expires_at = domain::AddMonths(now, program.expiry_months);
      CRM_RETURN_IF_ERROR(AppendEntry(tx, business, account, std::move(entry), now).status());
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return draw;
}

}  // namespace crm::app
