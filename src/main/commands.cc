#include "main/commands.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>

#include "app/demo_campaign.h"
#include "app/demo_generator.h"
#include "app/automation_scheduler.h"
#include "app/services.h"
#include "http/server.h"
#include "main/outbox_setup.h"
#include "main/retention_job.h"
#include "main/server_key.h"
#include "store/database.h"

namespace crm::cli {
namespace {

// The web UI to serve: the --web-root given ("none": no UI), else the first of ../web/dist (the
// binary in a build directory of the source tree) and ./web (an installed layout) beside the
// binary that holds an index.html, else none.
std::string ResolveWebRoot(const std::string& given) {
  if (given == "none") return "";
  if (!given.empty()) return given;
  std::error_code error;
  const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "";
  for (const auto& candidate : {binary.parent_path() / ".." / "web" / "dist", binary.parent_path() / "web"}) {
    if (std::filesystem::is_regular_file(candidate / "index.html", error)) {
      return candidate.lexically_normal().string();
    }
  }
  return "";
}

// Opens the database (applying migrations) or reports why not.
std::unique_ptr<store::Database> OpenDatabase(const std::string& url, std::ostream& err,
                                              int* exit_code,
                                              const store::DatabaseOptions& options = {}) {
  auto database = store::Database::Open(url, options);
  if (!database.ok()) {
    *exit_code = ReportFailure(err, database.status());
    return nullptr;
  }
  return std::move(database).value();
}

// The business named on the command line; an unknown slug is a usage error.
Result<domain::Business> FindBusiness(app::Services& services, const std::string& slug) {
  auto business = services.businesses.FindBusiness(slug);
  if (!business.ok() && business.status().code() == StatusCode::kNotFound) {
    return NotFound(fmt::format("unknown business \"{}\"", slug));
  }
  return business;
}

// The CLI acts for the operator of the machine, with an owner's authority in the business.
app::Principal Operator(BusinessId business) {
  app::Principal principal;
  principal.business_id = business;
  principal.role = domain::Role::kOwner;
  principal.ip = "cli";
  return principal;
}

}  // namespace

Result<std::unique_ptr<OperatorSession>> OpenOperatorSession(const std::string& db_url, const std::string& slug) {
  auto session = std::make_unique<OperatorSession>();
  CRM_ASSIGN_OR_RETURN(session->database, store::Database::Open(db_url));
  session->services = std::make_unique<app::Services>(*session->database, session->clock);
  CRM_ASSIGN_OR_RETURN(domain::Business business, FindBusiness(*session->services, slug));
  session->principal = Operator(business.id);
  return session;
}

namespace {

Result<std::vector<BranchId>> BranchIds(app::Services& services, BusinessId business,
                                        const std::vector<std::string>& names) {
  std::vector<BranchId> ids;
  if (names.empty()) return ids;
  CRM_ASSIGN_OR_RETURN(auto branches, services.businesses.ListBranches(Operator(business)));
  for (const std::string& name : names) {
    const auto found =
        std::find_if(branches.begin(), branches.end(),
                     [&](const domain::Branch& branch) { return branch.name == name; });
    if (found == branches.end()) {
      return InvalidArgument(fmt::format("unknown branch \"{}\"", name), "branch");
    }
    ids.push_back(found->id);
  }
  return ids;
}

// Prints a line per phase at every tenth of the way, so that a log of `make demo` stays short.
class DemoProgressPrinter {
 public:
  explicit DemoProgressPrinter(std::ostream& err)
      : err_(err), started_(std::chrono::steady_clock::now()) {}

  void operator()(const app::DemoProgress& progress) {
    const int64_t tenth = progress.total > 0 ? progress.done * 10 / progress.total : 10;
    if (progress.phase == phase_ && tenth == last_tenth_) return;
    phase_ = progress.phase;
    last_tenth_ = tenth;
    err_ << fmt::format("demo: {} {} / {}, orders {}, {:.1f} s\n", progress.phase, progress.done,
                        progress.total, progress.orders, Seconds())
         << std::flush;
  }
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  std::ostream& err_;
  std::chrono::steady_clock::time_point started_;
  std::string phase_;
  int64_t last_tenth_ = -1;
};

// A clock that starts at a given time and runs at the wall clock's pace from there. Thread-safe.
class StartedClock final : public Clock {
 public:
  explicit StartedClock(Timestamp start)
      : offset_micros_(start.micros() - SystemClock().Now().micros()) {}
  Timestamp Now() const override { return Timestamp::FromMicros(system_.Now().micros() + offset_micros_); }

