#include "app/erasure_service.h"

#include <fmt/format.h>

#include <algorithm>

#include "app/reason_text.h"
#include "domain/korean_text.h"
#include "store/access_log_repository.h"
#include "store/customer_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

// The retention job erases in batches of this many customers, each customer its own transaction.
constexpr int kRetentionBatch = 200;
constexpr int64_t kSecondsPerDay = 86'400;

int DaysInMonth(int year, int month) {
  const int next_year = month == 12 ? year + 1 : year;
  const int next_month = month == 12 ? 1 : month + 1;
  return static_cast<int>(DaysFromCivil(next_year, next_month, 1) - DaysFromCivil(year, month, 1));
}

}  // namespace

ErasureService::ErasureService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Timestamp ErasureService::CutoffFor(Timestamp now, int64_t months) {
  int64_t days = now.seconds() / kSecondsPerDay;
  int64_t second_of_day = now.seconds() % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  const Date today = CivilFromDays(days);
  const int64_t month_index = static_cast<int64_t>(today.year) * 12 + (today.month - 1) - months;
  const int year = static_cast<int>(month_index >= 0 ? month_index / 12 : (month_index - 11) / 12);
  const int month = static_cast<int>(month_index - static_cast<int64_t>(year) * 12) + 1;
  const int day = std::min(today.day, DaysInMonth(year, month));
  const int64_t sub_second = now.micros() - now.seconds() * 1'000'000;
  return Timestamp::FromMicros(
      (DaysFromCivil(year, month, day) * kSecondsPerDay + second_of_day) * 1'000'000 + sub_second);
}

Result<ErasureResult> ErasureService::EraseAs(BusinessId business, const Principal* principal, CustomerId id,
                                              const std::string& reason, Timestamp now) {
  ErasureResult result;
  result.customer = id;
  result.erased_at = now;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    store::ErasureRepository erasures(tx.connection());
    CRM_ASSIGN_OR_RETURN(result.counts, erasures.Erase(business, id, now));
    domain::AccessLogEntry entry;
    entry.business_id = business;
    entry.at = now;
    entry.customer_id = id;
    entry.action = domain::AccessAction::kErase;
    if (principal) {
      entry.staff_id = principal->staff_id;
      entry.token_id = principal->token_id;
      entry.ip = principal->ip;
    }
    entry.detail = fmt::format("reason: {}; rows deleted {}, blanked {}, messages {}", reason,
                               result.counts.rows_deleted, result.counts.rows_blanked, result.counts.messages);
    return tx.access_log().Append(entry);
  }));
  if (on_erased_) on_erased_(business);
  return result;
}

Result<ErasureResult> ErasureService::Erase(const Principal& principal, CustomerId id, const std::string& reason) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(std::string clean, CleanReason(reason));
  return EraseAs(principal.business_id, &principal, id, clean, clock_.Now());
}

Result<RetentionSetting> ErasureService::GetRetention(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  RetentionSetting setting;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::ErasureRepository erasures(tx.connection());
    CRM_ASSIGN_OR_RETURN(setting.months, erasures.RetentionMonths(principal.business_id));
    CRM_ASSIGN_OR_RETURN(setting.access_log_days, tx.access_log().RetentionDays(principal.business_id));
    return Status::Ok();
  }));
  return setting;
}

Result<RetentionSetting> ErasureService::SetRetention(const Principal& principal, std::optional<int64_t> months,
                                                      std::optional<int64_t> access_log_days) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  if (months && (*months < 0 || *months > kMaxRetentionMonths)) {
    return InvalidArgument(fmt::format("must be between 0 (off) and {}", kMaxRetentionMonths), "months");
  }
  if (access_log_days && (*access_log_days < kMinAccessLogDays || *access_log_days > kMaxAccessLogDays)) {
    return InvalidArgument(fmt::format("must be between {} and {}: the access log is kept at least a year",
                                       kMinAccessLogDays, kMaxAccessLogDays),
                           "access_log_days");
  }
  RetentionSetting setting;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    store::ErasureRepository erasures(tx.connection());
    if (months) CRM_RETURN_IF_ERROR(erasures.SetRetentionMonths(principal.business_id, *months));
    if (access_log_days) CRM_RETURN_IF_ERROR(tx.access_log().SetRetentionDays(principal.business_id, *access_log_days));
    CRM_ASSIGN_OR_RETURN(setting.months, erasures.RetentionMonths(principal.business_id));
    CRM_ASSIGN_OR_RETURN(setting.access_log_days, tx.access_log().RetentionDays(principal.business_id));
    return Status::Ok();
  }));
  return setting;
}

