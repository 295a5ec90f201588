// Korean text rules used wherever names and phone numbers enter Dangol: Unicode normalisation,
// initial-consonant (초성) keys for counter search, family/given name splitting with compound
// surnames, and the one masking scheme used on every screen and export (PIPA-07).
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace crm::domain {

// Returns `text` in Unicode NFC with surrounding white space trimmed and inner runs of white space
// collapsed to one space. Invalid UTF-8 fails with kInvalidArgument.
Result<std::string> NormalizeText(std::string_view text);

// True when UTF-8 `text` holds a control character that NormalizeText keeps: C0 controls other
// than white space (NUL, ESC, ...), DEL, or C1 controls (U+0080 to U+009F). Names, tags and notes
// refuse them, so that nothing stored can break a terminal, a CSV export or a log line.
bool HasControlCharacter(std::string_view text);

// The key a name is searched by: NFC, Latin letters lower-cased, all white space removed.
// "Kim  Chul Su" → "kimchulsu"; NFD "김철수" → NFC "김철수". Input must be valid UTF-8.
std::string NameSearchKey(std::string_view nfc_name);

// The initial-consonant key of a name: each Hangul syllable becomes its compatibility jamo initial
// (김철수 → ㄱㅊㅅ); compatibility jamo initials typed by a user stay as they are; other characters
// are dropped. Used both for stored names and for the query, so ㄱㅊㅅ finds 김철수.
std::string InitialConsonantKey(std::string_view nfc_text);

// True when `query` (after NFC) consists only of Hangul compatibility consonants (ㄱ..ㅎ) that can
// begin a syllable: the 19 initials, not clusters such as ㄳ, which InitialConsonantKey drops.
bool IsInitialConsonantQuery(std::string_view nfc_query);

struct NameParts {
  std::string family;
  std::string given;
};

// Splits a Korean name written family-first without a space: 남궁민 → 남궁 + 민, 김철수 → 김 + 철수,
// with the compound surnames 남궁, 황보, 제갈, 선우, 서문, 독고, 사공, 동방, 어금, 망절 (and a
// 2-syllable name is always 1 + 1). A name with a space ("Chulsu Kim", "김 철수") splits at the
// space: for Latin text the last word is the family name, for Hangul the first.
NameParts SplitName(std::string_view nfc_name);

// 김철수 → 김*수, 남궁민 → 남궁* (family kept, given masked but its last syllable when it has 2+),
// 이훈 → 이*, "John Smith" → "J*** S****". Empty stays empty.
std::string MaskName(std::string_view nfc_name);

// "+821012345678" → "010-****-5678"; a non-Korean E.164 number keeps its country code and last 4.
std::string MaskPhone(std::string_view e164);

// "kim.chulsu@example.com" → "k*********@example.com": the first character of the local part and
// the domain stay. Text without '@' is masked but for its first character. Empty stays empty.
std::string MaskEmail(std::string_view email);

}  // namespace crm::domain