 private:
  SystemClock system_;
  int64_t offset_micros_;
};

}  // namespace

int ReportFailure(std::ostream& err, const Status& status) {
  std::string message =
      status.field().empty() ? status.message() : status.field() + ": " + status.message();
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  err << "dangol: " << message << "\n" << std::flush;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kPermissionDenied:
      return kExitUsage;
    default:
      return kExitFailure;
  }
}

int RunServe(const ServeCommand& command, std::ostream& out, std::ostream& err) {
  int exit_code = kExitOk;
  store::DatabaseOptions options;
  options.reader_connections = command.readers;
  auto database = OpenDatabase(command.db_url, err, &exit_code, options);
  if (!database) return exit_code;
  SystemClock system_clock;
  std::optional<StartedClock> started_clock;
  if (!command.clock_start.empty()) {
    auto start = Timestamp::ParseIso8601(command.clock_start);
    if (!start.ok()) {
      return ReportFailure(err, Status(StatusCode::kInvalidArgument, start.status().message(), "--clock-start"));
    }
    started_clock.emplace(*start);
    spdlog::info("the clock starts at {}", start->ToIso8601());
  }
  const Clock& clock = started_clock ? static_cast<const Clock&>(*started_clock) : system_clock;
  app::Services services(*database, clock);
  auto server_key = LoadServerKey(command.db_url, command.secret_key_file);
  if (!server_key.ok()) return ReportFailure(err, server_key.status());
  if (!*server_key) spdlog::info("no server key: businesses cannot store their own provider credentials");
  services.providers.SetSecretBox(std::move(server_key).value());
  http::ServerSettings settings;
  settings.host = command.listen.host;
  settings.port = command.listen.port;
  settings.worker_threads = command.workers;
  settings.secure_cookies = command.secure_cookies;
  settings.web_root = ResolveWebRoot(command.web_root);
  settings.trusted_proxies = command.trusted_proxies;
  spdlog::info("schema version {}; starting {} workers", database->schema_version(),
               command.workers);
  std::unique_ptr<OutboxRunner> outbox;
  if (command.outbox) {
    auto started = StartOutbox(*database, clock,
                               {command.outbox_lease_seconds, command.outbox_report_poll_seconds},
                               services.providers);
    if (!started.ok()) return ReportFailure(err, started.status());
    outbox = std::move(started).value();
  }
  auto retention = std::make_unique<RetentionJob>(services.erasures, clock);
  retention->Start();
  // Automations run beside the server on its clock; stopped (after the pass in progress) before
  // the outbox and the database.
  auto automations = std::make_unique<app::AutomationScheduler>(
      services.automations, clock, std::chrono::seconds(command.automation_interval_seconds));
  Status served = http::RunServer(settings, services, [&](uint16_t port) {
    out << "dangol listening on " << command.listen.Url(port) << "\n" << std::flush;
  });
  automations.reset();
  retention.reset();
  outbox.reset();  // the dispatcher finishes its pass before the database closes
  if (!served.ok()) return ReportFailure(err, served);
  spdlog::info("stopped");
  return kExitOk;
}

int RunMigrate(const std::string& db_url, std::ostream& out, std::ostream& err) {
  int exit_code = kExitOk;
  auto database = OpenDatabase(db_url, err, &exit_code);
  if (!database) return exit_code;
  out << "schema version " << database->schema_version() << "\n";
  return kExitOk;
}

namespace {

// Two of the café preset's automations, switched on (the welcome after a first visit and the
// birthday greeting), so that `dangol serve` with the local fake provider sends them. The
// messaging settings and the sender number are the demo campaign's (app/demo_campaign.h).
Status AddDemoAutomations(store::Database& database, const Clock& clock, BusinessId business) {
  app::Services services(database, clock);
  app::Principal owner;
  owner.business_id = business;
  owner.role = domain::Role::kOwner;
  const app::AutomationPreset& cafe = app::AutomationService::Presets().front();
  for (const char* name : {"첫 방문 감사", "생일 축하"}) {
    for (domain::Automation automation : cafe.automations) {
      if (automation.name != name) continue;
      automation.state = domain::AutomationState::kActive;
      CRM_RETURN_IF_ERROR(services.automations.Create(owner, automation).status());
    }
  }
  return Status::Ok();
}

}  // namespace

