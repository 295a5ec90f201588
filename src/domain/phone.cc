#include "domain/phone.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace crm::domain {
namespace {

// E.164 allows at most 15 digits; "0082 010 1234 5678" is the longest Korean spelling we accept.
constexpr size_t kMaxDigits = 15;

// The digits of a phone number as written, without separators. Fixed size: no allocation.
struct DigitScan {
  char digits[kMaxDigits];
  size_t count = 0;
  bool plus = false;  // Written with a leading '+'.
  bool valid = true;  // Only digits, separators and one leading '+'; at most kMaxDigits digits.
  std::string_view view() const { return {digits, count}; }
};

bool IsAsciiSeparator(char c) {
  return c == '-' || c == ' ' || c == '.' || c == '(' || c == ')' || c == '\t';
}

// Length of a non-ASCII separator starting at text[i] that spreadsheets and word processors put
// into numbers (NBSP, U+2010..U+2015 dashes, U+2212 minus, U+3000 space, U+FF0D), else 0.
size_t Utf8SeparatorLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const size_t left = text.size() - i;
  if (left >= 2 && byte(0) == 0xC2 && byte(1) == 0xA0) return 2;
  if (left < 3) return 0;
  if (byte(0) == 0xE2 && byte(1) == 0x80 && byte(2) >= 0x90 && byte(2) <= 0x95) return 3;
  if (byte(0) == 0xE2 && byte(1) == 0x88 && byte(2) == 0x92) return 3;
  if (byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) return 3;
  if (byte(0) == 0xEF && byte(1) == 0xBC && byte(2) == 0x8D) return 3;
  return 0;
}

DigitScan ScanDigits(std::string_view text) {
  DigitScan scan;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      if (scan.count == kMaxDigits) {
        scan.valid = false;
        return scan;
      }
      scan.digits[scan.count++] = c;
    } else if (c == '+' && scan.count == 0 && !scan.plus) {
      scan.plus = true;
    } else if (IsAsciiSeparator(c)) {
      continue;
    } else if (const size_t length = Utf8SeparatorLength(text, i); length > 0) {
      i += length - 1;
    } else {
      scan.valid = false;
      return scan;
    }
  }
  return scan;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// 15xx/16xx/18xx nationwide business numbers: 8 digits, dialled without an area code.
bool IsNationwideNumber(std::string_view digits) {
  return digits.size() == 8 && digits[0] == '1' &&
         (digits[1] == '5' || digits[1] == '6' || digits[1] == '8');
}

// The geographic area codes 031-033, 041-044, 051-055 and 061-064.
bool IsAreaCode(std::string_view national) {
  if (national.size() < 3 || national[0] != '0') return false;
  const char region = national[1];
  const char district = national[2];
  if (region < '3' || region > '6' || district < '1') return false;
  constexpr char kLastDistrict[] = {'3', '4', '5', '4'};  // For regions 3, 4, 5 and 6.
  return district <= kLastDistrict[region - '3'];
}

// Whether `national` (with its leading 0, or a bare 15xx number) is a Korean number of a known
// type.
bool IsValidKoreanNational(std::string_view national) {
  const size_t length = national.size();
  if (IsNationwideNumber(national)) return true;
  if (length < 9 || national[0] != '0') return false;
  if (national[1] == '2') return length == 9 || length == 10;  // Seoul.
  if (StartsWith(national, "010")) return length == 11;
  if (national[1] == '1') {  // 011 and 016-019 from before the 010 merger.
    const char carrier = national[2];
    return (carrier == '1' || (carrier >= '6' && carrier <= '9')) && (length == 10 || length == 11);
  }
  if (StartsWith(national, "070")) return length == 11;
  if (StartsWith(national, "050")) {  // 0502-0508 safe (virtual) numbers.
    return national[3] >= '2' && national[3] <= '8' && (length == 11 || length == 12);
  }
  return IsAreaCode(national) && (length == 10 || length == 11);
}

// A resident registration number "YYMMDD-NNNNNNN" must never be taken for a phone number, even
// when a file puts one in the phone column.
bool LooksLikeResidentRegistrationNumber(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() != 14 || text[6] != '-') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i != 6 && (text[i] < '0' || text[i] > '9')) return false;
  }
  return true;
}

Status NotAPhoneNumber() { return InvalidArgument("not a valid phone number", "phone"); }

PhoneNumber MakeKorean(std::string_view national) {
  PhoneNumber phone;
  const std::string_view subscriber = national[0] == '0' ? national.substr(1) : national;
  phone.e164.reserve(3 + subscriber.size());
  phone.e164.append("+82").append(subscriber);
  phone.national.assign(national);
  phone.last4.assign(national.substr(national.size() - 4));
  return phone;
}

// `rest` follows a +82, 82 or 0082 prefix: "1012345678", "01012345678" (written +82 (0)10...)
// or a nationwide "15881234".
Result<PhoneNumber> ParseAfterCountryCode(std::string_view rest) {
  if (rest.empty()) return NotAPhoneNumber();
  if (rest[0] == '0' || IsNationwideNumber(rest)) {
    if (!IsValidKoreanNational(rest)) return NotAPhoneNumber();
    return MakeKorean(rest);
  }
  char national[kMaxDigits + 1];
  if (rest.size() > kMaxDigits) return NotAPhoneNumber();
  national[0] = '0';
  rest.copy(national + 1, rest.size());
  const std::string_view view(national, rest.size() + 1);
  if (!IsValidKoreanNational(view)) return NotAPhoneNumber();
  return MakeKorean(view);
}

Result<PhoneNumber> ParseForeign(std::string_view digits) {
  if (digits.size() < 8 || digits[0] == '0') return NotAPhoneNumber();
  PhoneNumber phone;
  phone.e164.reserve(digits.size() + 1);
  phone.e164.append("+").append(digits);
  phone.national.assign(digits);
  phone.last4.assign(digits.substr(digits.size() - 4));
  return phone;
}

}  // namespace

Result<PhoneNumber> ParsePhone(std::string_view text) {
  if (LooksLikeResidentRegistrationNumber(text)) {
    return InvalidArgument("looks like a resident registration number, not a phone number",
                           "phone");
  }
  const DigitScan scan = ScanDigits(text);
  if (!scan.valid || scan.count < 8) return NotAPhoneNumber();
  const std::string_view digits = scan.view();

  if (scan.plus) {
    if (StartsWith(digits, "82")) return ParseAfterCountryCode(digits.substr(2));
    return ParseForeign(digits);
  }
  if (StartsWith(digits, "0082")) return ParseAfterCountryCode(digits.substr(4));
  if (digits[0] == '0') {
    if (!IsValidKoreanNational(digits)) return NotAPhoneNumber();
    return MakeKorean(digits);
  }
  if (IsNationwideNumber(digits)) return MakeKorean(digits);
  // "821012345678" is +82 written without the plus; "1012345678" lost its leading 0 (a spreadsheet
  // read it as a number). There is no 082 prefix, so a leading 82 is always the country code.
  if (StartsWith(digits, "82")) return ParseAfterCountryCode(digits.substr(2));
  return ParseAfterCountryCode(digits);
}

std::string PhoneDigits(std::string_view text) {
  const DigitScan scan = ScanDigits(text);
  if (!scan.valid || scan.count < 4) return {};
  return std::string(scan.view());
}

}  // namespace crm::domain
