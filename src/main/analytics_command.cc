#include "main/analytics_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>

#include "analytics/association_rules.h"
#include "analytics/clv.h"
#include "analytics/pareto_nbd.h"
#include "analytics/rfm.h"
#include "analytics/text_formats.h"
#include "common/status.h"
#include "common/time.h"
#include "main/commands.h"

namespace crm::cli {
namespace {

using namespace crm::analytics;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// A read-only view of a whole file, mapped rather than copied: the CSV is parsed straight from
// the page cache.
class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return InvalidArgument(fmt::format("cannot open {}", path), "--input");
    struct stat info;
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
      ::close(fd);
      return InvalidArgument(fmt::format("{} is not a regular file", path), "--input");
    }
    auto file = std::unique_ptr<MappedFile>(new MappedFile());
    file->size_ = static_cast<size_t>(info.st_size);
    if (file->size_ > 0) {
      void* data = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (data == MAP_FAILED) {
        ::close(fd);
        return DataLoss(fmt::format("cannot read {}", path));
      }
      ::madvise(data, file->size_, MADV_SEQUENTIAL);
      file->data_ = static_cast<const char*>(data);
    }
    ::close(fd);
    return file;
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view text() const { return {data_ == nullptr ? "" : data_, size_}; }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

Result<std::string> ReadWholeFile(const std::string& path) {
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::Open(path));
  return std::string(file->text());
}

Status WriteWholeFile(const std::string& path, const std::string& text) {
  File file(std::fopen(path.c_str(), "wb"));
  if (!file) return InvalidArgument(fmt::format("cannot write {}", path), "--output");
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size() ||
      std::fflush(file.get()) != 0) {
    return DataLoss(fmt::format("cannot write {}", path));
  }
  return Status::Ok();
}

// Seconds since `start`, for progress lines.
double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<OrderHistory> ReadPeerHistory(const std::string& path) {
  const auto start = std::chrono::steady_clock::now();
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::Open(path));
  CRM_ASSIGN_OR_RETURN(TransactionColumns transactions, ParsePeerTransactionsCsv(file->text()));
  spdlog::info("read {} order lines in {:.3f} s", transactions.size(), Since(start));
  return BuildOrderHistory(transactions);
}

}  // namespace

void AnalyticsCommand::Define(CLI::App& app) {
  CLI::App* analytics = app.add_subcommand("analytics", "RFM, lifetime value and rules over files");
  analytics->require_subcommand(1);

  rfm_ = analytics->add_subcommand("rfm", "RFM scores and segments per customer (peers' layout)");
  rfm_->add_option("--input", input_, "Order lines CSV (order_id,customer_id,ordered_at,amount_krw)")
      ->required();
  rfm_->add_option("--output", output_, "Where to write the per-customer CSV")->required();
  rfm_->add_option("--as-of", as_of_, "Instant to measure recency from (default: last order + 24 h)");

  clv_ = analytics->add_subcommand("clv", "Fit BG/NBD and Gamma-Gamma; JSON on standard output");
  clv_->add_option("--input", input_, "Transactions file")->required();
  clv_->add_option("--format", format_, "cdnow or csv (the peers' order lines)")
      ->check(CLI::IsMember({"cdnow", "csv"}))
      ->capture_default_str();
  clv_->add_option("--calibration-end", calibration_end_, "Last day of calibration, YYYY-MM-DD")
      ->required();
  clv_->add_option("--observation-end", observation_end_,
                   "Last day observed, YYYY-MM-DD (default: the last order's day)");
  clv_->add_option("--period-days", period_days_, "Model time unit in days")
      ->check(CLI::Range(0.001, 3660.0))
      ->capture_default_str();
  clv_->add_option("--money-unit", money_unit_,
                   "Minor units per money unit (default: 100 for cdnow, 1 for csv)")
      ->check(CLI::Range(0.0, 1e6));
  clv_->add_option("--horizon-months", horizon_months_, "CLV horizon")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  clv_->add_option("--discount-rate", discount_rate_, "Monthly discount rate")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  clv_->add_option("--output", output_, "Per-customer results CSV");
  clv_->add_flag("--pareto-nbd", pareto_nbd_, "Also fit Pareto/NBD and report it beside BG/NBD");
  clv_->add_option("--utc-offset", utc_offset_,
                   "The business's offset from UTC, e.g. +09:00, where its days begin (default: the "
                   "offset of the CSV's first timestamp; UTC for CDNOW)");

  rules_ = analytics->add_subcommand("rules", "Association rules, CSV sorted by lift");
  rules_->add_option("--input", input_, "Baskets: one transaction per line, items by commas")
      ->required();
  rules_->add_flag("--basket", basket_, "The input is in basket format (the only one supported)")
      ->required();
  rules_->add_option("--min-support", min_support_)->check(CLI::Range(1e-9, 1.0))->required();
  rules_->add_option("--min-confidence", min_confidence_)
      ->check(CLI::Range(1e-9, 1.0))
      ->required();
  rules_->add_option("--min-length", min_length_)->check(CLI::Range(1, 64))->capture_default_str();
  rules_->add_option("--max-length", max_length_)->check(CLI::Range(1, 64))->capture_default_str();
  rules_->add_option("--output", output_, "Where to write the CSV (default: standard output)");
}

