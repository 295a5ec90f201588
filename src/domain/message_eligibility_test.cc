#include <set>

#include <gtest/gtest.h>

#include "domain/message_rules.h"

namespace crm::domain {
namespace {

constexpr int kSeoul = 540;

// A moment given in Seoul local time (UTC+9).
Timestamp Kst(int year, int month, int day, int hour, int minute) {
  return Timestamp::FromSeconds(DaysFromCivil(year, month, day) * 86'400 + hour * 3600 + minute * 60 - kSeoul * 60);
}

// An advertising SMS to a customer who consented on 2026-06-01 and whose day is 2026-12-07 14:00 KST.
RecipientSnapshot Consented(Channel channel = Channel::kSms) {
  RecipientSnapshot r;
  r.channel = channel;
  r.purpose = Purpose::kAdvertising;
  r.channel_consent = ConsentState{true, Kst(2026, 6, 1, 10, 0)};
  r.now = Kst(2026, 12, 7, 14, 0);
  r.utc_offset_minutes = kSeoul;
  return r;
}

TEST(EligibilityTest, ConsentedCustomerGetsAdvertisingByDay) {
  EXPECT_EQ(CheckRecipient(Consented()), std::nullopt);
}

// ADV-01: prior opt-in; an opt-out always wins.
TEST(EligibilityTest, AdvertisingWithoutConsentIsExcluded) {
  RecipientSnapshot r = Consented();
  r.channel_consent.reset();
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kNoConsent);
  r.channel_consent = ConsentState{false, Kst(2026, 11, 1, 9, 0)};  // withdrawn
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kNoConsent);
}

// ADV-01: the six-month exception after a transaction, and only until it ends.
TEST(EligibilityTest, TransactionExceptionAllowsAdvertisingUntilItEnds) {
  RecipientSnapshot r = Consented();
  r.channel_consent.reset();
  r.transaction_exception_until = r.now.PlusSeconds(1);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.transaction_exception_until = r.now;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kNoConsent);
  // An explicit opt-out beats the exception.
  r.transaction_exception_until = r.now.PlusSeconds(86'400);
  r.opted_out_080 = true;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kOptedOut080);
}

// ADV-01: leaving membership counts as opting out, for every message.
TEST(EligibilityTest, WithdrawnAndErasedGetNothing) {
  RecipientSnapshot r = Consented();
  r.purpose = Purpose::kInformational;
  r.withdrawn = true;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kWithdrawn);
  r.erased = true;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kErased);
}

// MSG-01, ADV-06: informational messages need no marketing consent, and are never held at night.
TEST(EligibilityTest, InformationalNeedsNoMarketingConsentNorDaytime) {
  RecipientSnapshot r = Consented();
  r.purpose = Purpose::kInformational;
  r.channel_consent = ConsentState{false, Kst(2026, 11, 1, 9, 0)};
  r.now = Kst(2026, 12, 7, 23, 30);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.channel = Channel::kAlimTalk;
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
}

// ADV-02 and the test seed: an ad SMS at 20:59 KST is sent, at 21:00 held without night consent.
TEST(EligibilityTest, NightWindowHoldsAdvertisingWithoutNightConsent) {
  RecipientSnapshot r = Consented();
  r.now = Kst(2026, 12, 7, 20, 59);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.now = Kst(2026, 12, 7, 21, 0);
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kNightWithoutConsent);
  r.now = Kst(2026, 12, 8, 7, 59);
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kNightWithoutConsent);
  r.now = Kst(2026, 12, 8, 8, 0);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  EXPECT_TRUE(IsTemporary(ExclusionReason::kNightWithoutConsent));
}

TEST(EligibilityTest, NightConsentAllowsNightAdvertising) {
  RecipientSnapshot r = Consented();
  r.now = Kst(2026, 12, 7, 22, 0);
  r.night_consent = ConsentState{true, Kst(2026, 6, 1, 10, 0)};
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.night_consent = ConsentState{false, Kst(2026, 7, 1, 10, 0)};
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kNightWithoutConsent);
}

