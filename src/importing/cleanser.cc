#include "importing/cleanser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "domain/korean_text.h"
#include "domain/phone.h"
#include "importing/fingerprint.h"
#include "importing/value_parsers.h"

namespace crm::importing {
namespace {

constexpr double kMadToSigma = 1.4826;
// The API's limits (app/customer_service.cc), so that an import stores nothing the API would refuse.
constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxTagBytes = 100;
constexpr size_t kMaxTextBytes = 2000;

// "010-1234-5678" for a Korean mobile number: the form staff write, which needs no report.
std::string HyphenatedMobile(const std::string& national) {
  if (national.size() != 11 || !national.starts_with("01")) return national;
  return national.substr(0, 3) + "-" + national.substr(3, 4) + "-" + national.substr(7);
}

// "17850.0" → "17850": spreadsheets turn numeric ids into floats.
std::string CleanExternalId(std::string_view text) {
  std::string id(TrimText(text));
  if (id.size() > 2 && id.ends_with(".0") &&
      std::all_of(id.begin(), id.end() - 2, [](char c) { return c >= '0' && c <= '9'; })) {
    id.resize(id.size() - 2);
  }
  return id;
}

std::string CustomerKey(const CustomerRecord& customer) {
  if (!customer.external_id.empty()) return "x:" + customer.external_id;
  if (!customer.phone_e164.empty()) return "p:" + customer.phone_e164;
  return "e:" + customer.email;
}

}  // namespace


Cleanser::Cleanser(ColumnMapping mapping, CleanseOptions options, ImportReport& report, CleanserPass pass,
                   InvoicePlan plan)
    : mapping_(std::move(mapping)), options_(options), report_(report), pass_(pass), plan_(std::move(plan)) {}

std::string_view Cleanser::Value(const RowContext& context, Field field) const {
  const std::optional<size_t> column = mapping_.ColumnOf(field);
  if (!column || *column >= context.record.fields.size()) return {};
  return context.record.fields[*column];
}

const std::string& Cleanser::Header(Field field) const {
  static const std::string kNone;
  const std::optional<size_t> column = mapping_.ColumnOf(field);
  return column ? mapping_.headers[*column] : kNone;
}

void Cleanser::Issue(RowContext& context, Field field, IssueCode code, std::string message) {
  if (SeverityOf(code) == Severity::kError && !context.outcome.rejected) {
    context.outcome.rejected = true;
    context.outcome.reason = fmt::format("{}: {}", IssueCodeName(code), message);
  }
  report_.Add(RowIssue{context.row, field == Field::kIgnore ? std::string() : Header(field), code, std::move(message)});
}

Result<RowOutcome> Cleanser::Add(const Record& record, int64_t row, RecordSink& sink) {
  RowContext context{record, row, {}};
  ++report_.rows_read;
  if (record.unterminated_quote) {
    Issue(context, Field::kIgnore, IssueCode::kUnterminatedQuote, "the file ends inside a quoted field");
  }
  if (record.fields.size() != mapping_.headers.size()) {
    Issue(context, Field::kIgnore, IssueCode::kRaggedRow,
          fmt::format("{} fields where the header has {}", record.fields.size(), mapping_.headers.size()));
  }
  Fingerprint fingerprint;
  fingerprint.AddFields(record.fields);
  if (!context.outcome.rejected && !seen_rows_.Insert(fingerprint.value())) {
    Issue(context, Field::kIgnore, IssueCode::kDuplicateRow, "the same as an earlier row; skipped");
    ++report_.rows_skipped;
    return context.outcome;
  }
  if (!context.outcome.rejected) {
    if (options_.kind == ImportKind::kCustomers) {
      CRM_RETURN_IF_ERROR(AddCustomerRow(context, sink));
    } else if (options_.kind == ImportKind::kOrders) {
      CRM_RETURN_IF_ERROR(AddOrderRow(context, sink));
    } else {
      CRM_RETURN_IF_ERROR(AddLineRow(context, sink));
    }
  }
  if (context.outcome.rejected) ++report_.rows_rejected;
  return context.outcome;
}

std::optional<std::string> Cleanser::CleanText(RowContext& context, Field field, std::string_view original,
                                               size_t max_bytes) {
  auto text = domain::NormalizeText(original);
  if (!text.ok()) {
    Issue(context, field, IssueCode::kInvalidText, "not valid text");
    return std::nullopt;
  }
  if (text->size() > max_bytes) {
    Issue(context, field, IssueCode::kInvalidText, fmt::format("longer than {} bytes", max_bytes));
    return std::nullopt;
  }
  if (domain::HasControlCharacter(*text)) {
    Issue(context, field, IssueCode::kInvalidText, "holds control characters");
    return std::nullopt;
  }
  return std::move(text).value();
}

void Cleanser::CleanName(RowContext& context, CustomerRecord& customer) {
  const std::string_view original = Value(context, Field::kName);
  if (original.empty()) return;
  std::optional<std::string> name = CleanText(context, Field::kName, original, kMaxNameBytes);
  if (!name) return;
  if (*name != original) Issue(context, Field::kName, IssueCode::kNameNormalized, fmt::format("\"{}\" → \"{}\"", original, *name));
  customer.name = std::move(name).value();
}

void Cleanser::CleanPhone(RowContext& context, CustomerRecord& customer) {
  const std::string_view original = TrimText(Value(context, Field::kPhone));
  if (original.empty()) return;
  auto phone = domain::ParsePhone(original);
  if (!phone.ok()) {
    Issue(context, Field::kPhone, IssueCode::kInvalidPhone, fmt::format("\"{}\" is not a phone number", original));
    return;
  }
  if (original != phone->e164 && original != phone->national && original != HyphenatedMobile(phone->national)) {
    Issue(context, Field::kPhone, IssueCode::kPhoneNormalized, fmt::format("\"{}\" → {}", original, phone->e164));
  }
  customer.phone_e164 = phone->e164;
}

void Cleanser::CleanEmail(RowContext& context, CustomerRecord& customer) {
  const std::string_view original = TrimText(Value(context, Field::kEmail));
  if (original.empty()) return;
  auto email = ParseEmail(original);
  if (!email.ok()) {
    Issue(context, Field::kEmail, IssueCode::kInvalidEmail, fmt::format("\"{}\" is not an e-mail address", original));
    return;
  }
  if (*email != original) Issue(context, Field::kEmail, IssueCode::kEmailNormalized, fmt::format("\"{}\" → {}", original, *email));
  customer.email = std::move(email).value();
}

// The fields only a customers file carries.
void Cleanser::CleanProfile(RowContext& context, CustomerRecord& customer) {
  if (const std::string_view birthday = TrimText(Value(context, Field::kBirthday)); !birthday.empty()) {
    auto value = ParseDateTime(birthday);
    if (!value.ok()) {
      Issue(context, Field::kBirthday, IssueCode::kInvalidDate, fmt::format("\"{}\" is not a date", birthday));
    } else {
      if (value->date.ToString() != birthday) {
        Issue(context, Field::kBirthday, IssueCode::kDateNormalized, fmt::format("\"{}\" → {}", birthday, value->date.ToString()));
      }
      customer.birthday = value->date;
    }
  }
  if (const std::string_view gender = TrimText(Value(context, Field::kGender)); !gender.empty()) {
    auto value = ParseGenderText(gender);
    if (!value.ok()) {
      Issue(context, Field::kGender, IssueCode::kInvalidText, fmt::format("\"{}\" is not a gender", gender));
    } else {
      customer.gender = *value;
    }
  }
  std::optional<std::string> address = CleanText(context, Field::kAddress, Value(context, Field::kAddress), kMaxTextBytes);
  if (address) customer.address = std::move(*address);
  std::string tags(Value(context, Field::kTags));
  std::replace_if(tags.begin(), tags.end(), [](char c) { return c == ';' || c == '|' || c == '/'; }, ',');
  for (size_t start = 0; start <= tags.size();) {
    const size_t comma = std::min(tags.find(',', start), tags.size());
    std::optional<std::string> tag =
        CleanText(context, Field::kTags, std::string_view(tags).substr(start, comma - start), kMaxTagBytes);
    if (tag && !tag->empty()) customer.tags.push_back(std::move(*tag));
    start = comma + 1;
  }
  if (mapping_.ColumnOf(Field::kCreatedAt) && !TrimText(Value(context, Field::kCreatedAt)).empty()) {
    customer.joined_at = CleanTime(context, Field::kCreatedAt);
  }
  CleanHistory(context, customer);
}

bool Cleanser::CleanCustomer(RowContext& context, CustomerRecord& customer) {
  customer.row = context.row;
  CleanName(context, customer);
  CleanPhone(context, customer);
  CleanEmail(context, customer);
  const std::string_view external = Value(context, Field::kCustomerExternalId);
  customer.external_id = CleanExternalId(external);
  if (customer.external_id.size() > kMaxNameBytes || !domain::NormalizeText(customer.external_id).ok() ||
      domain::HasControlCharacter(customer.external_id)) {
    Issue(context, Field::kCustomerExternalId, IssueCode::kInvalidText, "not an id");
  }
  return !context.outcome.rejected;
}

std::optional<Timestamp> Cleanser::CleanTime(RowContext& context, Field field) {
  const std::string_view original = TrimText(Value(context, field));
  if (original.empty()) {
    Issue(context, field, IssueCode::kMissingRequired, "no date");
    return std::nullopt;
  }
  // The lines of one invoice repeat its time: a text seen last time in normal form is not parsed again.
  if (original == last_time_text_) return last_time_;
  auto value = ParseDateTime(original);
  if (!value.ok()) {
    Issue(context, field, IssueCode::kInvalidDate, fmt::format("\"{}\" is not a date", original));
    return std::nullopt;
  }
  const Timestamp time = value->ToTimestamp(options_.utc_offset_minutes);
  if (value->ToString() != original) {
    Issue(context, field, IssueCode::kDateNormalized, fmt::format("\"{}\" → {}", original, value->ToString()));
  } else {
    last_time_text_.assign(original);
    last_time_ = time;
  }
  return time;
}

std::optional<int64_t> Cleanser::CleanAmount(RowContext& context, Field field) {
  const std::string_view original = TrimText(Value(context, field));
  if (original.empty()) {
    Issue(context, field, IssueCode::kMissingRequired, "no amount");
    return std::nullopt;
  }
  auto amount = ParseAmount(original, options_.currency_exponent);
  if (!amount.ok()) {
    if (const std::optional<int> decimals = ExcessDecimals(original, options_.currency_exponent)) {
      ++excess_decimals_[static_cast<size_t>(std::min(*decimals, 9))];
      Issue(context, field, IssueCode::kTooManyDecimals,
            fmt::format("\"{}\" has more decimals than the currency allows ({})", original, options_.currency_exponent));
    } else {
      Issue(context, field, IssueCode::kInvalidAmount, fmt::format("\"{}\" is not an amount", original));
    }
    return std::nullopt;
  }
  if (std::llabs(*amount) > domain::kMaxOrderTotal) {
    Issue(context, field, IssueCode::kInvalidAmount,
          fmt::format("{} is beyond the largest amount an order may have", FormatAmount(*amount, options_.currency_exponent)));
    return std::nullopt;
  }
  if (AmountNeedsNormalizing(original)) {
    Issue(context, field, IssueCode::kAmountNormalized,
          fmt::format("\"{}\" → {}", original, FormatAmount(*amount, options_.currency_exponent)));
  }
  return *amount;
}

Status Cleanser::AddCustomerRow(RowContext& context, RecordSink& sink) {
  CustomerRecord customer;
  CleanCustomer(context, customer);
  CleanProfile(context, customer);
  if (context.outcome.rejected) return Status::Ok();
  if (customer.IsEmpty()) {
    Issue(context, Field::kIgnore, IssueCode::kNoCustomerKey, "no name, phone, e-mail or customer number");
    return Status::Ok();
  }
  return sink.OnCustomer(std::move(customer));
}

Status Cleanser::AddOrderRow(RowContext& context, RecordSink& sink) {
  OrderRecord order;
  order.first_row = context.row;
  CleanCustomer(context, order.customer);
  const std::optional<Timestamp> ordered_at = CleanTime(context, Field::kOrderedAt);
  const std::optional<int64_t> total = CleanAmount(context, Field::kTotal);
  if (total && *total == 0) Issue(context, Field::kTotal, IssueCode::kInvalidAmount, "an order of 0");
  if (context.outcome.rejected) return Status::Ok();
  order.ordered_at = *ordered_at;
  order.total = Money(*total);
  order.external_id = CleanExternalId(Value(context, Field::kOrderExternalId));
  if (order.external_id.empty()) {
    Fingerprint fingerprint;
    fingerprint.AddFields(context.record.fields);
    order.external_id = "row-" + fingerprint.Hex();
  }
  if (*total < 0) {
    order.kind = domain::OrderKind::kRefund;
    Issue(context, Field::kTotal, IssueCode::kRefund,
          fmt::format("{} became a refund", FormatAmount(*total, options_.currency_exponent)));
  }
  if (!order.customer.HasKey()) Issue(context, Field::kIgnore, IssueCode::kAnonymousSale, "no customer");
  amounts_.push_back(AmountSample{0, context.row, *total});
  return sink.OnOrder(std::move(order));
}

std::optional<domain::OrderLine> Cleanser::CleanLine(RowContext& context, bool& negative) {
  domain::OrderLine line;
  const std::string_view quantity_text = TrimText(Value(context, Field::kQuantity));
  auto quantity = ParseQuantity(quantity_text);
  if (!quantity.ok() || *quantity == 0 || std::llabs(*quantity) > domain::kMaxLineQuantity) {
    Issue(context, Field::kQuantity, IssueCode::kInvalidQuantity, fmt::format("\"{}\" is not a quantity", quantity_text));
  }
  const std::optional<int64_t> price = CleanAmount(context, Field::kUnitPrice);
  if (price && *price < 0) {
    Issue(context, Field::kUnitPrice, IssueCode::kNegativePrice,
          fmt::format("a price of {} is below 0", FormatAmount(*price, options_.currency_exponent)));
  }
  if (price && *price == 0) Issue(context, Field::kUnitPrice, IssueCode::kZeroPrice, "a line at price 0");
  auto product = domain::NormalizeText(Value(context, Field::kProduct));
  auto code = domain::NormalizeText(Value(context, Field::kProductCode));
  if (!product.ok() || !code.ok()) Issue(context, Field::kProduct, IssueCode::kInvalidText, "not valid text");
  if (product.ok() && code.ok() && product->empty() && code->empty()) {
    Issue(context, Field::kProduct, IssueCode::kMissingRequired, "no product");
  }
  if (context.outcome.rejected) return std::nullopt;
  negative = *quantity < 0;
  line.quantity = std::llabs(*quantity);
  line.unit_price = Money(*price);
  line.product = product->empty() ? *code : *product;
  line.category = *code;
  return line;
}

Status Cleanser::AddLineRow(RowContext& context, RecordSink& sink) {
  const std::string invoice = CleanExternalId(Value(context, Field::kOrderExternalId));
  if (invoice.empty()) Issue(context, Field::kOrderExternalId, IssueCode::kMissingRequired, "no order number");
  CustomerRecord customer;
  CleanCustomer(context, customer);
  const std::optional<Timestamp> ordered_at = CleanTime(context, Field::kOrderedAt);
  bool negative = false;
  std::optional<domain::OrderLine> line = CleanLine(context, negative);
  if (context.outcome.rejected) {
    if (pass_ == CleanserPass::kScanInvoices && !invoice.empty()) plan_.bad.try_emplace(invoice, InvoicePlan::Bad{context.row, false});
    return Status::Ok();
  }
  const bool cancellation = invoice.starts_with("C") || invoice.starts_with("c");
  if (negative && line->unit_price.minor_units() == 0 && !cancellation) {
    Issue(context, Field::kQuantity, IssueCode::kWriteOff,
          fmt::format("quantity {} at price 0 without a cancellation invoice: a stock write-off, not a refund",
                      -line->quantity));
    if (pass_ == CleanserPass::kScanInvoices) return Status::Ok();
    return sink.OnWriteOff(WriteOffRecord{context.row, invoice, *ordered_at, std::move(*line)});
  }
  if (pass_ == CleanserPass::kScanInvoices) {
    // The first line decides whether the order is a sale or a refund, as when it is stored.
    const auto [kind, first] = plan_.refund.try_emplace(invoice, negative || cancellation);
    if (!first && kind->second != negative) plan_.bad.try_emplace(invoice, InvoicePlan::Bad{context.row, true});
    plan_.last_row[invoice] = context.row;
    return Status::Ok();
  }
  if (const auto bad = plan_.bad.find(invoice); bad != plan_.bad.end()) {
    if (bad->second.row == context.row && bad->second.mixed_sign) {
      Issue(context, Field::kQuantity, IssueCode::kMixedSignInvoice,
            fmt::format("a sale line in a refund or the reverse: all rows of order {} are left out", invoice));
    } else {
      Issue(context, Field::kOrderExternalId, IssueCode::kInvoiceRejected,
            fmt::format("order {} has a bad line on row {}: all its rows are left out", invoice, bad->second.row));
    }
    return Status::Ok();
  }
  auto [open, opened] = open_orders_.try_emplace(invoice);
  OrderRecord& order = open->second;
  if (opened) {
    order.first_row = context.row;
    order.external_id = invoice;
    order.ordered_at = *ordered_at;
    order.customer = std::move(customer);
    order.kind = negative || cancellation ? domain::OrderKind::kRefund : domain::OrderKind::kSale;
    if (!order.customer.HasKey()) Issue(context, Field::kIgnore, IssueCode::kAnonymousSale, "no customer");
  }
  if (order.kind == domain::OrderKind::kRefund) {
    Issue(context, Field::kQuantity, IssueCode::kRefund, fmt::format("quantity {} became a refund", -line->quantity));
  }
  const int64_t amount = line->quantity * line->unit_price.minor_units();
  order.total += Money(order.kind == domain::OrderKind::kRefund ? -amount : amount);
  Fingerprint product;
  product.AddFields({line->category, line->product});
  amounts_.push_back(AmountSample{product.value() | 1, context.row, line->unit_price.minor_units()});
  order.lines.push_back(std::move(*line));
  // The order is complete at its last row, wherever its rows are in the file.
  if (const auto last = plan_.last_row.find(invoice); last != plan_.last_row.end() && last->second == context.row) {
    return FlushOrder(invoice, sink);
  }
  return Status::Ok();
}

namespace {

uint64_t SaleKey(const std::string& customer_key, const domain::OrderLine& line) {
  Fingerprint fingerprint;
  fingerprint.Add(customer_key);
  fingerprint.Add("\x1F");
  fingerprint.Add(line.category);
  fingerprint.Add("\x1F");
  fingerprint.Add(line.product);
  return fingerprint.value();
}

}  // namespace

void Cleanser::LinkRefund(OrderRecord& order) {
  if (!order.customer.HasKey() || order.lines.empty()) return;
  const std::string customer_key = CustomerKey(order.customer);
  if (order.kind == domain::OrderKind::kSale) {
    for (const domain::OrderLine& line : order.lines) last_sale_[SaleKey(customer_key, line)] = order.external_id;
    return;
  }
  const auto found = last_sale_.find(SaleKey(customer_key, order.lines.front()));
  if (found != last_sale_.end()) order.original_external_id = found->second;
}

Status Cleanser::FlushOrder(const std::string& invoice, RecordSink& sink) {
  auto open = open_orders_.find(invoice);
  if (open == open_orders_.end()) return Status::Ok();
  OrderRecord order = std::move(open->second);
  open_orders_.erase(open);
  LinkRefund(order);
  return sink.OnOrder(std::move(order));
}

void Cleanser::FlagOutliers() {
  // A group with fewer values has no median worth judging by.
  constexpr size_t kFewestSamples = 10;
  std::sort(amounts_.begin(), amounts_.end(), [](const AmountSample& a, const AmountSample& b) {
    return a.group != b.group ? a.group < b.group : a.row < b.row;
  });
  auto median_of = [](std::vector<int64_t>& v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const bool orders = options_.kind == ImportKind::kOrders;
  struct Flagged {
    int64_t row, amount, median, mad;
  };
  std::vector<Flagged> flagged;  // small: messages are made in row order as the report takes them
  std::vector<int64_t> values;
  for (size_t begin = 0, end = 0; begin < amounts_.size(); begin = end) {
    while (end < amounts_.size() && amounts_[end].group == amounts_[begin].group) ++end;
    if (end - begin < kFewestSamples) continue;
    values.clear();
    for (size_t i = begin; i < end; ++i) values.push_back(std::llabs(amounts_[i].amount));
    const int64_t median = median_of(values);
    for (int64_t& value : values) value = std::llabs(value - median);
    const int64_t mad = median_of(values);
    if (mad == 0) continue;
    const double limit = options_.outlier_mad_multiple * kMadToSigma * static_cast<double>(mad);
    for (size_t i = begin; i < end; ++i) {
      const int64_t amount = amounts_[i].amount;
      if (std::fabs(static_cast<double>(std::llabs(amount) - median)) <= limit) continue;
      flagged.push_back(Flagged{amounts_[i].row, amount, median, mad});
    }
  }
  std::sort(flagged.begin(), flagged.end(), [](const Flagged& a, const Flagged& b) { return a.row < b.row; });
  const std::string& column = Header(orders ? Field::kTotal : Field::kUnitPrice);
  for (const Flagged& outlier : flagged) {
    report_.Add(RowIssue{outlier.row, column, IssueCode::kOutlier,
                         fmt::format("{} {} is far from the median {} (MAD {}){}", orders ? "a total of" : "a unit price of",
                                     FormatAmount(outlier.amount, options_.currency_exponent),
                                     FormatAmount(outlier.median, options_.currency_exponent),
                                     FormatAmount(outlier.mad, options_.currency_exponent),
                                     orders ? "" : " of this product's lines")});
  }
}

Status Cleanser::Finish(RecordSink& sink) {
  if (pass_ == CleanserPass::kScanInvoices) return Status::Ok();
  // Orders without a plan (or past their planned last row) are handed over in file order.
  std::vector<std::pair<int64_t, std::string>> remaining;
  for (const auto& [invoice, order] : open_orders_) remaining.emplace_back(order.first_row, invoice);
  std::sort(remaining.begin(), remaining.end());
  for (const auto& [row, invoice] : remaining) CRM_RETURN_IF_ERROR(FlushOrder(invoice, sink));
  FlagOutliers();
  return Status::Ok();
}

int Cleanser::CommonExcessDecimals() const {
  const auto most = std::max_element(excess_decimals_.begin(), excess_decimals_.end());
  return *most == 0 ? 0 : static_cast<int>(most - excess_decimals_.begin());
}

InvoicePlan Cleanser::TakePlan() {
  plan_.refund.clear();
  return std::move(plan_);
}

}  // namespace crm::importing
