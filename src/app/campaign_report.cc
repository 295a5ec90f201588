// CampaignService: audiences, the uplift report, a customer's messages and the messaging settings.
#include <algorithm>
#include <charconv>
#include <cctype>

#include <fmt/format.h>

#include "app/campaign_service.h"
#include "domain/phone.h"
#include "store/campaign_repository.h"
#include "store/consent_repository.h"
#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kDayMicros = 86'400LL * 1'000'000;
constexpr int kFilterPage = 200;
constexpr size_t kMaxListedIds = 100'000;

// "Cannot Lose Them" -> "cannot_lose_them", as the analytics API names RFM segments.
std::string RfmKey(analytics::RfmSegment segment) {
  std::string key(analytics::RfmSegmentName(segment));
  for (char& c : key) c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::optional<int> ParseRfmKey(const std::string& text) {
  for (int s = 1; s <= 11; ++s) {
    if (RfmKey(static_cast<analytics::RfmSegment>(s)) == text) return s;
  }
  return std::nullopt;
}

Result<std::vector<CustomerId>> ParseIds(const std::string& text) {
  std::vector<CustomerId> ids;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(",\n\r \t", start);
    if (end == std::string::npos) end = text.size();
    if (end > start) {
      int64_t value = 0;
      auto [ptr, error] = std::from_chars(text.data() + start, text.data() + end, value);
      if (error != std::errc() || ptr != text.data() + end || value <= 0) {
        return InvalidArgument(fmt::format("not a customer id: '{}'", text.substr(start, std::min<size_t>(end - start, 20))),
                               "audience.value");
      }
      ids.push_back(CustomerId(value));
      if (ids.size() > kMaxListedIds) return InvalidArgument("at most 100,000 ids", "audience.value");
    }
    start = end + 1;
  }
  if (ids.empty()) return InvalidArgument("no customer ids", "audience.value");
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

void Add(GroupFigures& figures, domain::OutcomeSample& sample, const store::RecipientOutcome& outcome) {
  ++figures.customers;
  figures.buyers += outcome.visits > 0 ? 1 : 0;
  figures.visits += outcome.visits;
  figures.revenue += outcome.revenue;
  figures.redemptions += outcome.redeemed ? 1 : 0;
  sample.visits_sum_squares += static_cast<double>(outcome.visits) * static_cast<double>(outcome.visits);
  sample.revenue_sum_squares += static_cast<double>(outcome.revenue) * static_cast<double>(outcome.revenue);
}

domain::OutcomeSample Sample(const GroupFigures& f, domain::OutcomeSample squares) {
  squares.customers = f.customers;
  squares.buyers = f.buyers;
  squares.visits = f.visits;
  squares.revenue = f.revenue;
  squares.redemptions = f.redemptions;
  return squares;
}

std::string Progress(const domain::Campaign& campaign, const std::map<domain::MessageStatus, int64_t>& messages,
                     Timestamp now) {
  using domain::CampaignStatus;
  if (campaign.status == CampaignStatus::kDraft) return "draft";
  if (campaign.status == CampaignStatus::kCancelled) return "cancelled";
  if (campaign.scheduled_at && *campaign.scheduled_at > now) return "scheduled";
  int64_t open = 0;
  for (const auto& [status, count] : messages) {
    if (status == domain::MessageStatus::kQueued || status == domain::MessageStatus::kSending) open += count;
  }
  return open > 0 ? "sending" : "done";
}

}  // namespace

