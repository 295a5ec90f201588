// The JSON form of an import's outcome: the file as read, the mapping used, row counts, what was
// (or in a dry run would be) created, updated and skipped, and every issue code with its count,
// severity and first examples; and the duplicate review queue. Shared by the API and the command line.
#pragma once

#include "app/import_service.h"
#include "http/request_context.h"

namespace crm::http {

Json ImportOutcomeJson(const app::ImportOutcome& outcome, app::ImportAction action);

// {"items": [{"first_id", "second_id", "score", "reasons": ["same_email", ...]}]}
Json DuplicateCandidatesJson(const std::vector<importing::DuplicateCandidate>& candidates);

}  // namespace crm::http
