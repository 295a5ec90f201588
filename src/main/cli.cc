#include "main/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "main/analytics_command.h"
#include "main/commands.h"
#include "main/export_command.h"
#include "main/import_command.h"
#include "main/merge_command.h"
#include "main/backup_command.h"
#include "main/listen_address.h"
#include "main/loyalty_command.h"
#include "main/retention_command.h"
#include "main/token_command.h"

#ifndef DANGOL_VERSION
#define DANGOL_VERSION "0.0.0-dev"
#endif

namespace crm::cli {
namespace {

// Everything the command line can say, filled by CLI11 and then checked and turned into a command.
struct Arguments {
  std::string log_level = "info";
  std::string listen = "127.0.0.1:8080";
  std::string role;
  bool password_stdin = false;
  ServeCommand serve;
  std::string migrate_db;
  DemoCommand demo;
  TokenCreateCommand token;
  UserAddCommand user;
  BusinessCreateCommand business;
};

struct Subcommands {
  CLI::App* serve = nullptr;
  CLI::App* migrate = nullptr;
  CLI::App* demo = nullptr;
  CLI::App* token_create = nullptr;
  CLI::App* user_add = nullptr;
  CLI::App* business_create = nullptr;
};

const std::vector<std::string> kRoles = {"owner", "manager", "staff"};
const std::vector<std::string> kLogLevels = {"trace", "debug",    "info", "warn",
                                             "error", "critical", "off"};

void AddDatabaseOption(CLI::App* command, std::string& url) {
  command
      ->add_option("--db", url,
                   "Database URL: sqlite:PATH or postgresql://... (default: $DANGOL_DB)")
      ->envname("DANGOL_DB")
      ->required();
}

void AddBusinessOption(CLI::App* command, std::string& slug) {
  command->add_option("--business", slug, "The business's slug, e.g. demo")->required();
}

void AddRoleOption(CLI::App* command, std::string& role) {
  command->add_option("--role", role, "owner, manager or staff")
      ->required()
      ->check(CLI::IsMember(kRoles));
}

CLI::Validator ListenValidator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto address = ParseListenAddress(text);
        return address.ok() ? std::string() : address.status().message();
      },
      "HOST:PORT");
}