Result<std::vector<CustomerId>> CampaignService::ResolveAudience(const Principal& principal, domain::AudienceKind kind,
                                                                 const std::string& value) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  std::vector<CustomerId> ids;
  switch (kind) {
    case domain::AudienceKind::kCustomerIds: return ParseIds(value);
    case domain::AudienceKind::kSegment: {
      int64_t segment_id = 0;
      auto [ptr, error] = std::from_chars(value.data(), value.data() + value.size(), segment_id);
      if (error != std::errc() || ptr != value.data() + value.size()) {
        return InvalidArgument("a saved segment id", "audience.value");
      }
      std::optional<CustomerId> after;
      do {
        CRM_ASSIGN_OR_RETURN(SegmentMembers page, segments_.Members(principal, SegmentId(segment_id), after, 500));
        for (const SegmentMember& member : page.members) ids.push_back(member.customer.id);
        after = page.next_cursor;
      } while (after);
      return ids;
    }
    case domain::AudienceKind::kRfmSegment:
    case domain::AudienceKind::kAtRisk:
    case domain::AudienceKind::kOverdue: {
      std::optional<int> rfm;
      if (kind == domain::AudienceKind::kRfmSegment) {
        rfm = ParseRfmKey(value);
        if (!rfm) return InvalidArgument("unknown RFM segment (champions, ..., lost)", "audience.value");
      }
      CRM_ASSIGN_OR_RETURN(CustomerLabels labels, analytics_.Labels(principal.business_id));
      for (size_t i = 0; i < labels.customer_id.size(); ++i) {
        const int segment = labels.segment[i];
        bool in = false;
        if (kind == domain::AudienceKind::kRfmSegment) in = segment == *rfm;
        if (kind == domain::AudienceKind::kOverdue) in = labels.overdue[i] != 0;
        if (kind == domain::AudienceKind::kAtRisk) {
          in = segment == static_cast<int>(analytics::RfmSegment::kAtRisk) ||
               segment == static_cast<int>(analytics::RfmSegment::kCannotLoseThem);
        }
        if (in) ids.push_back(CustomerId(labels.customer_id[i]));
      }
      return ids;
    }
    case domain::AudienceKind::kFilter: {
      if (!filter_parser_) return FailedPrecondition("customer filters are not available here", "audience.kind");
      CRM_ASSIGN_OR_RETURN(CustomerQuery query, filter_parser_(value));
      std::optional<CustomerId> after;
      do {
        CRM_ASSIGN_OR_RETURN(CustomerPage page, customers_.List(principal, after, kFilterPage, query));
        for (const domain::Customer& customer : page.customers) ids.push_back(customer.id);
        after = page.next_cursor;
      } while (after && ids.size() <= kMaxListedIds);
      return ids;
    }
  }
  return InvalidArgument("unknown audience kind", "audience.kind");
}

Result<CampaignReport> CampaignService::Report(const Principal& principal, CampaignId id, int window_days) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (window_days < 1 || window_days > 90) return InvalidArgument("window_days must be 1..90", "window_days");
  CampaignReport report;
  report.as_of = clock_.Now();
  report.window_days = window_days;
  std::vector<store::RecipientOutcome> outcomes;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::CampaignRepository campaigns(tx.connection());
    CRM_ASSIGN_OR_RETURN(report.campaign, campaigns.Get(principal.business_id, id));
    const domain::Campaign& c = report.campaign;
    report.window_start = c.queued_at.value_or(c.created_at);
    report.window_end = Timestamp::FromMicros(report.window_start.micros() + window_days * kDayMicros);
    CRM_ASSIGN_OR_RETURN(report.messages, store::OutboxRepository(tx.connection()).CountByStatus(principal.business_id, id));
    CRM_ASSIGN_OR_RETURN(auto recipients, campaigns.Recipients(principal.business_id, id));
    for (const domain::CampaignRecipient& r : recipients) {
      if (r.exclusion) ++report.exclusions[*r.exclusion];
    }
    if (c.status == domain::CampaignStatus::kDraft) return Status::Ok();
    CRM_ASSIGN_OR_RETURN(outcomes, campaigns.Outcomes(principal.business_id, id, report.window_start, report.window_end));
    return Status::Ok();
  }));
  report.progress = Progress(report.campaign, report.messages, report.as_of);
  domain::OutcomeSample treated_squares, control_squares;
  for (const store::RecipientOutcome& outcome : outcomes) {
    if (outcome.group == domain::RecipientGroup::kTreated) Add(report.treated, treated_squares, outcome);
    if (outcome.group == domain::RecipientGroup::kControl) Add(report.control, control_squares, outcome);
  }
  report.uplift = domain::ComputeUplift(Sample(report.treated, treated_squares), Sample(report.control, control_squares),
                                        report.campaign.cost_estimate);
  return report;
}

