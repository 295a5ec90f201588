#include "app/consent_service.h"

#include <fmt/format.h>

#include "app/opt_out_link.h"
#include "domain/korean_text.h"
#include "domain/message.h"
#include "domain/phone.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kDayMicros = 86'400LL * 1'000'000;
constexpr int kNoticeBatch = 1000;
constexpr size_t kMaxOptOutLines = 100'000;
const std::vector<domain::ConsentChannel> kMarketing{domain::ConsentChannel::kSms, domain::ConsentChannel::kKakao,
                                                     domain::ConsentChannel::kEmail, domain::ConsentChannel::kNight};

Status NoSuchLink() { return NotFound("this opt-out link is not valid"); }

const char* KoreanChannel(domain::ConsentChannel channel) {
  switch (channel) {
    case domain::ConsentChannel::kSms: return "문자";
    case domain::ConsentChannel::kKakao: return "카카오톡";
    case domain::ConsentChannel::kEmail: return "이메일";
    case domain::ConsentChannel::kNight: return "야간 광고";
  }
  return "";
}

std::string LocalDate(Timestamp at, int utc_offset_minutes) {
  return CivilFromDays((at.micros() / 60'000'000 + utc_offset_minutes) / (24 * 60)).ToString();
}

struct Verified {
  domain::Business business;
  domain::Customer customer;
};

Result<Verified> VerifyLink(store::Transaction& tx, const std::string& token) {
  auto subject = ParseOptOutToken(token);
  if (!subject.ok()) return NoSuchLink();
  auto business = tx.businesses().Get(subject->business_id);
  if (!business.ok()) return NoSuchLink();
  CRM_ASSIGN_OR_RETURN(auto settings, store::ConsentRepository(tx.connection()).Settings(subject->business_id));
  if (!VerifyOptOutToken(settings.opt_out_secret, token)) return NoSuchLink();
  auto customer = tx.customers().Get(subject->business_id, subject->customer_id);
  if (!customer.ok()) return NoSuchLink();
  return Verified{*business, *customer};
}

bool Receiving(const domain::Customer& customer) {
  std::map<domain::ConsentChannel, domain::Consent> latest;
  for (const domain::Consent& consent : customer.consents) {
    auto it = latest.find(consent.channel);
    if (it == latest.end() || consent.at >= it->second.at) latest[consent.channel] = consent;
  }
  for (const auto& [channel, consent] : latest) {
    if (consent.granted && channel != domain::ConsentChannel::kNight) return true;
  }
  return false;
}

// The informational message of a notice to the customer, by SMS when they have a phone, else by
// e-mail; never AlimTalk (MSG-02).
std::optional<domain::OutboxMessage> NoticeMessage(const domain::Business& business, const domain::Customer& customer,
                                                   const std::string& sender, std::string text, std::string key,
                                                   Timestamp now) {
  domain::OutboxMessage m;
  m.business_id = business.id;
  m.customer_id = customer.id;
  m.purpose = domain::Purpose::kInformational;
  if (!customer.phone_e164.empty()) {
    m.recipient = customer.phone_e164;
    m.sender = sender;
    auto channel = domain::ClassifyTextMessage(text, false);
    m.channel = channel.ok() ? *channel : domain::Channel::kLms;
  } else if (!customer.email.empty()) {
    m.recipient = customer.email;
    m.channel = domain::Channel::kEmail;
    m.subject = fmt::format("[{}] 광고성 정보 수신 안내", business.name);
  } else {
    return std::nullopt;
  }
  m.body = std::move(text);
  m.idempotency_key = std::move(key);
  m.next_attempt_at = now;
  return m;
}

}  // namespace

ConsentService::ConsentService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Result<OptOutPage> ConsentService::Page(const std::string& token) {
  return store::ReadValue<OptOutPage>(database_, [&](store::Transaction& tx) -> Result<OptOutPage> {
    CRM_ASSIGN_OR_RETURN(Verified verified, VerifyLink(tx, token));
    return OptOutPage{verified.business.name, domain::MaskName(verified.customer.name), Receiving(verified.customer)};
  });
}

Result<OptOutPage> ConsentService::OptOut(const std::string& token) {
  const Timestamp now = clock_.Now();
  return store::WriteValue<OptOutPage>(database_, [&](store::Transaction& tx) -> Result<OptOutPage> {
    CRM_ASSIGN_OR_RETURN(Verified verified, VerifyLink(tx, token));
    if (Receiving(verified.customer)) {
      store::ConsentRepository consents(tx.connection());
      for (domain::ConsentChannel channel : kMarketing) {
        CRM_RETURN_IF_ERROR(consents.RecordConsent(verified.business.id, verified.customer.id,
                                                   {channel, false, now, "opt_out_page"}));
      }
    }
    return OptOutPage{verified.business.name, domain::MaskName(verified.customer.name), false};
  });
}

