#include "app/business_service.h"

#include <algorithm>
#include <unordered_map>

#include "app/auth_service.h"
#include "app/password_policy.h"
#include "domain/korean_text.h"
#include "domain/phone.h"
#include "importing/value_parsers.h"
#include "store/access_log_repository.h"
#include "store/auth_repository.h"
#include "store/business_repository.h"
#include "store/import_repository.h"
#include "store/note_repository.h"
#include "store/staff_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

Result<std::string> CleanName(const std::string& text, const char* field) {
  auto normalized = domain::NormalizeText(text);
  if (!normalized.ok()) return InvalidArgument("must be valid UTF-8 text", field);
  if (normalized->empty()) return InvalidArgument("is required", field);
  if (normalized->size() > 200) return InvalidArgument("is too long", field);
  return std::move(normalized).value();
}

Status CheckPassword(const std::string& password) { return CheckPasswordPolicy(password); }

Status CheckBranches(store::Transaction& tx, BusinessId business, const std::vector<BranchId>& branches) {
  for (BranchId branch : branches) {
    if (!tx.branches().Get(business, branch).ok()) return InvalidArgument("unknown branch", "branch_ids");
  }
  return Status::Ok();
}

}  // namespace

BusinessService::BusinessService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Result<domain::Business> BusinessService::CreateBusiness(const std::string& slug, const std::string& name,
                                                        const std::string& currency) {
  CRM_RETURN_IF_ERROR(domain::ValidateSlug(slug));
  if (!importing::CurrencyExponent(currency)) {
    return InvalidArgument("must be an ISO 4217 code such as KRW, GBP or USD", "currency");
  }
  domain::Business business;
  business.slug = slug;
  CRM_ASSIGN_OR_RETURN(business.name, CleanName(name, "name"));
  business.created_at = clock_.Now();
  auto created = store::WriteValue<domain::Business>(database_, [&](store::Transaction& tx) -> Result<domain::Business> {
    CRM_ASSIGN_OR_RETURN(domain::Business made, tx.businesses().Create(business));
    if (currency != "KRW") CRM_RETURN_IF_ERROR(store::ImportRepository(tx.connection()).SetBusinessCurrency(made.id, currency));
    return made;
  });
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a business with this slug exists", "slug").WithReason("slug_taken");
  }
  return created;
}

Result<domain::Business> BusinessService::FindBusiness(const std::string& slug) {
  return store::ReadValue<domain::Business>(database_,
                                            [&](store::Transaction& tx) { return tx.businesses().FindBySlug(slug); });
}

Result<domain::Business> BusinessService::GetBusiness(const Principal& principal) {
  return store::ReadValue<domain::Business>(
      database_, [&](store::Transaction& tx) { return tx.businesses().Get(principal.business_id); });
}

Result<domain::Staff> BusinessService::ValidateNewStaff(BusinessId business, const NewStaff& input) {
  domain::Staff staff;
  staff.business_id = business;
  auto email = domain::NormalizeText(input.email);
  if (!email.ok() || email->find('@') == std::string::npos || email->size() > 254) {
    return InvalidArgument("is not an e-mail address", "email");
  }
  staff.email = *email;
  std::transform(staff.email.begin(), staff.email.end(), staff.email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  CRM_ASSIGN_OR_RETURN(staff.display_name,
                       CleanName(input.display_name.empty() ? staff.email : input.display_name, "display_name"));
  CRM_RETURN_IF_ERROR(CheckPassword(input.password));
  CRM_ASSIGN_OR_RETURN(staff.password_hash, AuthService::HashPassword(input.password));
  if (input.daily_prospect_goal < 0 || input.daily_prospect_goal > 100) {
    return InvalidArgument("must be 0..100", "daily_prospect_goal");
  }
  staff.role = input.role;
  staff.branch_ids = input.branch_ids;
  staff.daily_prospect_goal = input.daily_prospect_goal;
  staff.created_at = clock_.Now();
  return staff;
}

Result<domain::Staff> BusinessService::CreateStaff(BusinessId business, const NewStaff& input) {
  CRM_ASSIGN_OR_RETURN(domain::Staff staff, ValidateNewStaff(business, input));
  auto created = store::WriteValue<domain::Staff>(database_, [&](store::Transaction& tx) -> Result<domain::Staff> {
    CRM_RETURN_IF_ERROR(CheckBranches(tx, business, staff.branch_ids));
    return tx.staff().Create(staff);
  });
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("this e-mail already has an account here", "email").WithReason("email_taken");
  }
  return created;
}

