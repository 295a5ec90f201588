// libFuzzer target for everything that parses untrusted text before it reaches the database:
// phone numbers, Unicode normalisation, name keys and masks, ISO 8601 times and dates.
// Invariants checked: no crash, and outputs of valid input are themselves well-formed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "domain/korean_text.h"
#include "domain/phone.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto phone = crm::domain::ParsePhone(text); phone.ok()) {
    CRM_CHECK(!phone->e164.empty() && phone->e164[0] == '+');
    CRM_CHECK(phone->last4.size() == 4);
    // A parsed number parses again to itself.
    auto again = crm::domain::ParsePhone(phone->e164);
    CRM_CHECK(again.ok() && again->e164 == phone->e164);
    (void)crm::domain::MaskPhone(phone->e164);
  }
  (void)crm::domain::PhoneDigits(text);
  if (auto normalized = crm::domain::NormalizeText(text); normalized.ok()) {
    auto twice = crm::domain::NormalizeText(*normalized);
    CRM_CHECK(twice.ok() && *twice == *normalized);  // idempotent
    (void)crm::domain::NameSearchKey(*normalized);
    (void)crm::domain::InitialConsonantKey(*normalized);
    (void)crm::domain::IsInitialConsonantQuery(*normalized);
    const auto parts = crm::domain::SplitName(*normalized);
    CRM_CHECK(parts.family.size() + parts.given.size() <= normalized->size());
    (void)crm::domain::MaskName(*normalized);
  }
  if (auto time = crm::Timestamp::ParseIso8601(text); time.ok()) {
    (void)time->ToIso8601();
  }
  if (auto date = crm::Date::Parse(text); date.ok()) {
    CRM_CHECK(date->IsValid());
  }
  return 0;
}