Result<std::string> ConsentService::LinkFor(const Principal& principal, CustomerId customer) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  return store::WriteValue<std::string>(database_, [&](store::Transaction& tx) -> Result<std::string> {
    CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, customer));
    if (!exists) return NotFound("customer not found");
    store::ConsentRepository consents(tx.connection());
    CRM_ASSIGN_OR_RETURN(auto settings, consents.Settings(principal.business_id));
    if (settings.opt_out_secret.empty()) {
      settings.opt_out_secret = NewOptOutKey();
      settings.updated_at = now;
      CRM_RETURN_IF_ERROR(consents.SaveSettings(settings));
    }
    return OptOutUrl(settings.public_base_url, OptOutToken(settings.opt_out_secret, principal.business_id, customer));
  });
}

Status ConsentService::Withdraw(BusinessId business, CustomerId customer,
                                const std::vector<domain::ConsentChannel>& channels, const std::string& source) {
  const Timestamp now = clock_.Now();
  return database_.Write([&](store::Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
    store::ConsentRepository consents(tx.connection());
    for (domain::ConsentChannel channel : channels) {
      CRM_RETURN_IF_ERROR(consents.RecordConsent(business, customer, {channel, false, now, source}));
    }
    return Status::Ok();
  });
}

Status ConsentService::RecordOptOut(const Principal& principal, CustomerId customer,
                                    std::vector<domain::ConsentChannel> channels) {
  if (channels.empty()) channels = kMarketing;
  return Withdraw(principal.business_id, customer, channels, "counter");
}

Result<std::vector<store::ConsentEvent>> ConsentService::History(const Principal& principal, CustomerId customer) {
  return store::ReadValue<std::vector<store::ConsentEvent>>(
      database_, [&](store::Transaction& tx) -> Result<std::vector<store::ConsentEvent>> {
        CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, customer));
        if (!exists) return NotFound("customer not found");
        return store::ConsentRepository(tx.connection()).History(principal.business_id, customer);
      });
}

Result<int64_t> ConsentService::AddOptOuts080(const Principal& principal, const std::vector<std::string>& numbers) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (numbers.size() > kMaxOptOutLines) return InvalidArgument("at most 100,000 numbers", "numbers");
  std::vector<std::string> parsed;
  for (size_t i = 0; i < numbers.size(); ++i) {
    auto phone = domain::ParsePhone(numbers[i]);
    if (!phone.ok()) return InvalidArgument("not a phone number", fmt::format("numbers[{}]", i));
    parsed.push_back(phone->e164);
  }
  const Timestamp now = clock_.Now();
  return store::WriteValue<int64_t>(database_, [&](store::Transaction& tx) -> Result<int64_t> {
    store::ConsentRepository consents(tx.connection());
    int64_t added = 0;
    for (const std::string& number : parsed) {
      CRM_ASSIGN_OR_RETURN(bool fresh,
                           consents.Suppress(principal.business_id,
                                             {number, domain::SuppressionReason::kOptOut080, "080", now}));
      added += fresh ? 1 : 0;
    }
    return added;
  });
}

Status ConsentService::Suppress(BusinessId business, const std::string& address, domain::SuppressionReason reason,
                                const std::string& source) {
  const Timestamp now = clock_.Now();
  return database_.Write([&](store::Transaction& tx) -> Status {
    return store::ConsentRepository(tx.connection()).Suppress(business, {address, reason, source, now}).status();
  });
}

Result<std::vector<store::Suppression>> ConsentService::Suppressions(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<std::vector<store::Suppression>>(database_, [&](store::Transaction& tx) {
    return store::ConsentRepository(tx.connection()).Suppressions(principal.business_id);
  });
}

Status ConsentService::Unsuppress(const Principal& principal, const std::string& address) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  std::string key = address;
  if (auto phone = domain::ParsePhone(address); phone.ok()) key = phone->e164;
  return database_.Write([&](store::Transaction& tx) {
    return store::ConsentRepository(tx.connection()).Unsuppress(principal.business_id, key);
  });
}