Result<std::vector<CustomerMessageEntry>> CampaignService::CustomerMessages(const Principal& principal,
                                                                            CustomerId customer) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<std::vector<CustomerMessageEntry>>(
      database_, [&](store::Transaction& tx) -> Result<std::vector<CustomerMessageEntry>> {
        CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, customer));
        if (!exists) return NotFound("customer not found");
        store::OutboxRepository outbox(tx.connection());
        CRM_ASSIGN_OR_RETURN(auto messages, outbox.ListForCustomer(principal.business_id, customer, 200));
        CRM_ASSIGN_OR_RETURN(auto entries,
                             store::CampaignRepository(tx.connection()).ForCustomer(principal.business_id, customer));
        std::vector<CustomerMessageEntry> out;
        for (const store::CustomerCampaignEntry& entry : entries) {
          CustomerMessageEntry item{entry.campaign_id, entry.campaign_name, entry.recipient.group,
                                    entry.recipient.exclusion, std::nullopt, entry.recipient.queued_at};
          for (const domain::OutboxMessage& m : messages) {
            if (m.campaign_id == entry.campaign_id) item.message = m;
          }
          out.push_back(std::move(item));
        }
        for (const domain::OutboxMessage& m : messages) {  // messages of no campaign (notices)
          if (!m.campaign_id) out.push_back({std::nullopt, "", domain::RecipientGroup::kTreated, std::nullopt, m, m.created_at});
        }
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at > b.at; });
        return out;
      });
}

Result<domain::MessagingSettings> CampaignService::Settings(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<domain::MessagingSettings>(database_, [&](store::Transaction& tx) {
    return store::ConsentRepository(tx.connection()).Settings(principal.business_id);
  });
}

Result<domain::MessagingSettings> CampaignService::SaveSettings(const Principal& principal,
                                                                domain::MessagingSettings settings) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  CRM_RETURN_IF_ERROR(domain::ValidateMessagingSettings(settings));
  if (!settings.opt_out_number.empty()) {
    std::string digits;
    for (char c : settings.opt_out_number) {
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    }
    if (!digits.starts_with("080") || digits.size() < 10 || digits.size() > 11) {
      return InvalidArgument("the opt-out number is an 080 number", "opt_out_number");
    }
    settings.opt_out_number = digits;
  }
  return store::WriteValue<domain::MessagingSettings>(
      database_, [&](store::Transaction& tx) -> Result<domain::MessagingSettings> {
        store::ConsentRepository consents(tx.connection());
        CRM_ASSIGN_OR_RETURN(domain::MessagingSettings stored, consents.Settings(principal.business_id));
        settings.business_id = principal.business_id;
        settings.opt_out_secret = stored.opt_out_secret;  // never set from outside
        settings.provider_credentials = stored.provider_credentials;
        settings.updated_at = clock_.Now();
        CRM_RETURN_IF_ERROR(consents.SaveSettings(settings));
        return settings;
      });
}

Result<std::vector<domain::SenderNumber>> CampaignService::SenderNumbers(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<std::vector<domain::SenderNumber>>(database_, [&](store::Transaction& tx) {
    return store::ConsentRepository(tx.connection()).SenderNumbers(principal.business_id);
  });
}

Result<domain::SenderNumber> CampaignService::AddSenderNumber(const Principal& principal, const std::string& number,
                                                              const std::string& label) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  auto parsed = domain::ParsePhone(number);
  if (!parsed.ok()) return InvalidArgument("not a phone number", "number");
  return store::WriteValue<domain::SenderNumber>(database_, [&](store::Transaction& tx) {
    return store::ConsentRepository(tx.connection())
        .AddSenderNumber({0, principal.business_id, parsed->national, label.substr(0, 100), clock_.Now()});
  });
}

Status CampaignService::RemoveSenderNumber(const Principal& principal, int64_t id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  return database_.Write([&](store::Transaction& tx) {
    return store::ConsentRepository(tx.connection()).RemoveSenderNumber(principal.business_id, id);
  });
}

}  // namespace crm::app
