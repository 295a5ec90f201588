// The demo business behind `dangol demo` and the benchmarks: a café-restaurant "단골 카페 데모"
// with three branches, an owner, a manager and four staff, and customers with realistic Korean
// names, unique 010 mobile numbers, birthdays (some lunar), tags, consents, preferences, notes and
// two years of orders up to the clock's now, with a few refunds.
//
// The data is a pure function of (seed, customer count, the clock's now): every random choice comes
// from std::mt19937_64, whose output the standard fixes, through our own integer distributions
// (std's distributions differ between standard libraries). Only password hashes, which carry a
// random salt, and database ids, which depend on what the database held before, vary.
//
// It writes through the repositories in Database::Write transactions of a few thousand rows, each
// holding a run of customers with their orders, so it scales to a million customers (about ten
// million order and order-line rows) in minutes. Order ids therefore grow with time within one
// customer's history, not across customers; ordered_at is the time to sort by.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/business.h"
#include "domain/message.h"
#include "store/database.h"

namespace crm::app {

// How far generation is: `done` of `total` in a phase (there is one: "customers", each written
// with their orders), and how many orders are written so far.
struct DemoProgress {
  std::string_view phase;
  int64_t done = 0;
  int64_t total = 0;
  int64_t orders = 0;
};

struct DemoOptions {
  int64_t customers = 2000;  // 0 .. kMaxDemoCustomers
  uint64_t seed = 42;
  std::string business_slug = "demo";
  std::string owner_email = "owner@demo.dangol";
  // Shared by every demo staff account; generated from the seed when empty, else 8+ characters.
  std::string owner_password;
  // Called from the calling thread after every batch; may be empty.
  std::function<void(const DemoProgress&)> progress;
};

inline constexpr int64_t kMaxDemoCustomers = 10'000'000;

struct DemoAccount {
  std::string email;
  std::string display_name;
  domain::Role role = domain::Role::kStaff;
};

struct DemoSummary {
  BusinessId business_id;
  std::string business_slug;
  std::string business_name;
  std::string owner_email;
  std::string owner_password;         // also the password of every account in `accounts`
  std::vector<DemoAccount> accounts;  // owner first, then manager and staff
  int64_t customer_count = 0;
  int64_t order_count = 0;  // sales and refunds
  int64_t refund_count = 0;
  int64_t line_count = 0;
  int64_t note_count = 0;
  int64_t preference_count = 0;
  // The past campaign (demo_campaign.h); its follow-up sales are counted in order_count and
  // line_count too.
  CampaignId campaign_id;  // unset when no customer was lapsed at its time
  int64_t campaign_treated = 0;
  int64_t campaign_control = 0;
  int64_t campaign_orders = 0;
};

// Creates the demo business in `database` with `options.customers` customers and their orders up
// to `clock.Now()`, its messaging settings and a past campaign (SeedDemoCampaign); afterwards every customer's VisitStats equal the fold of domain::ApplySale and
// domain::ApplyRefund over their orders in time order (what OrderService would have kept).
// Returns what was created and how to log in. Fails with kInvalidArgument (field "customers",
// "owner_password", "owner_email" or "slug") for bad options, kAlreadyExists ("slug") when the
// business exists, or the store's code when a write fails; batches written before a failure stay.
Result<DemoSummary> GenerateDemo(store::Database& database, const Clock& clock,
                                 const DemoOptions& options);

}  // namespace crm::app