// ADV-02: e-mail is exempt from the night window.
TEST(EligibilityTest, EmailIsExemptFromNightWindow) {
  RecipientSnapshot r = Consented(Channel::kEmail);
  r.now = Kst(2026, 12, 7, 23, 0);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
}

// The night window is the business's local time, not UTC (DATA-05).
TEST(EligibilityTest, NightWindowUsesTheBusinessTimeZone) {
  RecipientSnapshot r = Consented();
  r.now = Kst(2026, 12, 7, 22, 0);  // 13:00 UTC
  r.utc_offset_minutes = 0;
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.utc_offset_minutes = kSeoul;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kNightWithoutConsent);
}

// MSG-03 and the test seed: a brand message at 20:50 is held, whatever its purpose or consent.
TEST(EligibilityTest, BrandMessageStopsAt2050) {
  RecipientSnapshot r = Consented(Channel::kBrandMessage);
  r.night_consent = ConsentState{true, Kst(2026, 6, 1, 10, 0)};
  r.now = Kst(2026, 12, 7, 20, 49);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.now = Kst(2026, 12, 7, 20, 50);
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kBrandMessageQuietHours);
  r.purpose = Purpose::kInformational;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kBrandMessageQuietHours);
  r.now = Kst(2026, 12, 8, 8, 0);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
}

// MSG-02: AlimTalk never carries advertising.
TEST(EligibilityTest, AdvertisingOnAlimTalkIsExcluded) {
  EXPECT_EQ(CheckRecipient(Consented(Channel::kAlimTalk)), ExclusionReason::kAdvertisingOnAlimTalk);
}

// MSG-07: an 080 opt-out suppresses advertising, not informational messages.
TEST(EligibilityTest, OptOut080SuppressesAdvertisingOnly) {
  RecipientSnapshot r = Consented();
  r.opted_out_080 = true;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kOptedOut080);
  r.purpose = Purpose::kInformational;
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
}

TEST(EligibilityTest, BouncedAndMissingAddressAreExcluded) {
  RecipientSnapshot r = Consented(Channel::kEmail);
  r.bounced = true;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kBounced);
  r.has_address = false;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kNoAddress);
}

TEST(EligibilityTest, FrequencyCapCountsAdvertisingOnly) {
  RecipientSnapshot r = Consented();
  r.frequency_cap = 2;
  r.recent_advertising_count = 1;
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.recent_advertising_count = 2;
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kFrequencyCap);
  r.purpose = Purpose::kInformational;
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.purpose = Purpose::kAdvertising;
  r.frequency_cap = 0;  // no cap
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
}

// ADV-05 and the test seed: consent of 2024-03-01 must be reconfirmed by 2026-03-01.
TEST(EligibilityTest, ConsentOlderThanTwoYearsNeedsReconfirmation) {
  EXPECT_EQ(ReconfirmationDue(Kst(2024, 3, 1, 10, 0), kSeoul), (Date{2026, 3, 1}));
  // 00:30 KST on 1 March is still 28 February in UTC; the due date follows the local calendar.
  EXPECT_EQ(ReconfirmationDue(Kst(2024, 3, 1, 0, 30), kSeoul), (Date{2026, 3, 1}));
  EXPECT_EQ(ReconfirmationDue(Kst(2024, 2, 29, 12, 0), kSeoul), (Date{2026, 2, 28}));

  RecipientSnapshot r = Consented();
  r.channel_consent = ConsentState{true, Kst(2024, 3, 1, 10, 0)};
  r.now = Kst(2026, 3, 1, 15, 0);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  r.now = Kst(2026, 3, 2, 9, 0);
  EXPECT_EQ(CheckRecipient(r), ExclusionReason::kConsentNotReconfirmed);
  // A reconfirmation notice restarts the two years; silence means consent continues.
  r.reconfirmed_at = Kst(2026, 2, 20, 11, 0);
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
  // Informational messages are untouched by reconfirmation.
  r.reconfirmed_at.reset();
  r.purpose = Purpose::kInformational;
  EXPECT_EQ(CheckRecipient(r), std::nullopt);
}

