#include "app/import_history.h"

#include <fmt/format.h>

#include <algorithm>

#include "app/loyalty_posting.h"
#include "store/customer_repository.h"
#include "store/import_repository.h"
#include "store/loyalty_repository.h"
#include "store/note_repository.h"

namespace crm::app {
namespace {

constexpr int64_t kYearSeconds = 365LL * 86400;
// Who wrote a memo that a customer list brought.
constexpr char kImportSource[] = "import";

// The visits of the year up to `last`, when the opening's visits spread evenly over its span.
int64_t VisitsInLastYear(const importing::OpeningRecord& opening) {
  if (!opening.last_visit_at || opening.visit_count == 0) return 0;
  const int64_t span = opening.last_visit_at->seconds() - opening.first_visit_at.value_or(*opening.last_visit_at).seconds();
  if (span <= kYearSeconds) return opening.visit_count;
  return std::max<int64_t>(1, opening.visit_count * kYearSeconds / span);
}

bool WithinYearBefore(Timestamp earlier, Timestamp later) {
  return earlier <= later && later.seconds() - earlier.seconds() <= kYearSeconds;
}

Status AddOpeningPoints(store::Transaction& tx, const HistorySettings& settings, CustomerId id,
                        const importing::CustomerRecord& record, importing::ImportReport& report) {
  CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(settings.business));
  if (!program) {
    report.Add({record.row, "", importing::IssueCode::kPointsWithoutProgram,
                fmt::format("a balance of {} not imported: the business has no loyalty program yet",
                            *record.opening.points)});
    return Status::Ok();
  }
  CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount account, LoadAccount(tx, settings.business, id, settings.now));
  domain::LedgerEntry entry;
  entry.kind = domain::LedgerKind::kAdjust;
  entry.amount = *record.opening.points;
  entry.reason = "import";
  if (program->expiry_months > 0) entry.expires_at = domain::AddMonths(settings.now, program->expiry_months);
  return AppendEntry(tx, settings.business, account, std::move(entry), settings.now).status();
}

Status AddOpening(store::Transaction& tx, const HistorySettings& settings, CustomerId id,
                  const importing::CustomerRecord& record, importing::ImportReport& report) {
  const importing::OpeningRecord& opening = record.opening;
  store::ImportRepository imports(tx.connection());
  store::OpeningBalance balance{id,
                                settings.source,
                                opening.visit_count,
                                opening.total_spend,
                                opening.first_visit_at,
                                opening.last_visit_at,
                                opening.points.value_or(0),
                                opening.tier,
                                settings.now};
  CRM_ASSIGN_OR_RETURN(bool added, imports.AddOpening(settings.business, balance));
  if (!added) return Status::Ok();
  CRM_ASSIGN_OR_RETURN(domain::Customer customer, tx.customers().Get(settings.business, id));
  CRM_RETURN_IF_ERROR(tx.customers().SaveStats(settings.business, id, FoldOpening(customer.stats, opening), settings.now));
  report.Add({record.row, "", importing::IssueCode::kOpeningBalance,
              fmt::format("{} visits and a spend of {} kept as the opening balance", opening.visit_count,
                          opening.total_spend)});
  if (opening.points) CRM_RETURN_IF_ERROR(AddOpeningPoints(tx, settings, id, record, report));
  return Status::Ok();
}

Status AddNote(store::Transaction& tx, const HistorySettings& settings, CustomerId id, const std::string& text) {
  CRM_ASSIGN_OR_RETURN(auto notes, tx.notes().List(settings.business, id));
  CRM_ASSIGN_OR_RETURN(auto imported, tx.notes().IdsFrom(settings.business, id, kImportSource));
  const bool present = std::any_of(notes.begin(), notes.end(), [&](const domain::Note& note) {
    return note.text == text && std::find(imported.begin(), imported.end(), note.id) != imported.end();
  });
  if (present) return Status::Ok();
  domain::Note note;
  note.customer_id = id;
  note.text = text;
  note.created_at = settings.now;
  return tx.notes().Add(settings.business, std::move(note), kImportSource).status();
}

Status AddPreferences(store::Transaction& tx, const HistorySettings& settings, CustomerId id,
                      const std::vector<importing::PreferenceText>& preferences) {
  CRM_ASSIGN_OR_RETURN(domain::Customer customer, tx.customers().Get(settings.business, id));
  for (const importing::PreferenceText& wanted : preferences) {
    const bool present =
        std::any_of(customer.preferences.begin(), customer.preferences.end(), [&](const domain::Preference& have) {
          return have.kind == wanted.kind && have.subject == wanted.subject;
        });
    if (present) continue;
    domain::Preference preference;
    preference.kind = wanted.kind;
    preference.subject = wanted.subject;
    preference.created_at = settings.now;
    CRM_ASSIGN_OR_RETURN(preference.id, tx.customers().AddPreference(settings.business, id, preference));
    customer.preferences.push_back(std::move(preference));
  }
  return Status::Ok();
}

}  // namespace

domain::VisitStats FoldOpening(const domain::VisitStats& stats, const importing::OpeningRecord& opening) {
  domain::VisitStats folded = stats;
  folded.visit_count += opening.visit_count;
  folded.total_spend += Money(opening.total_spend);
  if (opening.first_visit_at && (!folded.first_visit_at || *opening.first_visit_at < *folded.first_visit_at)) {
    folded.first_visit_at = opening.first_visit_at;
  }
  const int64_t opening_year = VisitsInLastYear(opening);
  if (!opening.last_visit_at) return folded;
  if (!stats.last_visit_at || *stats.last_visit_at <= *opening.last_visit_at) {
    folded.last_visit_at = opening.last_visit_at;
    folded.visits_last_year =
        opening_year + (stats.last_visit_at && WithinYearBefore(*stats.last_visit_at, *opening.last_visit_at)
                            ? stats.visits_last_year
                            : 0);
  } else if (WithinYearBefore(*opening.last_visit_at, *stats.last_visit_at)) {
    folded.visits_last_year += opening_year;
  }
  return folded;
}

Status ApplyCustomerHistory(store::Transaction& tx, const HistorySettings& settings, CustomerId id,
                            const importing::CustomerRecord& record, importing::ImportReport& report) {
  if (!record.opening.IsEmpty()) CRM_RETURN_IF_ERROR(AddOpening(tx, settings, id, record, report));
  if (!record.note.empty()) CRM_RETURN_IF_ERROR(AddNote(tx, settings, id, record.note));
  if (!record.preferences.empty()) CRM_RETURN_IF_ERROR(AddPreferences(tx, settings, id, record.preferences));
  store::ImportRepository imports(tx.connection());
  for (const auto& [key, value] : record.attributes) {
    CRM_RETURN_IF_ERROR(imports.SetAttribute(settings.business, id, {key, value, settings.source, settings.now}));
  }
  return Status::Ok();
}

}  // namespace crm::app
