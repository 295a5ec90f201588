// The commands of the `dangol` binary, each given its settings already parsed from the command
// line. Each returns the process exit code: 0 on success, kExitUsage (2) when the arguments cannot
// work (a bad URL, an unknown business, a taken slug) and kExitFailure (1) when the system fails
// (the database cannot be reached). Errors are one line on `err`, "dangol: <message>".
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/principal.h"
#include "app/services.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/business.h"
#include "store/database.h"
#include "main/listen_address.h"

namespace crm::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Writes "dangol: <message>" as one line and returns the exit code the status calls for.
int ReportFailure(std::ostream& err, const Status& status);

// A command acting for the operator of the machine, with an owner's authority in one business:
// the open database, the services over it and the principal to call them with.
struct OperatorSession {
  std::unique_ptr<store::Database> database;
  SystemClock clock;
  std::unique_ptr<app::Services> services;
  app::Principal principal;
};
// Opens (and migrates) the database and finds the business by slug; kNotFound "unknown business"
// for a slug that names none.
Result<std::unique_ptr<OperatorSession>> OpenOperatorSession(const std::string& db_url, const std::string& slug);

struct ServeCommand {
  std::string db_url;
  ListenAddress listen;
  int workers = 32;
  int readers = 8;              // database reader connections (SQLite) / pool size (PostgreSQL)
  bool secure_cookies = false;  // behind TLS: session cookies get the Secure flag
  std::string web_root;         // the built web UI; empty: web/dist beside the binary's build dir, if any
  std::string clock_start;      // ISO 8601: the server's clock starts here and runs on; empty: the wall clock
  std::vector<std::string> trusted_proxies;  // canonical addresses (CanonicalIpAddress)
  bool outbox = false;          // run the outbox dispatcher (providers from the environment)
  int64_t outbox_lease_seconds = 120;
  int64_t automation_interval_seconds = 60;  // how often the automation pass looks for due work
  int64_t outbox_report_poll_seconds = 30;
  std::string secret_key_file;  // the server key sealing provider credentials (main/server_key.h)
};
// Serves until SIGINT or SIGTERM; prints "dangol listening on http://HOST:PORT" once bound.
int RunServe(const ServeCommand& command, std::ostream& out, std::ostream& err);

// Opens (and so migrates) the database and prints its schema version.
int RunMigrate(const std::string& db_url, std::ostream& out, std::ostream& err);

struct DemoCommand {
  std::string db_url;
  int64_t customers = 2000;
  uint64_t seed = 42;
  std::string as_of;  // ISO 8601; the history ends here instead of now, for repeatable data
  std::string login_url = "http://127.0.0.1:8080";
};
// Generates the demo business (progress on `err`) and prints how to log in.
int RunDemo(const DemoCommand& command, std::ostream& out, std::ostream& err);

struct TokenCreateCommand {
  std::string db_url;
  std::string business;  // slug
  domain::Role role = domain::Role::kStaff;
  std::string name;
};
// Prints the new API token, alone on a line.
int RunTokenCreate(const TokenCreateCommand& command, std::ostream& out, std::ostream& err);

struct UserAddCommand {
  std::string db_url;
  std::string business;  // slug
  std::string email;
  domain::Role role = domain::Role::kStaff;
  std::string name;
  std::string password;
  std::vector<std::string> branches;  // branch names; empty: every branch
};
// Adds a staff account and prints its id.
int RunUserAdd(const UserAddCommand& command, std::ostream& out, std::ostream& err);

struct BusinessCreateCommand {
  std::string db_url;
  std::string slug;
  std::string name;
  std::vector<std::string> branches;  // branch names to create with it
  std::string currency = "KRW";       // ISO 4217: what its imports read amounts in
};
// Creates a business (and its branches) and prints its id.
int RunBusinessCreate(const BusinessCreateCommand& command, std::ostream& out, std::ostream& err);

}  // namespace crm::cli