Result<domain::Branch> BusinessService::CreateBranch(const Principal& principal, const std::string& name) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  domain::Branch branch;
  branch.business_id = principal.business_id;
  CRM_ASSIGN_OR_RETURN(branch.name, CleanName(name, "name"));
  branch.created_at = clock_.Now();
  auto created = store::WriteValue<domain::Branch>(database_,
                                                   [&](store::Transaction& tx) { return tx.branches().Create(branch); });
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a branch with this name exists", "name").WithReason("name_taken");
  }
  return created;
}

Result<std::vector<domain::Branch>> BusinessService::ListBranches(const Principal& principal) {
  return store::ReadValue<std::vector<domain::Branch>>(
      database_, [&](store::Transaction& tx) { return tx.branches().List(principal.business_id); });
}

Result<domain::Staff> BusinessService::AddStaff(const Principal& principal, const NewStaff& input) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (principal.role != domain::Role::kOwner && input.role != domain::Role::kStaff) {
    return PermissionDenied("only an owner can add owners and managers");
  }
  return CreateStaff(principal.business_id, input);
}

Result<std::vector<domain::Staff>> BusinessService::ListStaff(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<std::vector<domain::Staff>>(
      database_, [&](store::Transaction& tx) { return tx.staff().List(principal.business_id); });
}

Result<domain::Staff> BusinessService::GetSelf(const Principal& principal) {
  if (!principal.staff_id) return NotFound("an API token has no staff record");
  return store::ReadValue<domain::Staff>(
      database_, [&](store::Transaction& tx) { return tx.staff().Get(principal.business_id, *principal.staff_id); });
}

Result<domain::Staff> BusinessService::UpdateStaff(const Principal& principal, StaffId id, const StaffChange& change) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  std::string new_hash;
  if (change.password) {
    CRM_RETURN_IF_ERROR(CheckPassword(*change.password));
    CRM_ASSIGN_OR_RETURN(new_hash, AuthService::HashPassword(*change.password));
  }
  std::vector<std::string> ended;  // hashes of the sessions and tokens the change ends
  Result<domain::Staff> updated =
      store::WriteValue<domain::Staff>(database_, [&](store::Transaction& tx) -> Result<domain::Staff> {
    ended.clear();
    CRM_ASSIGN_OR_RETURN(domain::Staff staff, tx.staff().Get(principal.business_id, id));
    const bool touches_privileged = staff.role != domain::Role::kStaff ||
                                    (change.role && *change.role != domain::Role::kStaff);
    if (principal.role != domain::Role::kOwner && touches_privileged) {
      return PermissionDenied("only an owner can change owners and managers");
    }
    if (change.display_name) {
      CRM_ASSIGN_OR_RETURN(staff.display_name, CleanName(*change.display_name, "display_name"));
    }
    if (change.branch_ids) {
      CRM_RETURN_IF_ERROR(CheckBranches(tx, principal.business_id, *change.branch_ids));
      staff.branch_ids = *change.branch_ids;
    }
    if (change.daily_prospect_goal) {
      if (*change.daily_prospect_goal < 0 || *change.daily_prospect_goal > 100) {
        return InvalidArgument("must be 0..100", "daily_prospect_goal");
      }
      staff.daily_prospect_goal = *change.daily_prospect_goal;
    }
    const bool disabled = change.active && !*change.active && staff.active;
    const bool ends_sessions = disabled || !new_hash.empty() || (change.role && *change.role != staff.role);
    if (change.role) staff.role = *change.role;
    if (change.active) staff.active = *change.active;
    if (!new_hash.empty()) staff.password_hash = new_hash;
    CRM_RETURN_IF_ERROR(tx.staff().Update(staff));
    // A new password, role or a disabled account ends the sessions begun under the old ones; a
    // disabled account also loses the API tokens it created.
    if (ends_sessions) {
      CRM_ASSIGN_OR_RETURN(std::vector<std::string> sessions, tx.auth().DeleteSessionsOfStaff(principal.business_id, id));
      ended.insert(ended.end(), sessions.begin(), sessions.end());
    }
    if (disabled) {
      CRM_ASSIGN_OR_RETURN(std::vector<std::string> tokens,
                           tx.auth().RevokeTokensOfStaff(principal.business_id, id, clock_.Now()));
      ended.insert(ended.end(), tokens.begin(), tokens.end());
    }
    return staff;
  });
  if (updated.ok() && !ended.empty() && on_credentials_ended_) on_credentials_ended_(ended);
  return updated;
}