bool AnalyticsCommand::Parsed() const {
  return (rfm_ != nullptr && rfm_->parsed()) || (clv_ != nullptr && clv_->parsed()) ||
         (rules_ != nullptr && rules_->parsed());
}

int AnalyticsCommand::Run(std::ostream& out, std::ostream& err) const {
  if (rfm_->parsed()) return RunRfm(out, err);
  if (clv_->parsed()) return RunClv(out, err);
  return RunRules(out, err);
}

namespace {

Result<Timestamp> AsOf(const std::string& text, const OrderHistory& history) {
  if (text.empty()) return PeerAsOf(history);
  Result<Timestamp> parsed = Timestamp::ParseIso8601(text);
  if (!parsed.ok()) return InvalidArgument(parsed.status().message(), "--as-of");
  return parsed;
}

void PrintRfmSummary(const RfmTable& rfm, const ParetoSummary& pareto, std::ostream& out) {
  fmt::print(out, "PARETO top20_customers={} top20_revenue={} total_revenue={} share={:.6f}\n",
             pareto.top_customers, pareto.top_revenue_minor, pareto.total_revenue_minor,
             pareto.top_share);
  std::map<std::string_view, int64_t> sizes;
  for (RfmSegment segment : rfm.segment) ++sizes[RfmSegmentName(segment)];
  std::string line = "SEGMENTS";
  for (const auto& [name, count] : sizes) {
    line += fmt::format("{}{}={}", line.size() == 8 ? " " : "; ", name, count);
  }
  out << line << "\n";
}

Status Rfm(const std::string& input, const std::string& output, const std::string& as_of_text,
           std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  CRM_ASSIGN_OR_RETURN(OrderHistory history, ReadPeerHistory(input));
  CRM_ASSIGN_OR_RETURN(Timestamp as_of, AsOf(as_of_text, history));
  CRM_ASSIGN_OR_RETURN(RfmTable rfm, ComputeRfm(history, as_of));
  CRM_ASSIGN_OR_RETURN(ParetoSummary pareto, ComputePareto(rfm.monetary_minor));
  spdlog::info("scored {} customers at {:.3f} s", rfm.size(), Since(start));
  CRM_RETURN_IF_ERROR(WriteWholeFile(output, FormatRfmCsv(rfm)));
  spdlog::info("wrote {} at {:.3f} s", output, Since(start));
  PrintRfmSummary(rfm, pareto, out);
  return Status::Ok();
}

}  // namespace

int AnalyticsCommand::RunRfm(std::ostream& out, std::ostream& err) const {
  Status status = Rfm(input_, output_, as_of_, out);
  return status.ok() ? kExitOk : ReportFailure(err, status);
}

