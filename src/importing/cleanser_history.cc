// The history columns of a customer list (last and first visit, visits, lifetime spend, points,
// tier), its memo and its preferences: cleaned into the record's opening balance, note and
// preferences. Part of Cleanser (cleanser.h).
#include <fmt/format.h>

#include "domain/korean_text.h"
#include "importing/cleanser.h"
#include "importing/value_parsers.h"

namespace crm::importing {
namespace {

// The API's limits for a note and a preference subject (app/customer_service.cc).
constexpr size_t kMaxNoteBytes = 2000;
constexpr size_t kMaxSubjectBytes = 200;
constexpr size_t kMaxTierBytes = 100;
// Beyond this a visit count or a points balance is a typing error, not a history.
constexpr int64_t kMaxCount = 100'000'000;

// "1,200P", "1200점", "1200 pt" → "1200": points are often written with their unit.
std::string_view WithoutUnit(std::string_view text) {
  for (std::string_view unit : {"포인트", "점", "회", "번", "P", "p", "pt", "PT"}) {
    if (text.ends_with(unit)) {
      text.remove_suffix(unit.size());
      return TrimText(text);
    }
  }
  return text;
}

// Allergy when the column's header says so ("알레르기"), else like.
domain::PreferenceKind DefaultKind(std::string_view header) {
  for (std::string_view word : {"알레르기", "알러지", "llerg"}) {
    if (header.find(word) != std::string_view::npos) return domain::PreferenceKind::kAllergy;
  }
  return domain::PreferenceKind::kLike;
}

}  // namespace

std::optional<int64_t> Cleanser::CleanCount(RowContext& context, Field field) {
  const std::string_view original = TrimText(Value(context, field));
  if (original.empty()) return std::nullopt;
  auto count = ParseQuantity(WithoutUnit(original));
  if (!count.ok() || *count < 0 || *count > kMaxCount) {
    Issue(context, field, IssueCode::kInvalidQuantity, fmt::format("\"{}\" is not a count", original));
    return std::nullopt;
  }
  return *count;
}

void Cleanser::CleanAttributes(RowContext& context, CustomerRecord& customer) {
  for (size_t column = 0; column < mapping_.fields.size() && column < context.record.fields.size(); ++column) {
    if (mapping_.fields[column] != Field::kAttribute) continue;
    const std::string_view value = TrimText(context.record.fields[column]);
    if (value.empty() || mapping_.headers[column].empty()) continue;
    auto text = domain::NormalizeText(value);
    if (!text.ok() || text->size() > kMaxNoteBytes || domain::HasControlCharacter(*text) ||
        mapping_.headers[column].size() > kMaxTierBytes) {
      if (!context.outcome.rejected) {
        context.outcome.rejected = true;
        context.outcome.reason = fmt::format("{}: {}", IssueCodeName(IssueCode::kInvalidText), mapping_.headers[column]);
      }
      report_.Add(RowIssue{context.row, mapping_.headers[column], IssueCode::kInvalidText,
                           fmt::format("not text of at most {} bytes", kMaxNoteBytes)});
      continue;
    }
    customer.attributes.emplace_back(mapping_.headers[column], std::move(text).value());
  }
}

void Cleanser::CleanHistory(RowContext& context, CustomerRecord& customer) {
  OpeningRecord& opening = customer.opening;
  if (!TrimText(Value(context, Field::kLastVisitAt)).empty()) opening.last_visit_at = CleanTime(context, Field::kLastVisitAt);
  if (!TrimText(Value(context, Field::kFirstVisitAt)).empty()) {
    opening.first_visit_at = CleanTime(context, Field::kFirstVisitAt);
  }
  const std::optional<int64_t> visits = CleanCount(context, Field::kVisitCount);
  if (!TrimText(Value(context, Field::kLifetimeSpend)).empty()) {
    const std::optional<int64_t> spend = CleanAmount(context, Field::kLifetimeSpend);
    if (spend && *spend < 0) {
      Issue(context, Field::kLifetimeSpend, IssueCode::kInvalidAmount,
            fmt::format("a lifetime spend of {} is below 0", FormatAmount(*spend, options_.currency_exponent)));
    } else if (spend) {
      opening.total_spend = *spend;
    }
  }
  opening.points = CleanCount(context, Field::kPoints);
  if (opening.points && *opening.points == 0) opening.points.reset();
  if (std::optional<std::string> tier =
          CleanText(context, Field::kTier, TrimText(Value(context, Field::kTier)), kMaxTierBytes)) {
    opening.tier = std::move(*tier);
  }
  if (opening.first_visit_at && opening.last_visit_at && *opening.first_visit_at > *opening.last_visit_at) {
    Issue(context, Field::kFirstVisitAt, IssueCode::kInvalidDate, "the first visit is after the last visit");
  }
  // A date without a count is at least one visit; two different dates are at least two.
  const int64_t dated_visits = (opening.first_visit_at || opening.last_visit_at ? 1 : 0) +
                               (opening.first_visit_at && opening.last_visit_at &&
                                        *opening.first_visit_at != *opening.last_visit_at
                                    ? 1
                                    : 0);
  opening.visit_count = std::max(visits.value_or(0), dated_visits);
  if (!opening.first_visit_at) opening.first_visit_at = opening.last_visit_at;
  if (!opening.last_visit_at) opening.last_visit_at = opening.first_visit_at;

  CleanAttributes(context, customer);
  if (std::optional<std::string> note =
          CleanText(context, Field::kNotes, TrimText(Value(context, Field::kNotes)), kMaxNoteBytes)) {
    customer.note = std::move(*note);
  }
  const std::string_view preferences = TrimText(Value(context, Field::kPreferences));
  if (!preferences.empty()) {
    std::optional<std::string> text = CleanText(context, Field::kPreferences, preferences, kMaxNoteBytes);
    if (!text) return;
    for (PreferenceText& preference : ParsePreferences(*text, DefaultKind(Header(Field::kPreferences)))) {
      if (preference.subject.size() > kMaxSubjectBytes) {
        Issue(context, Field::kPreferences, IssueCode::kInvalidText,
              fmt::format("a preference longer than {} bytes", kMaxSubjectBytes));
        return;
      }
      customer.preferences.push_back(std::move(preference));
    }
  }
}

}  // namespace crm::importing
