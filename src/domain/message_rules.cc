// Length, templates and the advertising format. Eligibility and retries are in
// message_eligibility.cc.
#include "domain/message_rules.h"

#include <memory>

#include <fmt/format.h>
#include <unicode/ucnv.h>
#include <unicode/utf8.h>

namespace crm::domain {
namespace {

constexpr std::string_view kAdPrefix = "(광고)";

struct ConverterCloser {
  void operator()(UConverter* converter) const { ucnv_close(converter); }
};

// One CP949 converter per thread: opening one costs more than converting a message.
UConverter* Cp949Converter() {
  thread_local std::unique_ptr<UConverter, ConverterCloser> converter = [] {
    UErrorCode error = U_ZERO_ERROR;
    UConverter* opened = ucnv_open("windows-949", &error);
    if (U_FAILURE(error)) {
      error = U_ZERO_ERROR;
      opened = ucnv_open("cp949", &error);
    }
    CRM_CHECK(U_SUCCESS(error) && opened != nullptr);
    UErrorCode callback_error = U_ZERO_ERROR;
    ucnv_setFromUCallBack(opened, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &callback_error);
    return std::unique_ptr<UConverter, ConverterCloser>(opened);
  }();
  return converter.get();
}

// The CP949 length of one code point, or -1 when CP949 has no such character.
int32_t Cp949Length(UChar32 code_point) {
  if (code_point < 0x80) return 1;
  UChar units[2];
  int32_t unit_count = 0;
  U16_APPEND_UNSAFE(units, unit_count, code_point);
  char out[8];
  UErrorCode error = U_ZERO_ERROR;
  UConverter* converter = Cp949Converter();
  ucnv_resetFromUnicode(converter);
  int32_t length = ucnv_fromUChars(converter, out, sizeof(out), units, unit_count, &error);
  if (U_FAILURE(error)) return -1;
  return length;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string DigitsOf(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

// True when the digits of `number` appear in `text` once separators are ignored.
bool ContainsNumber(std::string_view text, std::string_view number) {
  std::string digits = DigitsOf(number);
  return !digits.empty() && DigitsOf(text).find(digits) != std::string::npos;
}

bool IsTextChannel(Channel channel) {
  return channel == Channel::kSms || channel == Channel::kLms || channel == Channel::kMms;
}

struct VariableName {
  TemplateVariable variable;
  std::string_view korean;
  std::string_view english;
};

constexpr VariableName kVariableNames[] = {
    {TemplateVariable::kName, "이름", "name"},
    {TemplateVariable::kPoints, "포인트", "points"},
    {TemplateVariable::kTier, "등급", "tier"},
    {TemplateVariable::kNextReward, "다음보상", "next_reward"},
    {TemplateVariable::kCouponCode, "쿠폰코드", "coupon_code"},
    {TemplateVariable::kOptOut, "수신거부", "opt_out"},
};

Result<TemplateVariable> LookUpVariable(std::string_view name) {
  for (const VariableName& candidate : kVariableNames) {
    if (name == candidate.korean || name == candidate.english) return candidate.variable;
  }
  return InvalidArgument(fmt::format("unknown template variable #{{{}}}", name), "body").WithReason("unknown_variable");
}

std::string_view KoreanName(TemplateVariable variable) {
  for (const VariableName& candidate : kVariableNames) {
    if (candidate.variable == variable) return candidate.korean;
  }
  return "?";
}

const std::optional<std::string>& ValueOf(const TemplateValues& values, TemplateVariable variable) {
  switch (variable) {
    case TemplateVariable::kName: return values.name;
    case TemplateVariable::kPoints: return values.points;
    case TemplateVariable::kTier: return values.tier;
    case TemplateVariable::kNextReward: return values.next_reward;
    case TemplateVariable::kCouponCode: return values.coupon_code;
    case TemplateVariable::kOptOut: return values.opt_out;
  }
  return values.name;
}

// Calls `visit(literal_text)` and `visit_variable(variable)` in order over `text`.
template <typename Literal, typename Variable>
Status WalkTemplate(std::string_view text, Literal literal, Variable variable) {
  size_t position = 0;
  while (position < text.size()) {
    size_t open = text.find("#{", position);
    if (open == std::string_view::npos) {
      literal(text.substr(position));
      break;
    }
    literal(text.substr(position, open - position));
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("template variable opened with #{ is never closed", "body").WithReason("unclosed_variable");
    }
    CRM_ASSIGN_OR_RETURN(TemplateVariable found, LookUpVariable(TrimSpaces(text.substr(open + 2, close - open - 2))));
    CRM_RETURN_IF_ERROR(variable(found));
    position = close + 1;
  }
  return Status::Ok();
}

RuleViolation Violation(const char* rule, const char* code, std::string message) {
  return RuleViolation{rule, code, std::move(message)};
}

// The "(광고)" marker at the start of `text` (ADV-03): exact, no variants.
void CheckAdPrefix(std::string_view text, const char* where, std::vector<RuleViolation>& out) {
  std::string_view start = TrimSpaces(text);
  if (start.starts_with(kAdPrefix)) return;
  constexpr std::string_view kVariants[] = {"[광고]", "(광 고)", "<광고>", "【광고】", "광고)", "(광고 )", "( 광고)", "(AD)", "[AD]"};
  for (std::string_view variant : kVariants) {
    if (start.starts_with(variant)) {
      out.push_back(Violation("ADV-03", "ad_prefix_variant",
                              fmt::format("the {} starts with \"{}\"; advertising must start with exactly \"(광고)\"",
                                          where, variant)));
      return;
    }
  }
  out.push_back(Violation("ADV-03", "missing_ad_prefix",
                          fmt::format("advertising must start with \"(광고)\" at the beginning of the {}", where)));
}

void CheckAdvertising(const ComposedMessage& message, const SenderProfile& sender, std::vector<RuleViolation>& out) {
  bool email = message.channel == Channel::kEmail;
  CheckAdPrefix(email ? message.subject : message.body, email ? "subject" : "body", out);
  std::string all_text = message.body + "\n" + message.html_body;
  if (sender.business_name.empty()) {
    out.push_back(Violation("ADV-03", "no_business_name", "the business has no name to show as the sender"));
  } else if (all_text.find(sender.business_name) == std::string::npos) {
    out.push_back(Violation("ADV-03", "missing_business_name", "advertising must name the business that sends it"));
  }
  // The contact may be left out when it is the sending number itself; the From address of an
  // e-mail is its contact.
  bool contact_is_sender = !sender.contact_number.empty() &&
                           DigitsOf(sender.contact_number) == DigitsOf(message.sender);
  if (!email && !contact_is_sender) {
    if (sender.contact_number.empty()) {
      out.push_back(Violation("ADV-03", "no_contact", "the business has no contact number to show"));
    } else if (!ContainsNumber(message.body, sender.contact_number)) {
      out.push_back(Violation("ADV-03", "missing_contact", "advertising must give the business's contact number"));
    }
  }
  if (IsTextChannel(message.channel)) {
    if (sender.opt_out_number.empty()) {
      out.push_back(Violation("MSG-07", "no_opt_out_number",
                              "advertising by SMS, LMS or MMS needs a registered 080 opt-out number"));
    } else if (!DigitsOf(sender.opt_out_number).starts_with("080")) {
      out.push_back(Violation("MSG-07", "opt_out_not_080", "the free opt-out number must be an 080 number"));
    } else if (message.body.find("무료수신거부") == std::string::npos ||
               !ContainsNumber(message.body, sender.opt_out_number)) {
      out.push_back(Violation("MSG-07", "missing_opt_out",
                              "advertising must end with the free opt-out: [무료수신거부] and the 080 number"));
    }
  } else if (email) {
    if (message.unsubscribe_url.empty()) {
      out.push_back(Violation("ADV-03", "missing_unsubscribe_link", "advertising e-mail needs a one-click unsubscribe link"));
    } else if (all_text.find(message.unsubscribe_url) == std::string::npos) {
      out.push_back(Violation("ADV-03", "unsubscribe_link_not_in_body",
                              "the unsubscribe link must appear in the e-mail itself"));
    }
  }
  // Brand messages: Kakao's own block button is the free opt-out (MSG-03), no 080 number needed.
}

void CheckLength(const ComposedMessage& message, std::vector<RuleViolation>& out) {
  if (TrimSpaces(message.body).empty() && message.channel != Channel::kEmail) {
    out.push_back(Violation("MSG-05", "empty_body", "the message has no text"));
    return;
  }
  if (message.channel == Channel::kEmail) {
    if (TrimSpaces(message.body).empty() && TrimSpaces(message.html_body).empty()) {
      out.push_back(Violation("MSG-05", "empty_body", "the e-mail has no text"));
    }
    return;
  }
  if (IsTextChannel(message.channel)) {
    Result<int64_t> bytes = Cp949ByteLength(message.body);
    if (!bytes.ok()) {
      out.push_back(Violation("MSG-05", "not_cp949", bytes.status().message()));
      return;
    }
    int64_t limit = message.channel == Channel::kSms ? kSmsMaxBytes : kLmsMaxBytes;
    if (*bytes > limit) {
      out.push_back(Violation("MSG-05", message.channel == Channel::kSms ? "too_long_for_sms" : "too_long",
                              fmt::format("{} bytes in CP949; {} holds {}", *bytes,
                                          ToString(message.channel), limit)));
    }
    if (message.channel != Channel::kSms) {
      Result<int64_t> subject = Cp949ByteLength(message.subject);
      if (!subject.ok() || *subject > kLmsMaxSubjectBytes) {
        out.push_back(Violation("MSG-05", "subject_too_long", "an LMS or MMS subject holds 40 bytes of CP949"));
      }
    }
    return;
  }
  int64_t characters = CharacterCount(message.body);
  if (message.channel == Channel::kAlimTalk && characters > kAlimTalkMaxCharacters) {
    out.push_back(Violation("MSG-01", "too_long", fmt::format("{} characters; AlimTalk holds 1,000", characters)));
  }
  if (message.channel == Channel::kBrandMessage) {
    int64_t limit = message.has_image ? 400 : kBrandMessageMaxCharacters;
    if (characters > limit) {
      out.push_back(Violation("MSG-03", "too_long",
                              fmt::format("{} characters; a brand message holds {}", characters, limit)));
    }
  }
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<int64_t> Cp949ByteLength(std::string_view text) {
  int64_t total = 0;
  int32_t offset = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  auto length = static_cast<int32_t>(text.size());
  while (offset < length) {
    int32_t start = offset;
    UChar32 code_point;
    U8_NEXT(bytes, offset, length, code_point);
    if (code_point < 0) return InvalidArgument("the text is not valid UTF-8", "body").WithReason("invalid_utf8");
    int32_t encoded = Cp949Length(code_point);
    if (encoded < 0) {
      return InvalidArgument(fmt::format("\"{}\" (U+{:04X}) cannot be sent by SMS, LMS or MMS: it is not in CP949",
                                         text.substr(start, offset - start), static_cast<uint32_t>(code_point)),
                             "body")
          .WithReason("not_cp949");
    }
    total += encoded;
  }
  return total;
}

int64_t CharacterCount(std::string_view text) {
  int64_t count = 0;
  for (char c : text) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

Result<Channel> ClassifyTextMessage(std::string_view body, bool has_image) {
  CRM_ASSIGN_OR_RETURN(int64_t bytes, Cp949ByteLength(body));
  if (bytes > kLmsMaxBytes) {
    return InvalidArgument(fmt::format("{} bytes in CP949; LMS and MMS hold 2,000", bytes), "body").WithReason("too_long");
  }
  if (has_image) return Channel::kMms;
  return bytes <= kSmsMaxBytes ? Channel::kSms : Channel::kLms;
}

std::optional<int64_t> BodyLimit(Channel channel) {
  switch (channel) {
    case Channel::kSms: return kSmsMaxBytes;
    case Channel::kLms:
    case Channel::kMms: return kLmsMaxBytes;
    case Channel::kAlimTalk: return kAlimTalkMaxCharacters;
    case Channel::kBrandMessage: return kBrandMessageMaxCharacters;
    case Channel::kEmail: return std::nullopt;
  }
  return std::nullopt;
}

Result<std::vector<TemplateVariable>> TemplateVariables(std::string_view text) {
  std::vector<TemplateVariable> used;
  CRM_RETURN_IF_ERROR(WalkTemplate(
      text, [](std::string_view) {},
      [&](TemplateVariable variable) {
        for (TemplateVariable seen : used) {
          if (seen == variable) return Status::Ok();
        }
        used.push_back(variable);
        return Status::Ok();
      }));
  return used;
}

Result<std::string> RenderTemplate(std::string_view text, const TemplateValues& values) {
  std::string out;
  out.reserve(text.size() + 32);
  CRM_RETURN_IF_ERROR(WalkTemplate(
      text, [&](std::string_view literal) { out.append(literal); },
      [&](TemplateVariable variable) {
        const std::optional<std::string>& value = ValueOf(values, variable);
        if (!value) {
          return InvalidArgument(fmt::format("#{{{}}} has no value for this recipient", KoreanName(variable)), "body")
              .WithReason("missing_value");
        }
        out.append(*value);
        return Status::Ok();
      }));
  return out;
}

std::vector<RuleViolation> CheckMessage(const ComposedMessage& message, const SenderProfile& sender) {
  std::vector<RuleViolation> out;
  if (message.channel == Channel::kAlimTalk) {
    if (message.purpose == Purpose::kAdvertising) {
      out.push_back(Violation("MSG-02", "advertising_on_alimtalk",
                              "AlimTalk carries informational messages only; send advertising by SMS, LMS, a "
                              "brand message or e-mail"));
    }
    if (message.template_code.empty()) {
      out.push_back(Violation("MSG-01", "missing_template", "AlimTalk needs a Kakao-approved template"));
    }
  } else if (message.purpose == Purpose::kAdvertising) {
    CheckAdvertising(message, sender, out);
  }
  if (IsTextChannel(message.channel)) {
    bool registered = false;
    for (const std::string& number : sender.registered_sender_numbers) {
      if (!DigitsOf(number).empty() && DigitsOf(number) == DigitsOf(message.sender)) registered = true;
    }
    if (!registered) {
      out.push_back(Violation("MSG-06", "unregistered_sender",
                              "the sender number is not one of the business's registered numbers"));
    }
  }
  CheckLength(message, out);
  return out;
}

ComposedMessage BuildAdvertisingMessage(ComposedMessage message, const SenderProfile& sender) {
  if (message.channel == Channel::kAlimTalk) return message;
  message.purpose = Purpose::kAdvertising;
  bool contact_is_sender = DigitsOf(sender.contact_number) == DigitsOf(message.sender);
  std::string contact_line =
      sender.contact_number.empty() || contact_is_sender ? "" : fmt::format("\n문의 {}", sender.contact_number);

  if (message.channel == Channel::kEmail) {
    if (!TrimSpaces(message.subject).starts_with(kAdPrefix)) message.subject = fmt::format("(광고) {}", message.subject);
    std::string footer = fmt::format("\n\n{}{}\n수신거부: {}", sender.business_name,
                                     sender.contact_number.empty() ? "" : " · " + sender.contact_number,
                                     message.unsubscribe_url);
    message.body += footer;
    if (!message.html_body.empty()) {
      std::string html_footer = fmt::format(
          "<p style=\"font-size:12px;color:#666\">{}{}<br><a href=\"{}\">수신거부 (unsubscribe)</a></p>",
          HtmlEscape(sender.business_name), sender.contact_number.empty() ? "" : " · " + HtmlEscape(sender.contact_number),
          HtmlEscape(message.unsubscribe_url));
      size_t body_end = message.html_body.rfind("</body>");
      if (body_end == std::string::npos) {
        message.html_body += html_footer;
      } else {
        message.html_body.insert(body_end, html_footer);
      }
    }
    return message;
  }

  std::string_view body = TrimSpaces(message.body);
  std::string head;
  if (body.starts_with(kAdPrefix)) {
    body.remove_prefix(kAdPrefix.size());
    head = std::string(kAdPrefix);
  } else {
    head = std::string(kAdPrefix);
  }
  if (body.find(sender.business_name) == std::string_view::npos) head += sender.business_name;
  std::string text = fmt::format("{}{}{}", head, body.starts_with("\n") || head == kAdPrefix ? "" : "\n", body);
  text += contact_line;
  if (message.channel == Channel::kBrandMessage) {
    text += "\n수신거부 | 홈 > 채널 차단";
  } else {
    text += fmt::format("\n[무료수신거부]{}", DigitsOf(sender.opt_out_number));
  }
  message.body = std::move(text);
  return message;
}

}  // namespace crm::domain