Result<NoticeCounts> ConsentService::QueueConsentNotices(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  const BusinessId business_id = principal.business_id;
  return store::WriteValue<NoticeCounts>(database_, [&](store::Transaction& tx) -> Result<NoticeCounts> {
    NoticeCounts counts;
    store::ConsentRepository consents(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::Business business, tx.businesses().Get(business_id));
    CRM_ASSIGN_OR_RETURN(auto numbers, consents.SenderNumbers(business_id));
    const std::string sender = numbers.empty() ? std::string() : numbers.front().number;
    std::vector<domain::OutboxMessage> messages;
    auto queue = [&](store::NoticeKind kind, const store::PendingNotice& notice, std::string text) -> Status {
      CRM_ASSIGN_OR_RETURN(domain::Customer customer, tx.customers().Get(business_id, notice.customer_id));
      const std::string key = fmt::format("consent-{}-{}-{}-{}", static_cast<int>(kind), notice.customer_id.value(),
                                          static_cast<int>(notice.channel), notice.decided_at.micros());
      auto message = NoticeMessage(business, customer, sender, std::move(text), key, now);
      CRM_ASSIGN_OR_RETURN(bool fresh, consents.RecordNotice(business_id, kind, notice, now));
      if (!fresh) return Status::Ok();
      if (!message) {
        ++counts.without_address;
        return Status::Ok();
      }
      ++(kind == store::NoticeKind::kConfirmation ? counts.confirmations : counts.reconfirmations);
      messages.push_back(std::move(*message));
      return Status::Ok();
    };
    const Timestamp since = Timestamp::FromMicros(now.micros() - 14 * kDayMicros);
    CRM_ASSIGN_OR_RETURN(auto confirmations, consents.PendingConfirmations(business_id, since, kNoticeBatch));
    for (const store::PendingNotice& notice : confirmations) {
      std::string text = fmt::format("[{}] {} 광고성 정보 수신{}({})이 처리되었습니다.", business.name,
                                     LocalDate(notice.decided_at, business.utc_offset_minutes),
                                     notice.granted ? " 동의" : "거부", KoreanChannel(notice.channel));
      CRM_RETURN_IF_ERROR(queue(store::NoticeKind::kConfirmation, notice, std::move(text)));
    }
    // Told a month before the two years run out (ADV-05).
    const Timestamp granted_before = Timestamp::FromMicros(now.micros() - (730 - 30) * kDayMicros);
    CRM_ASSIGN_OR_RETURN(auto due, consents.PendingReconfirmations(business_id, granted_before, kNoticeBatch));
    for (const store::PendingNotice& notice : due) {
      std::string text = fmt::format(
          "[{}] 고객님은 {}에 광고성 정보({}) 수신에 동의하셨습니다. 유지하시려면 따로 하실 일은 없으며, "
          "원하지 않으시면 매장에 말씀해 주시거나 수신거부하실 수 있습니다.",
          business.name, LocalDate(notice.decided_at, business.utc_offset_minutes), KoreanChannel(notice.channel));
      CRM_RETURN_IF_ERROR(queue(store::NoticeKind::kReconfirmation, notice, std::move(text)));
    }
    if (!messages.empty()) CRM_RETURN_IF_ERROR(store::OutboxRepository(tx.connection()).Enqueue(messages, now));
    return counts;
  });
}

Result<std::pair<std::string, std::string>> ConsentService::ProcessorsText(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(auto settings, store::ReadValue<domain::MessagingSettings>(database_, [&](store::Transaction& tx) {
                         return store::ConsentRepository(tx.connection()).Settings(principal.business_id);
                       }));
  struct Processor {
    const char* key;
    const char* korean;
    const char* english;
  };
  static constexpr Processor kProcessors[] = {
      {"solapi", "(주)솔라피", "Solapi Inc."},
      {"nhn", "NHN Cloud(엔에이치엔클라우드 주식회사)", "NHN Cloud Corp."},
      {"smtp", "이메일 발송 서비스 제공자", "the e-mail sending service"},
      {"fake", "문자·카카오톡·이메일 발송 대행사", "the SMS, KakaoTalk and e-mail sending provider"},
  };
  const Processor* chosen = &kProcessors[3];
  for (const Processor& p : kProcessors) {
    if (settings.provider == p.key) chosen = &p;
  }
  std::string korean = fmt::format(
      "개인정보 처리업무의 위탁\n수탁자: {}\n위탁업무: 문자메시지(SMS/LMS), 카카오톡 알림톡·브랜드 메시지 및 이메일 "
      "발송, 수신거부 처리\n보유 및 이용기간: 위탁계약 종료 시 또는 회원 탈퇴 시까지",
      chosen->korean);
  std::string english = fmt::format(
      "Processing entrusted to others\nProcessor: {}\nTask: sending text messages (SMS/LMS), KakaoTalk AlimTalk and "
      "brand messages and e-mail, and handling opt-outs\nRetention: until the contract ends or the member leaves",
      chosen->english);
  return std::make_pair(std::move(korean), std::move(english));
}

}  // namespace crm::app