int RunDemo(const DemoCommand& command, std::ostream& out, std::ostream& err) {
  SystemClock system_clock;
  std::optional<ManualClock> fixed_clock;
  if (!command.as_of.empty()) {
    auto as_of = Timestamp::ParseIso8601(command.as_of);
    if (!as_of.ok()) {
      return ReportFailure(
          err, Status(StatusCode::kInvalidArgument, as_of.status().message(), "--as-of"));
    }
    fixed_clock.emplace(*as_of);
  }
  const Clock& clock = fixed_clock ? static_cast<const Clock&>(*fixed_clock) : system_clock;
  int exit_code = kExitOk;
  auto database = OpenDatabase(command.db_url, err, &exit_code);
  if (!database) return exit_code;
  DemoProgressPrinter printer(err);
  app::DemoOptions options;
  options.customers = command.customers;
  options.seed = command.seed;
  options.progress = [&](const app::DemoProgress& progress) { printer(progress); };
  auto summary = app::GenerateDemo(*database, clock, options);
  if (!summary.ok()) return ReportFailure(err, summary.status());
  Status automations = AddDemoAutomations(*database, clock, summary->business_id);
  if (!automations.ok()) return ReportFailure(err, automations);
  err << fmt::format("demo: done in {:.1f} s\n", printer.Seconds());

  out << fmt::format(
      "Demo business \"{}\" (slug {}) is ready: {} customers, {} orders ({} refunds), {} order "
      "lines.\n",
      summary->business_name, summary->business_slug, summary->customer_count, summary->order_count,
      summary->refund_count, summary->line_count);
  if (summary->campaign_id.valid()) {
    out << fmt::format(
        "A past campaign (id {}) went to {} customers {} days ago, with {} held back as its control "
        "group; {} sales followed. Its uplift report: {}/api/v1/campaigns/{}/report\n",
        summary->campaign_id.value(), summary->campaign_treated, app::kDemoCampaignDaysAgo,
        summary->campaign_control, summary->campaign_orders, command.login_url, summary->campaign_id.value());
  }
  out << fmt::format("Log in at {} as the owner:\n  email:    {}\n  password: {}\n",
                     command.login_url, summary->owner_email, summary->owner_password);
  out << "Other demo accounts use the same password:";
  for (size_t i = 1; i < summary->accounts.size(); ++i) {
    const app::DemoAccount& account = summary->accounts[i];
    out << fmt::format(" {} ({})", account.email, domain::ToString(account.role));
  }
  out << fmt::format(
      "\nWith curl: curl -c cookies.txt -H 'Content-Type: application/json' -d "
      "'{{\"email\":\"{}\",\"password\":\"{}\"}}' {}/api/v1/auth/login\n",
      summary->owner_email, summary->owner_password, command.login_url);
  return kExitOk;
}

int RunTokenCreate(const TokenCreateCommand& command, std::ostream& out, std::ostream& err) {
  int exit_code = kExitOk;
  auto database = OpenDatabase(command.db_url, err, &exit_code);
  if (!database) return exit_code;
  SystemClock clock;
  app::Services services(*database, clock);
  auto business = FindBusiness(services, command.business);
  if (!business.ok()) return ReportFailure(err, business.status());
  auto token = services.auth.CreateToken(business->id, command.role, command.name);
  if (!token.ok()) return ReportFailure(err, token.status());
  spdlog::info("created a {} token for business {}", domain::ToString(command.role),
               business->id.value());
  out << token->secret << "\n";
  return kExitOk;
}

int RunUserAdd(const UserAddCommand& command, std::ostream& out, std::ostream& err) {
  int exit_code = kExitOk;
  auto database = OpenDatabase(command.db_url, err, &exit_code);
  if (!database) return exit_code;
  SystemClock clock;
  app::Services services(*database, clock);
  auto business = FindBusiness(services, command.business);
  if (!business.ok()) return ReportFailure(err, business.status());
  auto branches = BranchIds(services, business->id, command.branches);
  if (!branches.ok()) return ReportFailure(err, branches.status());
  app::NewStaff staff;
  staff.email = command.email;
  staff.display_name = command.name;
  staff.password = command.password;
  staff.role = command.role;
  staff.branch_ids = *branches;
  auto created = services.businesses.CreateStaff(business->id, staff);
  if (!created.ok()) return ReportFailure(err, created.status());
  spdlog::info("added staff {} to business {}", created->id.value(), business->id.value());
  out << created->id.value() << "\n";
  return kExitOk;
}

int RunBusinessCreate(const BusinessCreateCommand& command, std::ostream& out, std::ostream& err) {
  int exit_code = kExitOk;
  auto database = OpenDatabase(command.db_url, err, &exit_code);
  if (!database) return exit_code;
  SystemClock clock;
  app::Services services(*database, clock);
  auto business = services.businesses.CreateBusiness(command.slug, command.name, command.currency);
  if (!business.ok()) return ReportFailure(err, business.status());
  for (const std::string& name : command.branches) {
    auto branch = services.businesses.CreateBranch(Operator(business->id), name);
    if (!branch.ok()) return ReportFailure(err, branch.status());
  }
  out << business->id.value() << "\n";
  return kExitOk;
}

}  // namespace crm::cli