namespace {

struct ClvSettings {
  std::string input, format, calibration_end, observation_end, output, utc_offset;
  double period_days, money_unit, discount_rate;
  int horizon_months;
  bool pareto_nbd;
};

Result<Date> ParseDay(const std::string& text, const char* flag) {
  Result<Date> date = Date::Parse(text);
  if (!date.ok()) return InvalidArgument(date.status().message(), flag);
  return date;
}

// The business's local day boundary: --utc-offset, else the offset the CSV's timestamps carry.
Result<int64_t> UtcOffsetFor(const ClvSettings& s, std::string_view text) {
  if (!s.utc_offset.empty()) {
    Result<int64_t> offset = ParseUtcOffset(s.utc_offset);
    if (!offset.ok()) return InvalidArgument(offset.status().message(), "--utc-offset");
    return offset;
  }
  if (s.format == "cdnow") return int64_t{0};
  return PeerCsvUtcOffsetSeconds(text);
}

Result<SummaryParameters> SummaryFor(const ClvSettings& s, const OrderHistory& history, int64_t utc_offset_seconds) {
  SummaryParameters parameters;
  parameters.utc_offset_seconds = utc_offset_seconds;
  CRM_ASSIGN_OR_RETURN(parameters.calibration_end, ParseDay(s.calibration_end, "--calibration-end"));
  if (!s.observation_end.empty()) {
    CRM_ASSIGN_OR_RETURN(parameters.observation_end,
                         ParseDay(s.observation_end, "--observation-end"));
  } else if (!history.order_at_micros.empty()) {
    const int64_t last =
        *std::max_element(history.order_at_micros.begin(), history.order_at_micros.end());
    parameters.observation_end = CivilFromDays(FloorDiv(last + utc_offset_seconds * 1'000'000, kMicrosPerDay));
  }
  if (parameters.observation_end < parameters.calibration_end) {
    parameters.observation_end = parameters.calibration_end;
  }
  parameters.period_days = s.period_days;
  parameters.minor_units_per_unit =
      s.money_unit > 0 ? s.money_unit : (s.format == "cdnow" ? 100.0 : 1.0);
  return parameters;
}

std::string Number(double value) {
  return std::isfinite(value) ? fmt::format("{:.10g}", value) : std::string("null");
}

// A model's holdout figures: totals, correlation, the zero class, the means by calibration
// frequency (x = 0 is the customers with no repeat purchase) and the cumulative tracking curve.
std::string HoldoutJson(const HoldoutReport& holdout) {
  std::string json = fmt::format(
      "{{\"length\": {:.7g}, \"actual_total\": {:.10g}, \"predicted_total\": {:.10g}, "
      "\"correlation\": {:.6f}, \"actual_zero\": {}, \"predicted_zero\": {}, ",
      holdout.holdout_length, holdout.actual_total, holdout.predicted_total, holdout.correlation,
      holdout.actual_zero, Number(holdout.predicted_zero));
  json += fmt::format(
      "\"no_repeat\": {{\"customers\": {}, \"actual_mean\": {:.6f}, \"predicted_mean\": {:.6f}}}, "
      "\"by_frequency\": [",
      holdout.class_customers[0], holdout.class_actual[0], holdout.class_predicted[0]);
  for (size_t k = 0; k < holdout.class_customers.size(); ++k) {
    json += fmt::format("{}{{\"x\": \"{}{}\", \"customers\": {}, \"actual\": {:.6f}, "
                        "\"predicted\": {:.6f}}}",
                        k ? ", " : "", k, k == 7 ? "+" : "", holdout.class_customers[k],
                        holdout.class_actual[k], holdout.class_predicted[k]);
  }
  json += "],\n    \"cumulative\": [";
  for (size_t k = 0; k < holdout.cumulative_actual.size(); ++k) {
    json += fmt::format("{}{{\"period\": {}, \"actual\": {:.10g}, \"predicted\": {:.10g}}}", k ? ", " : "",
                        k + 1, holdout.cumulative_actual[k], holdout.cumulative_predicted[k]);
  }
  return json + "]}";
}

std::string FitJson(const BgNbdFit& bgnbd, const GammaGammaFit& gg, const CustomerSummary& summary,
                    const std::optional<HoldoutReport>& holdout, const CustomerValue& value) {
  double total_clv = 0;
  for (double v : value.clv) total_clv += v;
  const BgNbdParameters& p = bgnbd.parameters;
  std::string json = fmt::format(
      "{{\n  \"customers\": {},\n  \"bgnbd\": {{\"r\": {:.7g}, \"alpha\": {:.7g}, \"a\": {:.7g}, "
      "\"b\": {:.7g}, \"log_likelihood\": {:.10g}, \"converged\": {}}},\n"
      "  \"gamma_gamma\": {{\"p\": {:.7g}, \"q\": {:.7g}, \"gamma\": {:.7g}, "
      "\"log_likelihood\": {:.10g}, \"customers\": {}, \"converged\": {}}},\n"
      "  \"total_clv\": {:.10g}",
      summary.size(), p.r, p.alpha, p.a, p.b, bgnbd.log_likelihood, bgnbd.converged,
      gg.parameters.p, gg.parameters.q, gg.parameters.gamma, gg.log_likelihood, gg.customers,
      gg.converged, total_clv);
  if (holdout.has_value()) json += ",\n  \"holdout\": " + HoldoutJson(*holdout);
  return json + "\n}\n";
}

std::string CustomerCsv(const CustomerSummary& s, const CustomerValue& v) {
  std::string out =
      "customer_id,x,t_x,T,m_x,holdout_x,p_alive,expected_purchases,expected_spend,clv\n";
  for (size_t i = 0; i < s.size(); ++i) {
    out += fmt::format("{},{},{:.6g},{:.6g},{:.6g},{},{:.6g},{:.6g},{:.6g},{:.6g}\n",
                       s.customer_id[i], s.x[i], s.t_x[i], s.T[i], s.m_x[i], s.holdout_x[i],
                       v.probability_alive[i], v.expected_purchases[i], v.expected_spend[i],
                       v.clv[i]);
  }
  return out;
}

// ',\n  "pareto_nbd": {...}' with the fit and, with a holdout, its holdout figures.
Result<std::string> ParetoNbdJson(const CustomerSummary& summary) {
  CRM_ASSIGN_OR_RETURN(ParetoNbdFit fit, FitParetoNbd(summary));
  const ParetoNbdParameters& p = fit.parameters;
  std::string json = fmt::format(
      ",\n  \"pareto_nbd\": {{\"r\": {:.7g}, \"alpha\": {:.7g}, \"s\": {:.7g}, \"beta\": {:.7g}, "
      "\"log_likelihood\": {:.10g}, \"converged\": {}",
      p.r, p.alpha, p.s, p.beta, fit.log_likelihood, fit.converged);
  if (summary.holdout_length > 0) {
    PurchasePredictions model;
    model.expected = [&p](double t) { return ParetoNbdExpectedPurchases(p, t); };
    model.conditional = [&p](double t, double x, double t_x, double T) {
      return ParetoNbdConditionalExpectedPurchases(p, t, x, t_x, T);
    };
    CRM_ASSIGN_OR_RETURN(HoldoutReport holdout, ComputeHoldoutReport(model, summary));
    json += fmt::format(", \"holdout_predicted_total\": {:.10g},\n    \"holdout\": ", holdout.predicted_total);
    json += HoldoutJson(holdout);
  }
  return json + "}";
}

Status Clv(const ClvSettings& s, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  CRM_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(s.input));
  Result<TransactionColumns> transactions =
      s.format == "cdnow" ? ParseCdnowTransactions(text) : ParsePeerTransactionsCsv(text);
  if (!transactions.ok()) return transactions.status();
  CRM_ASSIGN_OR_RETURN(OrderHistory history, BuildOrderHistory(*transactions));
  CRM_ASSIGN_OR_RETURN(int64_t utc_offset, UtcOffsetFor(s, text));
  CRM_ASSIGN_OR_RETURN(SummaryParameters parameters, SummaryFor(s, history, utc_offset));
  CRM_ASSIGN_OR_RETURN(CustomerSummary summary, SummarizeForModels(history, parameters));
  spdlog::info("summarised {} customers at {:.3f} s", summary.size(), Since(start));
  CRM_ASSIGN_OR_RETURN(BgNbdFit bgnbd, FitBgNbd(summary));
  CRM_ASSIGN_OR_RETURN(GammaGammaFit gg, FitGammaGamma(summary));
  spdlog::info("fitted BG/NBD and Gamma-Gamma at {:.3f} s", Since(start));
  std::optional<HoldoutReport> holdout;
  if (summary.holdout_length > 0) {
    CRM_ASSIGN_OR_RETURN(holdout, ComputeHoldoutReport(bgnbd.parameters, summary));
  }
  CRM_ASSIGN_OR_RETURN(CustomerValue value,
                       ComputeCustomerValue(bgnbd.parameters, gg.parameters, summary,
                                            {s.horizon_months, s.discount_rate}));
  if (!s.output.empty()) CRM_RETURN_IF_ERROR(WriteWholeFile(s.output, CustomerCsv(summary, value)));
  std::string json = FitJson(bgnbd, gg, summary, holdout, value);
  if (s.pareto_nbd) {
    CRM_ASSIGN_OR_RETURN(std::string pareto, ParetoNbdJson(summary));
    json.insert(json.size() - 3, pareto);  // before the closing "\n}\n"
  }
  spdlog::info("done at {:.3f} s", Since(start));
  out << json;
  return Status::Ok();
}

}  // namespace