Result<RetentionPreview> ErasureService::PreviewRetention(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  RetentionPreview preview;
  const Timestamp now = clock_.Now();
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::ErasureRepository erasures(tx.connection());
    CRM_ASSIGN_OR_RETURN(preview.months, erasures.RetentionMonths(principal.business_id));
    if (preview.months == 0) return Status::Ok();
    preview.cutoff = CutoffFor(now, preview.months);
    CRM_ASSIGN_OR_RETURN(preview.count, erasures.CountInactiveSince(principal.business_id, preview.cutoff));
    CRM_ASSIGN_OR_RETURN(std::vector<CustomerId> ids,
                         erasures.InactiveSince(principal.business_id, preview.cutoff, static_cast<int>(kSamples)));
    for (CustomerId id : ids) {
      CRM_ASSIGN_OR_RETURN(domain::Customer customer, tx.customers().Get(principal.business_id, id));
      if (!customer.name.empty()) {
        preview.samples.push_back(domain::MaskName(customer.name));
      } else if (!customer.phone_e164.empty()) {
        preview.samples.push_back(domain::MaskPhone(customer.phone_e164));
      } else {
        preview.samples.push_back(fmt::format("#{}", id.value()));
      }
    }
    return Status::Ok();
  }));
  return preview;
}

Result<RetentionRun> ErasureService::RunRetention(BusinessId business, Timestamp now) {
  RetentionRun run;
  int64_t months = 0;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::ErasureRepository erasures(tx.connection());
    CRM_ASSIGN_OR_RETURN(months, erasures.RetentionMonths(business));
    return Status::Ok();
  }));
  if (months == 0) return run;
  const Timestamp cutoff = CutoffFor(now, months);
  while (true) {
    std::vector<CustomerId> ids;
    CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
      store::ErasureRepository erasures(tx.connection());
      CRM_ASSIGN_OR_RETURN(ids, erasures.InactiveSince(business, cutoff, kRetentionBatch));
      return Status::Ok();
    }));
    int64_t erased_in_batch = 0;
    for (CustomerId id : ids) {
      auto erased = EraseAs(business, nullptr, id, "retention", now);
      if (erased.ok()) {
        ++erased_in_batch;
      } else if (erased.status().code() != StatusCode::kNotFound &&
                 erased.status().code() != StatusCode::kFailedPrecondition) {
        return erased.status();  // a store failure: the next daily run carries on
      }
    }
    run.erased += erased_in_batch;
    // A batch that erased nothing would be read again: the customers left changed under us.
    if (ids.size() < static_cast<size_t>(kRetentionBatch) || erased_in_batch == 0) break;
  }
  return run;
}

Result<RetentionRun> ErasureService::RunRetentionForAll(Timestamp now) {
  std::vector<std::pair<BusinessId, int64_t>> businesses;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::ErasureRepository erasures(tx.connection());
    CRM_ASSIGN_OR_RETURN(businesses, erasures.BusinessesWithRetention());
    return Status::Ok();
  }));
  RetentionRun total;
  for (const auto& [business, months] : businesses) {
    auto run = RunRetention(business, now);
    if (!run.ok()) {
      ++total.failed;
      continue;
    }
    total.erased += run->erased;
  }
  std::vector<std::pair<BusinessId, int64_t>> access_logs;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(access_logs, tx.access_log().RetentionByBusiness());
    return Status::Ok();
  }));
  for (const auto& [business, days] : access_logs) {
    auto deleted = PruneAccessLog(business, now);
    if (!deleted.ok()) {
      ++total.failed;
      continue;
    }
    total.access_log_deleted += *deleted;
  }
  return total;
}

Result<int64_t> ErasureService::PruneAccessLog(BusinessId business, Timestamp now) {
  return store::WriteValue<int64_t>(database_, [&](store::Transaction& tx) -> Result<int64_t> {
    CRM_ASSIGN_OR_RETURN(int64_t days, tx.access_log().RetentionDays(business));
    return tx.access_log().DeleteBefore(business, now.PlusSeconds(-days * 86'400));
  });
}

}  // namespace crm::app
