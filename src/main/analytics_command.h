// `dangol analytics ...`: the analytics module over files, for analysts and for side-by-side
// comparison with pandas, DuckDB, lifetimes and arules.
//   rfm    --input TX.csv --output OUT.csv        RFM per customer in the peers' layout
//   clv    --input FILE --format cdnow|csv --calibration-end DATE [--pareto-nbd] [...]
//                                                 BG/NBD + Gamma-Gamma fit, JSON on stdout
//   rules  --input FILE --basket --min-support S --min-confidence C [...]
//                                                 association rules as CSV, sorted by lift
// Progress goes to the log on stderr; bad arguments or bad input are one line "dangol: ..." and
// exit code 2.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace crm::cli {

// Holds the options of the analytics subcommands; CLI11 writes into it while parsing, so it must
// outlive the parse. Not thread-safe.
class AnalyticsCommand {
 public:
  // Adds `analytics` and its subcommands to `app`.
  void Define(CLI::App& app);
  // Whether the parsed command line names an analytics subcommand.
  bool Parsed() const;
  // Runs the parsed subcommand; returns the exit code (0, 1 on a system failure, 2 on bad input).
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  int RunRfm(std::ostream& out, std::ostream& err) const;
  int RunClv(std::ostream& out, std::ostream& err) const;
  int RunRules(std::ostream& out, std::ostream& err) const;

  CLI::App* rfm_ = nullptr;
  CLI::App* clv_ = nullptr;
  CLI::App* rules_ = nullptr;
  std::string input_;
  std::string output_;
  std::string as_of_;
  std::string format_ = "csv";
  std::string calibration_end_;
  std::string observation_end_;
  std::string utc_offset_;
  double period_days_ = 7.0;
  double money_unit_ = 0.0;  // minor units per major unit; 0 picks the format's default
  int horizon_months_ = 12;
  double discount_rate_ = 0.01;
  bool pareto_nbd_ = false;
  bool basket_ = false;
  double min_support_ = 0.1;
  double min_confidence_ = 0.8;
  int min_length_ = 1;
  int max_length_ = 10;
};

}  // namespace crm::cli