int AnalyticsCommand::RunClv(std::ostream& out, std::ostream& err) const {
  const ClvSettings settings{input_,       format_,      calibration_end_, observation_end_,
                             output_,      utc_offset_,  period_days_,     money_unit_,
                             discount_rate_, horizon_months_, pareto_nbd_};
  Status status = Clv(settings, out);
  return status.ok() ? kExitOk : ReportFailure(err, status);
}

namespace {

Status Rules(const std::string& input, const std::string& output, const RuleParameters& parameters,
             std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  CRM_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(input));
  CRM_ASSIGN_OR_RETURN(Baskets baskets, ParseBaskets(text));
  CRM_ASSIGN_OR_RETURN(RuleTable rules, MineRules(baskets, parameters));
  spdlog::info("{} transactions, {} items: {} rules in {:.3f} s", baskets.transaction_count(),
               baskets.item_labels.size(), rules.size(), Since(start));
  std::string csv = FormatRulesCsv(rules, baskets);
  if (output.empty()) {
    out << csv;
    return Status::Ok();
  }
  return WriteWholeFile(output, csv);
}

}  // namespace

int AnalyticsCommand::RunRules(std::ostream& out, std::ostream& err) const {
  if (min_length_ > max_length_) {
    return ReportFailure(err, InvalidArgument("--min-length exceeds --max-length"));
  }
  Status status =
      Rules(input_, output_, {min_support_, min_confidence_, min_length_, max_length_}, out);
  return status.ok() ? kExitOk : ReportFailure(err, status);
}

}  // namespace crm::cli
