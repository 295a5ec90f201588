#include "domain/korean_text.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace crm::domain {
namespace {

constexpr UChar32 kFirstSyllable = 0xAC00;         // 가
constexpr UChar32 kLastSyllable = 0xD7A3;          // 힣
constexpr UChar32 kSyllablesPerInitial = 21 * 28;  // Medials times finals: 588.
constexpr UChar32 kFirstChoseong = 0x1100;  // Conjoining ᄀ; ᄀ..ᄒ are the 19 initials in order.
constexpr UChar32 kLastChoseong = 0x1112;

// The 19 initials as compatibility jamo, in syllable order: ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ.
constexpr UChar32 kCompatibilityInitials[19] = {
    0x3131, 0x3132, 0x3134, 0x3137, 0x3138, 0x3139, 0x3141, 0x3142, 0x3143, 0x3145,
    0x3146, 0x3147, 0x3148, 0x3149, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E};

// Compound family names, each two syllables of 3 UTF-8 bytes (DATA-02).
constexpr std::string_view kCompoundFamilyNames[] = {"남궁", "황보", "제갈", "선우", "서문",
                                                     "독고", "사공", "동방", "어금", "망절"};

// ICU's macros index with int32_t; names and search text are far shorter than that.
int32_t Utf8Length(std::string_view text) {
  constexpr size_t kMax = std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(text.size() < kMax ? text.size() : kMax);
}

const uint8_t* Bytes(std::string_view text) {
  return reinterpret_cast<const uint8_t*>(text.data());
}

// Decodes the code point at text[i] and advances i; ill-formed bytes give a negative value.
UChar32 NextCodePoint(std::string_view text, int32_t& i) {
  UChar32 c;
  U8_NEXT(Bytes(text), i, Utf8Length(text), c);
  return c;
}

void AppendCodePoint(std::string& out, UChar32 c) {
  char buffer[U8_MAX_LENGTH];
  int32_t length = 0;
  U8_APPEND_UNSAFE(buffer, length, c);
  out.append(buffer, static_cast<size_t>(length));
}

bool IsHangulSyllable(UChar32 c) { return c >= kFirstSyllable && c <= kLastSyllable; }

// The compatibility jamo a user would type for the initial of `c`, or 0 when `c` has none: a
// syllable gives its initial, a lone conjoining initial its compatibility form, and a compatibility
// initial itself.
UChar32 InitialJamo(UChar32 c) {
  if (IsHangulSyllable(c)) {
    return kCompatibilityInitials[(c - kFirstSyllable) / kSyllablesPerInitial];
  }
  if (c >= kFirstChoseong && c <= kLastChoseong) return kCompatibilityInitials[c - kFirstChoseong];
  if (c < kCompatibilityInitials[0] || c > kCompatibilityInitials[18]) return 0;
  for (UChar32 initial : kCompatibilityInitials) {
    if (c == initial) return c;
  }
  return 0;
}

bool IsCompatibilityInitial(UChar32 c) {
  return c >= kCompatibilityInitials[0] && c <= kCompatibilityInitials[18] && InitialJamo(c) == c;
}

const icu::Normalizer2& Nfc() {
  static const icu::Normalizer2* const nfc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* instance = icu::Normalizer2::getNFCInstance(status);
    CRM_CHECK(U_SUCCESS(status) && instance != nullptr);  // Fails only without ICU data.
    return instance;
  }();
  return *nfc;
}

// Returns `text` itself when it is already NFC (the common case: no copy), else its NFC form
// written into `storage`.
std::string_view ToNfc(std::string_view text, std::string& storage) {
  const icu::StringPiece piece(text.data(), Utf8Length(text));
  UErrorCode status = U_ZERO_ERROR;
  if (Nfc().isNormalizedUTF8(piece, status) || U_FAILURE(status)) return text;
  icu::StringByteSink<std::string> sink(&storage, static_cast<int32_t>(text.size()));
  Nfc().normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return text;
  return storage;
}

std::string_view TrimSpace(std::string_view text) {
  int32_t begin = 0;
  const int32_t length = Utf8Length(text);
  while (begin < length) {
    int32_t next = begin;
    if (!u_isspace(NextCodePoint(text, next))) break;
    begin = next;
  }
  int32_t end = length;
  while (end > begin) {
    int32_t previous = end;
    UChar32 c;
    U8_PREV(Bytes(text), begin, previous, c);
    if (!u_isspace(c)) break;
    end = previous;
  }
  return text.substr(begin, end - begin);
}

bool ContainsHangulSyllable(std::string_view text) {
  for (int32_t i = 0; i < Utf8Length(text);) {
    if (IsHangulSyllable(NextCodePoint(text, i))) return true;
  }
  return false;
}

// Where the first and the last run of white space in `text` start and end; npos when none.
struct SpaceRuns {
  size_t first_begin = std::string_view::npos;
  size_t first_end = std::string_view::npos;
  size_t last_begin = std::string_view::npos;
  size_t last_end = std::string_view::npos;
};