Subcommands DefineCommands(CLI::App& app, Arguments& args) {
  Subcommands commands;
  commands.serve =
      app.add_subcommand("serve", "Serve the JSON API over HTTP until SIGINT or SIGTERM");
  AddDatabaseOption(commands.serve, args.serve.db_url);
  commands.serve
      ->add_option("--listen", args.listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->check(ListenValidator())
      ->capture_default_str();
  commands.serve
      ->add_option("--workers", args.serve.workers,
                   "Threads that run requests against the database")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  commands.serve
      ->add_option("--readers", args.serve.readers,
                   "Database reader connections (pool size on PostgreSQL)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  commands.serve->add_flag("--secure-cookies", args.serve.secure_cookies,
                           "Mark session cookies Secure (when served behind TLS)");
  commands.serve->add_option("--clock-start", args.serve.clock_start,
                             "Start the server's clock at this time (e.g. 2025-06-01T12:00:00+09:00) "
                             "and let it run from there, for repeatable tests and demos of a given day");
  commands.serve
      ->add_option("--trusted-proxy", args.serve.trusted_proxies,
                   "Address of a proxy (e.g. the TLS proxy) whose X-Forwarded-For names the client, for "
                   "login limits and the access log. Repeatable; without it the header is ignored")
      ->check(CLI::Validator(
          [](std::string& address) {
            std::optional<std::string> canonical = CanonicalIpAddress(address);
            if (!canonical) return std::string("not an IPv4 or IPv6 address");
            address = *canonical;
            return std::string();
          },
          "ADDR"));
  commands.serve->add_option("--web-root", args.serve.web_root,
                             "Directory of the built web UI (default: ../web/dist or ./web beside the "
                             "binary, when present; 'none' serves the API only)");
  commands.serve->add_flag("--outbox", args.serve.outbox,
                           "Run the outbox dispatcher; providers from DANGOL_SOLAPI_*, DANGOL_NHN_* and "
                           "DANGOL_SMTP_* environment variables (docs/messaging.md)");
  commands.serve->add_option("--secret-key-file", args.serve.secret_key_file,
                             "File of the server key sealing provider credentials; created (mode 0600) when "
                             "absent. Default: DANGOL_SECRET_KEY, else <SQLite file>.key (docs/messaging.md)");
  commands.serve
      ->add_option("--automation-interval-seconds", args.serve.automation_interval_seconds,
                   "How often the automations look for work due (each business runs once a day at its send "
                   "hours; the first look is at start)")
      ->check(CLI::Range(int64_t{1}, int64_t{3600}))
      ->capture_default_str();
  commands.serve
      ->add_option("--outbox-lease-seconds", args.serve.outbox_lease_seconds,
                   "How long a claimed message is reserved before another dispatcher may send it")
      ->check(CLI::Range(int64_t{1}, int64_t{3600}));
  commands.serve
      ->add_option("--outbox-report-poll-seconds", args.serve.outbox_report_poll_seconds,
                   "How often delivery reports are fetched from the providers")
      ->check(CLI::Range(int64_t{1}, int64_t{86400}));

  commands.migrate =
      app.add_subcommand("migrate", "Apply pending schema migrations and print the schema version");
  AddDatabaseOption(commands.migrate, args.migrate_db);

  commands.demo =
      app.add_subcommand("demo", "Create the demo business \"demo\" and print how to log in");
  AddDatabaseOption(commands.demo, args.demo.db_url);
  commands.demo->add_option("--customers", args.demo.customers, "How many customers to generate")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}))
      ->capture_default_str();
  commands.demo
      ->add_option("--seed", args.demo.seed,
                   "Seed of the generator: same seed and --as-of, same data")
      ->capture_default_str();
  commands.demo
      ->add_option("--login-url", args.demo.login_url,
                   "Where the server will listen, for the login hint")
      ->capture_default_str();
  commands.demo->add_option("--as-of", args.demo.as_of,
                            "End the history at this time (e.g. 2025-06-01T12:00:00+09:00) "
                            "instead of now, for repeatable data");

  CLI::App* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  commands.token_create =
      token->add_subcommand("create", "Create an API token and print it (shown once)");
  AddDatabaseOption(commands.token_create, args.token.db_url);
  AddBusinessOption(commands.token_create, args.token.business);
  AddRoleOption(commands.token_create, args.role);
  commands.token_create->add_option("--name", args.token.name, "A label for the token, e.g. pos-1")
      ->capture_default_str();

  CLI::App* user = app.add_subcommand("user", "Manage staff accounts");
  user->require_subcommand(1);
  commands.user_add = user->add_subcommand("add", "Add a staff account and print its id");
  AddDatabaseOption(commands.user_add, args.user.db_url);
  AddBusinessOption(commands.user_add, args.user.business);
  commands.user_add->add_option("--email", args.user.email, "Login e-mail")->required();
  AddRoleOption(commands.user_add, args.role);
  commands.user_add->add_option("--name", args.user.name, "Display name (default: the e-mail)");
  CLI::Option* password = commands.user_add->add_option("--password", args.user.password,
                                                        "Password (8+ characters); visible to ps");
  CLI::Option* password_stdin = commands.user_add->add_flag(
      "--password-stdin", args.password_stdin, "Read the password from standard input");
  password->excludes(password_stdin);
  commands.user_add->add_option("--branch", args.user.branches,
                                "Branch the account may use (repeatable; default all)");

  CLI::App* business = app.add_subcommand("business", "Manage businesses (tenants)");
  business->require_subcommand(1);
  commands.business_create =
      business->add_subcommand("create", "Create a business and print its id");
  AddDatabaseOption(commands.business_create, args.business.db_url);
  commands.business_create
      ->add_option("--slug", args.business.slug, "Lower-case letters, digits and '-'")
      ->required();
  commands.business_create->add_option("--name", args.business.name, "Display name")->required();
  commands.business_create->add_option("--branch", args.business.branches,
                                       "A branch to create (repeatable)");
  commands.business_create
      ->add_option("--currency", args.business.currency, "ISO 4217 code of its currency, e.g. KRW, GBP, USD")
      ->capture_default_str();
  return commands;
}