TEST(EligibilityTest, ReasonsHaveFixedNames) {
  std::set<std::string> names;
  for (int value = 1; value <= 11; ++value) {
    auto reason = static_cast<ExclusionReason>(value);
    std::string name = ToString(reason);
    EXPECT_NE(name, "unknown");
    EXPECT_EQ(ParseExclusionReason(name), reason);
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 11u);
  EXPECT_EQ(static_cast<int>(ExclusionReason::kFrequencyCap), 11);
}

TEST(SendWindowTest, NextWindowIsEightLocal) {
  EXPECT_EQ(NextSendWindow(Kst(2026, 12, 7, 21, 30), Channel::kSms, kSeoul), Kst(2026, 12, 8, 8, 0));
  EXPECT_EQ(NextSendWindow(Kst(2026, 12, 8, 2, 0), Channel::kLms, kSeoul), Kst(2026, 12, 8, 8, 0));
  EXPECT_EQ(NextSendWindow(Kst(2026, 12, 7, 20, 55), Channel::kBrandMessage, kSeoul), Kst(2026, 12, 8, 8, 0));
  EXPECT_EQ(NextSendWindow(Kst(2026, 12, 7, 20, 55), Channel::kSms, kSeoul), Kst(2026, 12, 7, 20, 55));
  EXPECT_EQ(NextSendWindow(Kst(2026, 12, 7, 23, 0), Channel::kEmail, kSeoul), Kst(2026, 12, 7, 23, 0));
}

// STYLE.md Errors: the outbox retries kUnavailable, kDeadlineExceeded, kResourceExhausted.
TEST(RetryTest, TransientCodesRetryOthersDeadLetter) {
  RetryPolicy policy;
  Timestamp now = Kst(2026, 12, 7, 12, 0);
  for (StatusCode code : {StatusCode::kUnavailable, StatusCode::kDeadlineExceeded, StatusCode::kResourceExhausted}) {
    EXPECT_TRUE(IsTransient(code));
    EXPECT_TRUE(DecideRetry(policy, code, 1, now, 7).retry);
  }
  for (StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kFailedPrecondition,
                          StatusCode::kPermissionDenied, StatusCode::kUnauthenticated, StatusCode::kInternal,
                          StatusCode::kNotFound, StatusCode::kAlreadyExists, StatusCode::kDataLoss}) {
    EXPECT_FALSE(IsTransient(code));
    EXPECT_FALSE(DecideRetry(policy, code, 1, now, 7).retry);
  }
}

TEST(RetryTest, BackoffGrowsWithJitterAndStopsAtMaxAttempts) {
  RetryPolicy policy{.max_attempts = 5, .base_delay_seconds = 10, .max_delay_seconds = 60};
  Timestamp now = Timestamp::FromSeconds(1'000'000);
  int64_t expected_delay[] = {10, 20, 40, 60};
  for (int attempt = 1; attempt <= 4; ++attempt) {
    RetryDecision decision = DecideRetry(policy, StatusCode::kUnavailable, attempt, now, 12345);
    ASSERT_TRUE(decision.retry);
    int64_t waited = decision.next_attempt_at.micros() - now.micros();
    EXPECT_GE(waited, expected_delay[attempt - 1] * 1'000'000 / 2) << attempt;
    EXPECT_LE(waited, expected_delay[attempt - 1] * 1'000'000) << attempt;
  }
  EXPECT_FALSE(DecideRetry(policy, StatusCode::kUnavailable, 5, now, 12345).retry);
}

TEST(RetryTest, JitterIsSeededAndSpreads) {
  RetryPolicy policy;
  Timestamp now = Timestamp::FromSeconds(1'000'000);
  EXPECT_EQ(DecideRetry(policy, StatusCode::kUnavailable, 2, now, 99).next_attempt_at,
            DecideRetry(policy, StatusCode::kUnavailable, 2, now, 99).next_attempt_at);
  std::set<int64_t> times;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    times.insert(DecideRetry(policy, StatusCode::kUnavailable, 2, now, seed).next_attempt_at.micros());
  }
  EXPECT_GT(times.size(), 40u);
}

}  // namespace
}  // namespace crm::domain