SpaceRuns FindSpaceRuns(std::string_view text) {
  SpaceRuns runs;
  bool in_run = false;
  for (int32_t i = 0; i < Utf8Length(text);) {
    const int32_t start = i;
    const bool space = u_isspace(NextCodePoint(text, i));
    if (space && !in_run) {
      runs.last_begin = start;
      if (runs.first_begin == std::string_view::npos) runs.first_begin = start;
    } else if (!space && in_run) {
      runs.last_end = start;
      if (runs.first_end == std::string_view::npos) runs.first_end = start;
    }
    in_run = space;
  }
  return runs;
}

struct NameViews {
  std::string_view family;
  std::string_view given;
  bool spaced = false;  // The name was written with a space between its parts.
  bool hangul = false;
};

// SplitName without copies; MaskName reuses it.
NameViews SplitNameViews(std::string_view name) {
  NameViews parts;
  name = TrimSpace(name);
  if (name.empty()) return parts;
  parts.hangul = ContainsHangulSyllable(name);
  const SpaceRuns runs = FindSpaceRuns(name);
  if (runs.first_begin != std::string_view::npos) {
    parts.spaced = true;
    if (parts.hangul) {  // 김 철수: family first.
      parts.family = name.substr(0, runs.first_begin);
      parts.given = name.substr(runs.first_end);
    } else {  // Chulsu Kim: family last.
      parts.family = name.substr(runs.last_end);
      parts.given = name.substr(0, runs.last_begin);
    }
    return parts;
  }
  int32_t second = 0;
  if (!IsHangulSyllable(NextCodePoint(name, second))) {
    parts.given = name;  // A single word in another script: no family name to find.
    return parts;
  }
  size_t family_length = static_cast<size_t>(second);
  int32_t third = second;
  if (third < Utf8Length(name) && IsHangulSyllable(NextCodePoint(name, third)) &&
      third < Utf8Length(name)) {
    for (std::string_view compound : kCompoundFamilyNames) {
      if (name.substr(0, compound.size()) == compound) family_length = compound.size();
    }
  }
  parts.family = name.substr(0, family_length);
  parts.given = name.substr(family_length);
  return parts;
}

// Masks every code point but the last of `given` with '*', keeping white space as it is.
void AppendMaskedGiven(std::string& out, std::string_view given) {
  int32_t last_start = 0;
  for (int32_t i = 0; i < Utf8Length(given);) {
    last_start = i;
    NextCodePoint(given, i);
  }
  for (int32_t i = 0; i < last_start;) {
    const UChar32 c = NextCodePoint(given, i);
    out.push_back(u_isspace(c) ? ' ' : '*');
  }
  if (last_start > 0) {
    out.append(given.substr(last_start));
  } else if (!given.empty()) {
    out.push_back('*');  // A one-syllable given name is hidden entirely.
  }
}

