#include "importing/text_decoder.h"

#include <unicode/ucnv.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace crm::importing {
namespace {

// Length of the UTF-8 sequence starting with `lead`, or 0 when it cannot start one.
int Utf8SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool IsValidUtf8Prefix(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const int length = Utf8SequenceLength(static_cast<unsigned char>(text[i]));
    if (length == 0) return false;
    if (i + length > text.size()) return true;  // cut at the end of the prefix
    for (int k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

const char* IcuName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kCp949: return "windows-949";
    case Encoding::kUtf16Le: return "UTF-16LE";
    case Encoding::kUtf16Be: return "UTF-16BE";
    default: return "UTF-8";
  }
}

}  // namespace

const char* EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kAuto: return "auto";
    case Encoding::kUtf8: return "utf-8";
    case Encoding::kCp949: return "cp949";
    case Encoding::kUtf16Le: return "utf-16le";
    case Encoding::kUtf16Be: return "utf-16be";
  }
  return "auto";
}

std::optional<Encoding> ParseEncoding(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "auto") return Encoding::kAuto;
  if (lower == "utf-8" || lower == "utf8") return Encoding::kUtf8;
  if (lower == "cp949" || lower == "euc-kr" || lower == "euckr" || lower == "ms949") return Encoding::kCp949;
  if (lower == "utf-16le" || lower == "utf-16") return Encoding::kUtf16Le;
  if (lower == "utf-16be") return Encoding::kUtf16Be;
  return std::nullopt;
}

Encoding DetectEncoding(std::string_view prefix) {
  if (prefix.starts_with("\xEF\xBB\xBF")) return Encoding::kUtf8;
  if (prefix.starts_with("\xFF\xFE")) return Encoding::kUtf16Le;
  if (prefix.starts_with("\xFE\xFF")) return Encoding::kUtf16Be;
  return IsValidUtf8Prefix(prefix) ? Encoding::kUtf8 : Encoding::kCp949;
}

struct TextDecoder::Converters {
  UConverter* source = nullptr;
  UConverter* target = nullptr;
  std::array<UChar, 4096> pivot{};
  UChar* pivot_source = pivot.data();
  UChar* pivot_target = pivot.data();
  ~Converters() {
    if (source) ucnv_close(source);
    if (target) ucnv_close(target);
  }
};

TextDecoder::TextDecoder(Encoding encoding, std::unique_ptr<Converters> converters)
    : encoding_(encoding), converters_(std::move(converters)) {}
TextDecoder::~TextDecoder() = default;

Result<std::unique_ptr<TextDecoder>> TextDecoder::Create(Encoding encoding) {
  if (encoding == Encoding::kAuto) return InvalidArgument("the encoding must be detected first", "encoding");
  auto converters = std::make_unique<Converters>();
  if (encoding != Encoding::kUtf8) {
    UErrorCode error = U_ZERO_ERROR;
    converters->source = ucnv_open(IcuName(encoding), &error);
    if (U_FAILURE(error)) return Internal("no converter for the encoding");
    converters->target = ucnv_open("UTF-8", &error);
    if (U_FAILURE(error)) return Internal("no UTF-8 converter");
  }
  return std::unique_ptr<TextDecoder>(new TextDecoder(encoding, std::move(converters)));
}

Status TextDecoder::Decode(std::string_view bytes, bool last, std::string& out) {
  if (encoding_ == Encoding::kUtf8) {
    if (at_start_ && bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    if (!bytes.empty()) at_start_ = false;
    out.append(bytes);
    return Status::Ok();
  }
  const size_t start = out.size();
  const char* source = bytes.data();
  const char* source_end = bytes.data() + bytes.size();
  std::array<char, 16384> buffer;
  while (true) {
    char* target = buffer.data();
    UErrorCode error = U_ZERO_ERROR;
    ucnv_convertEx(converters_->target, converters_->source, &target, buffer.data() + buffer.size(), &source,
                   source_end, converters_->pivot.data(), &converters_->pivot_source, &converters_->pivot_target,
                   converters_->pivot.data() + converters_->pivot.size(), false, last, &error);
    out.append(buffer.data(), target - buffer.data());
    if (error == U_BUFFER_OVERFLOW_ERROR) continue;
    if (U_FAILURE(error)) return DataLoss("the text could not be converted");
    break;
  }
  if (at_start_ && out.size() > start) {
    // ICU's UTF-16LE/BE converters keep the BOM as U+FEFF.
    if (std::string_view(out).substr(start).starts_with("\xEF\xBB\xBF")) out.erase(start, 3);
    at_start_ = false;
  }
  return Status::Ok();
}

}  // namespace crm::importing
