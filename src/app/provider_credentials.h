// Provider credentials as business settings: an owner stores the account of each sending provider
// (Solapi, NHN Cloud, SMTP) for their business; the settings are sealed with the server key
// (common/secret_box.h) before they reach the database, so the database, its backups and exports
// hold them only sealed. What can be read back is which providers are set and masked key ids, never
// a secret. The dispatcher opens them to build the business's adapters (BusinessProviderDirectory)
// and falls back to the server's environment providers for a business without its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/principal.h"
#include "common/secret_box.h"
#include "common/time.h"
#include "messaging/provider_settings.h"
#include "store/database.h"

namespace crm::app {

// A business's own providers, each optional. Holds secrets: never logged, no ToString.
struct BusinessProviderSettings {
  std::optional<messaging::SolapiSettings> solapi;
  std::optional<messaging::NhnSettings> nhn;
  std::optional<messaging::SmtpSettings> smtp;
  bool empty() const { return !solapi && !nhn && !smtp; }
};

// What GET shows of one configured provider.
struct ProviderSummary {
  messaging::ProviderKind kind = messaging::ProviderKind::kSolapi;
  std::string key_id;    // masked: the API key, app key or SMTP user name ("NCSA****WXYZ")
  std::string base_url;  // the API base URL or the SMTP URL (no credentials in it)
};

struct ProvidersView {
  bool server_key = false;  // false: the server has no key and cannot store credentials
  std::vector<ProviderSummary> providers;
  std::optional<Timestamp> updated_at;
};

const char* ToString(messaging::ProviderKind kind);
std::optional<messaging::ProviderKind> ParseProviderKind(std::string_view text);

// The sealed text form of the settings and back (a versioned "name=value" line format, values
// escaped), exposed for the tests. Open fails with kDataLoss for text it cannot read.
std::string EncodeProviderSettings(const BusinessProviderSettings& settings);
Result<BusinessProviderSettings> DecodeProviderSettings(std::string_view text);

// "NCSA****WXYZ": the first and last four characters of a long key, stars for the rest.
std::string MaskKeyId(std::string_view key);

// Thread-safe.
class ProviderCredentialService {
 public:
  ProviderCredentialService(store::Database& database, const Clock& clock);

  // The server key; without one, Save fails with kFailedPrecondition (reason "no_server_key").
  void SetSecretBox(std::optional<SecretBox> box) { box_ = std::move(box); }
  const std::optional<SecretBox>& secret_box() const { return box_; }

  // Which providers the business has set (owner only: kPermissionDenied).
  Result<ProvidersView> Describe(const Principal& principal);
  // Stores the provider of `update`'s one set member, replacing that kind and keeping the others.
  // kPermissionDenied unless owner; kInvalidArgument naming the field when the adapter refuses the
  // settings (a missing key, a bad URL); kFailedPrecondition without a server key, or kDataLoss when
  // the stored settings were sealed under another key.
  Result<ProvidersView> Save(const Principal& principal, const BusinessProviderSettings& update);
  // Forgets the business's provider of `kind`. kNotFound when it has none.
  Result<ProvidersView> Remove(const Principal& principal, messaging::ProviderKind kind);

  // The business's own providers, opened (empty when none). kDataLoss when they cannot be opened
  // with the server key; kFailedPrecondition without a server key while some are stored.
  Result<BusinessProviderSettings> Load(BusinessId business);
  // The same with the sealed text it was opened from (empty when none), so that a caller can tell
  // whether the settings changed.
  struct Opened {
    std::string sealed;
    BusinessProviderSettings settings;
  };
  Result<Opened> LoadSealed(BusinessId business);

 private:
  Result<ProvidersView> Store(const Principal& principal, const std::function<Status(BusinessProviderSettings&)>& change);

  store::Database& database_;
  const Clock& clock_;
  std::optional<SecretBox> box_;
};

}  // namespace crm::app