// "John Smith" → "J*** S****": each word keeps its first character.
std::string MaskWords(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool word_start = true;
  for (int32_t i = 0; i < Utf8Length(name);) {
    const int32_t start = i;
    const UChar32 c = NextCodePoint(name, i);
    if (u_isspace(c)) {
      if (!word_start) out.push_back(' ');
      word_start = true;
    } else if (word_start) {
      out.append(name.substr(start, i - start));
      word_start = false;
    } else {
      out.push_back('*');
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The fallback for text that is not an E.164 number: every digit but the last 4 becomes '*'.
std::string MaskDigits(std::string_view text) {
  size_t digit_count = 0;
  for (char c : text) digit_count += IsDigit(c);
  std::string out(text);
  size_t seen = 0;
  for (char& c : out) {
    if (IsDigit(c) && ++seen + 4 <= digit_count) c = '*';
  }
  return out;
}

// Groups a Korean national number as staff write it and hides the middle group:
// 010-****-5678, 02-***-4567, 0505-***-1234, ****-1234 for 15xx numbers.
std::string MaskKoreanNational(std::string_view national) {
  const size_t length = national.size();
  if (length == 8 && national[0] == '1') return "****-" + std::string(national.substr(4));
  if (length < 9 || national[0] != '0') return MaskDigits(national);
  size_t prefix = 3;  // 010, 031, 070: the usual three-digit prefix.
  if (national[1] == '2') {
    prefix = 2;  // Seoul.
  } else if (national.substr(0, 3) == "050") {
    prefix = 4;  // 0505.
  }
  const size_t middle = length - prefix - 4;
  if (middle < 3 || middle > 4) return MaskDigits(national);
  std::string out;
  out.reserve(length + 2);
  out.append(national.substr(0, prefix)).append("-").append(middle, '*').append("-");
  out.append(national.substr(length - 4));
  return out;
}

// ITU-T E.164 country codes are 1 digit (1, 7), these 2 digits, or else 3 digits.
size_t CountryCodeLength(std::string_view digits) {
  if (digits[0] == '1' || digits[0] == '7') return 1;
  constexpr int kTwoDigitCodes[] = {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46,
                                    47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63,
                                    64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98};
  const int prefix = (digits[0] - '0') * 10 + (digits[1] - '0');
  for (int code : kTwoDigitCodes) {
    if (code == prefix) return 2;
  }
  return 3;
}

}  // namespace

Result<std::string> NormalizeText(std::string_view text) {
  if (text.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return InvalidArgument("text is too long");
  }
  std::string collapsed;
  collapsed.reserve(text.size());
  bool ascii = true;
  bool pending_space = false;
  for (int32_t i = 0; i < Utf8Length(text);) {
    const int32_t start = i;
    const UChar32 c = NextCodePoint(text, i);
    if (c < 0) return InvalidArgument("text is not valid UTF-8");
    if (u_isspace(c)) {
      pending_space = !collapsed.empty();
      continue;
    }
    if (pending_space) collapsed.push_back(' ');
    pending_space = false;
    ascii = ascii && c < 0x80;
    collapsed.append(text.substr(start, i - start));
  }
  if (ascii) return collapsed;
  std::string storage;
  if (ToNfc(collapsed, storage).data() == collapsed.data()) return collapsed;
  return storage;
}

bool HasControlCharacter(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') return true;
    if (byte == 0x7F) return true;
    // U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return true;
  }
  return false;
}

std::string NameSearchKey(std::string_view nfc_name) {
  std::string key;
  key.reserve(nfc_name.size());
  bool ascii = true;
  for (int32_t i = 0; i < Utf8Length(nfc_name);) {
    const char byte = nfc_name[i];
    if (static_cast<unsigned char>(byte) < 0x80) {  // ASCII fast path.
      ++i;
      if (u_isspace(byte)) continue;
      key.push_back(byte >= 'A' && byte <= 'Z' ? static_cast<char>(byte - 'A' + 'a') : byte);
      continue;
    }
    const UChar32 c = NextCodePoint(nfc_name, i);
    if (c < 0 || u_isspace(c)) continue;  // Ill-formed bytes are dropped, never passed on.
    ascii = false;
    AppendCodePoint(key, u_tolower(c));
  }
  if (ascii) return key;
  std::string storage;
  if (ToNfc(key, storage).data() == key.data()) return key;
  return storage;
}

std::string InitialConsonantKey(std::string_view nfc_text) {
  std::string storage;
  const std::string_view text = ToNfc(nfc_text, storage);
  std::string key;
  for (int32_t i = 0; i < Utf8Length(text);) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {  // ASCII: never part of the key.
      ++i;
      continue;
    }
    if (const UChar32 initial = InitialJamo(NextCodePoint(text, i)); initial != 0) {
      AppendCodePoint(key, initial);
    }
  }
  return key;
}

bool IsInitialConsonantQuery(std::string_view nfc_query) {
  std::string storage;
  const std::string_view query = ToNfc(nfc_query, storage);
  if (query.empty()) return false;
  for (int32_t i = 0; i < Utf8Length(query);) {
    if (!IsCompatibilityInitial(NextCodePoint(query, i))) return false;
  }
  return true;
}

NameParts SplitName(std::string_view nfc_name) {
  const NameViews parts = SplitNameViews(nfc_name);
  return NameParts{std::string(parts.family), std::string(parts.given)};
}

std::string MaskName(std::string_view nfc_name) {
  const NameViews parts = SplitNameViews(nfc_name);
  if (!parts.hangul) return MaskWords(nfc_name);
  std::string out;
  out.reserve(nfc_name.size() + 1);
  out.append(parts.family);
  if (parts.spaced) out.push_back(' ');
  AppendMaskedGiven(out, parts.given);
  return out;
}

std::string MaskEmail(std::string_view email) {
  if (email.empty()) return std::string();
  const size_t at = std::min(email.find('@'), email.size());
  // The first byte of an e-mail's local part is ASCII in practice; a multi-byte first character
  // is masked whole rather than cut.
  const size_t keep = static_cast<unsigned char>(email[0]) < 0x80 && at > 0 ? 1 : 0;
  std::string masked(email.substr(0, keep));
  masked.append(at - keep, '*');
  masked.append(email.substr(at));
  return masked;
}

std::string MaskPhone(std::string_view e164) {
  if (e164.size() < 6 || e164[0] != '+') return MaskDigits(e164);
  const std::string_view digits = e164.substr(1);
  for (char c : digits) {
    if (!IsDigit(c)) return MaskDigits(e164);
  }
  if (digits.substr(0, 2) == "82") {
    const std::string_view subscriber = digits.substr(2);
    const bool nationwide = subscriber.size() == 8 && subscriber[0] == '1';
    if (nationwide || subscriber[0] == '0') return MaskKoreanNational(subscriber);
    char national[16];
    if (subscriber.size() + 1 > sizeof(national)) return MaskDigits(e164);
    national[0] = '0';
    subscriber.copy(national + 1, subscriber.size());
    return MaskKoreanNational(std::string_view(national, subscriber.size() + 1));
  }
  const size_t country = CountryCodeLength(digits);
  if (digits.size() < country + 5) return MaskDigits(e164);
  std::string out;
  out.reserve(e164.size() + 1);
  out.append("+").append(digits.substr(0, country)).append(" ");
  out.append(digits.size() - country - 4, '*').append(digits.substr(digits.size() - 4));
  return out;
}

}  // namespace crm::domain
