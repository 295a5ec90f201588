// Text encodings of imported files: detection (byte-order marks, then "is it valid UTF-8?", else
// CP949, which is what Korean Excel writes for "CSV") and streaming conversion to UTF-8 with ICU.
// NFC normalisation happens per value in the cleansing rules, not here.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crm::importing {

enum class Encoding { kAuto = 0, kUtf8 = 1, kCp949 = 2, kUtf16Le = 3, kUtf16Be = 4 };

// "auto", "utf-8", "cp949", "utf-16le", "utf-16be"; Parse also accepts "euc-kr" and "utf8".
const char* EncodingName(Encoding encoding);
std::optional<Encoding> ParseEncoding(std::string_view name);

// The encoding of a file that starts with `prefix` (a few kilobytes are enough). A BOM decides;
// otherwise valid UTF-8 (a multi-byte character cut at the end of the prefix is allowed) is UTF-8
// and anything else is CP949. Never returns kAuto.
Encoding DetectEncoding(std::string_view prefix);

// Converts a stream of bytes in one encoding to UTF-8, chunk by chunk: a character split between
// two chunks comes out whole. A leading BOM is dropped. Not thread-safe.
class TextDecoder {
 public:
  // kInvalidArgument for kAuto; kInternal when ICU lacks the converter.
  static Result<std::unique_ptr<TextDecoder>> Create(Encoding encoding);
  ~TextDecoder();

  // Appends the UTF-8 text of `bytes` to `out`. `last` flushes what is pending at the end of input.
  // Bytes that are not valid in the encoding become U+FFFD (for UTF-8 they are kept, and the
  // cleansing rules reject the value). Fails with kDataLoss only when ICU fails.
  Status Decode(std::string_view bytes, bool last, std::string& out);
  Encoding encoding() const { return encoding_; }

 private:
  struct Converters;
  TextDecoder(Encoding encoding, std::unique_ptr<Converters> converters);
  Encoding encoding_;
  std::unique_ptr<Converters> converters_;
  bool at_start_ = true;
};

}  // namespace crm::importing