Result<domain::Prospect> BusinessService::AddProspect(const Principal& principal, domain::Prospect prospect) {
  if (!principal.staff_id) return PermissionDenied("prospect cards are written by a logged-in staff member");
  prospect.business_id = principal.business_id;
  prospect.staff_id = *principal.staff_id;
  if (prospect.branch_id && !principal.CanAccessBranch(*prospect.branch_id)) {
    return PermissionDenied("no access to this branch");
  }
  CRM_ASSIGN_OR_RETURN(prospect.name, CleanName(prospect.name, "name"));
  if (!prospect.phone_e164.empty()) {
    CRM_ASSIGN_OR_RETURN(auto phone, domain::ParsePhone(prospect.phone_e164));
    prospect.phone_e164 = phone.e164;
  }
  for (std::string* text : {&prospect.how_met, &prospect.liked}) {
    auto normalized = domain::NormalizeText(*text);
    if (!normalized.ok() || normalized->size() > 2000) return InvalidArgument("must be text up to 2000 bytes", "how_met");
    *text = std::move(normalized).value();
  }
  prospect.created_at = clock_.Now();
  return store::WriteValue<domain::Prospect>(database_, [&](store::Transaction& tx) { return tx.prospects().Add(prospect); });
}

Result<std::vector<domain::Prospect>> BusinessService::ListProspects(const Principal& principal,
                                                                     std::optional<ProspectId> before, int limit) {
  return store::ReadValue<std::vector<domain::Prospect>>(database_, [&](store::Transaction& tx) {
    return tx.prospects().List(principal.business_id, before, limit);
  });
}

Result<std::vector<domain::ProspectProgress>> BusinessService::ProspectProgress(const Principal& principal) {
  return store::ReadValue<std::vector<domain::ProspectProgress>>(
      database_, [&](store::Transaction& tx) -> Result<std::vector<domain::ProspectProgress>> {
        CRM_ASSIGN_OR_RETURN(domain::Business business, tx.businesses().Get(principal.business_id));
        const domain::DayBounds today = domain::LocalDay(clock_.Now(), business.utc_offset_minutes);
        CRM_ASSIGN_OR_RETURN(auto counts, tx.prospects().CountByStaff(principal.business_id, today.start, today.end));
        std::unordered_map<int64_t, int> by_staff;
        for (const auto& [staff, count] : counts) by_staff[staff.value()] = count;
        CRM_ASSIGN_OR_RETURN(auto staff_list, tx.staff().List(principal.business_id));
        std::vector<domain::ProspectProgress> progress;
        for (const domain::Staff& staff : staff_list) {
          if (!staff.active) continue;
          progress.push_back({staff.id, staff.display_name, staff.daily_prospect_goal, by_staff[staff.id.value()]});
        }
        return progress;
      });
}

Result<std::vector<domain::AccessLogEntry>> BusinessService::AccessLog(const Principal& principal,
                                                                       std::optional<CustomerId> customer,
                                                                       std::optional<int64_t> before, int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  return store::ReadValue<std::vector<domain::AccessLogEntry>>(database_, [&](store::Transaction& tx) {
    return tx.access_log().List(principal.business_id, customer, before, limit);
  });
}

}  // namespace crm::app