void ConfigureLogging(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>(
      "dangol", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(std::move(logger));
}

int UsageError(std::ostream& err, std::string message) {
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  err << "dangol: " << message << "\n" << std::flush;
  return kExitUsage;
}

// The password of `user add`: from the flag, or the first line of standard input.
int ReadPassword(Arguments& args, std::istream& in, std::ostream& err) {
  if (args.password_stdin) {
    if (!std::getline(in, args.user.password)) {
      return UsageError(err, "no password on standard input");
    }
    if (!args.user.password.empty() && args.user.password.back() == '\r') {
      args.user.password.pop_back();
    }
    return kExitOk;
  }
  if (args.user.password.empty()) {
    return UsageError(err, "--password or --password-stdin is required");
  }
  spdlog::warn(
      "a password given with --password can be seen by other users of this machine; "
      "prefer --password-stdin");
  return kExitOk;
}

int Dispatch(const Subcommands& commands, Arguments& args, std::istream& in, std::ostream& out,
             std::ostream& err) {
  if (commands.serve->parsed()) {
    args.serve.listen = ParseListenAddress(args.listen).value();  // checked by the validator
    return RunServe(args.serve, out, err);
  }
  if (commands.migrate->parsed()) return RunMigrate(args.migrate_db, out, err);
  if (commands.demo->parsed()) return RunDemo(args.demo, out, err);
  if (commands.token_create->parsed()) {
    args.token.role = *domain::ParseRole(args.role);  // checked by IsMember
    return RunTokenCreate(args.token, out, err);
  }
  if (commands.user_add->parsed()) {
    args.user.role = *domain::ParseRole(args.role);
    if (int code = ReadPassword(args, in, err); code != kExitOk) return code;
    return RunUserAdd(args.user, out, err);
  }
  if (commands.business_create->parsed()) return RunBusinessCreate(args.business, out, err);
  return UsageError(err, "a command is required; see dangol --help");
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::istream& in, std::ostream& out,
           std::ostream& err) {
  CLI::App app("Dangol: customer database, loyalty and counter lookup for small businesses.",
               "dangol");
  app.set_version_flag("--version", std::string("dangol ") + DANGOL_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // --log-level may also follow the command
  Arguments args;
  app.add_option("--log-level", args.log_level,
                 "Log level on standard error: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember(kLogLevels))
      ->capture_default_str();
  args.token.name = "cli";
  const Subcommands commands = DefineCommands(app, args);
  LoyaltyCommand loyalty;
  loyalty.Define(app);
  ImportCommand import_command;
  import_command.Define(app);
  ExportCommand export_command;
  export_command.Define(app);
  AnalyticsCommand analytics;
  analytics.Define(app);
  MergeCommand merge_command;
  merge_command.Define(app);
  BackupCommand backup_command;
  backup_command.Define(app);
  TokenCommand token_command;
  token_command.Define(app);
  RetentionCommand retention_command;
  retention_command.Define(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(error, out, err);
    }
    return UsageError(err, error.what());
  }
  ConfigureLogging(args.log_level);
  if (loyalty.Parsed()) return loyalty.Run(out, err);
  if (import_command.Parsed()) return import_command.Run(out, err);
  if (export_command.Parsed()) return export_command.Run(out, err);
  if (analytics.Parsed()) return analytics.Run(out, err);
  if (merge_command.Parsed()) return merge_command.Run(out, err);
  if (backup_command.Parsed()) return backup_command.Run(out, err);
  if (token_command.Parsed()) return token_command.Run(out, err);
  if (retention_command.Parsed()) return retention_command.Run(out, err);
  return Dispatch(commands, args, in, out, err);
}

}  // namespace crm::cli
