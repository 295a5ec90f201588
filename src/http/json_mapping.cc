#include "http/json_mapping.h"

#include <string_view>
#include <utility>
#include <vector>

#include "domain/korean_text.h"
#include "domain/phone.h"
#include "http/json_reader.h"

namespace crm::http {

namespace {

template <typename Tag>
Json IdOrNull(Id<Tag> id) {
  return id.valid() ? Json(id.value()) : Json(nullptr);
}

template <typename Tag>
Json IdOrNull(const std::optional<Id<Tag>>& id) {
  return id && id->valid() ? Json(id->value()) : Json(nullptr);
}

Json TimeOrNull(const std::optional<Timestamp>& time) { return time ? Json(time->ToIso8601()) : Json(nullptr); }

Json StringOrNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

const char* CalendarName(domain::CalendarType calendar) {
  return calendar == domain::CalendarType::kLunar ? "lunar" : "solar";
}

std::optional<domain::CalendarType> ParseCalendar(std::string_view text) {
  if (text == "solar") return domain::CalendarType::kSolar;
  if (text == "lunar") return domain::CalendarType::kLunar;
  return std::nullopt;
}

Json BirthdayJson(const std::optional<domain::Birthday>& birthday) {
  if (!birthday) return nullptr;
  Json json;
  json["date"] = birthday->date.ToString();
  json["calendar"] = CalendarName(birthday->calendar);
  json["leap_month"] = birthday->leap_month;
  return json;
}

Json ConsentJson(const domain::Consent& consent) {
  Json json;
  json["channel"] = domain::ToString(consent.channel);
  json["granted"] = consent.granted;
  json["at"] = consent.at.ToIso8601();
  json["source"] = consent.source;
  return json;
}

Json AlertsJson(const std::vector<domain::Preference>& preferences) {
  Json alerts = Json::array();
  for (const domain::Preference& preference : preferences) {
    if (preference.IsAlert()) alerts.push_back(ToJson(preference));
  }
  return alerts;
}

// The pick list carries only what the counter needs to see of an alert.
Json CompactAlertsJson(const std::vector<domain::Preference>& preferences) {
  Json alerts = Json::array();
  for (const domain::Preference& preference : preferences) {
    if (!preference.IsAlert()) continue;
    Json alert;
    alert["id"] = preference.id.value();
    alert["kind"] = domain::ToString(preference.kind);
    alert["subject"] = preference.subject;
    alerts.push_back(std::move(alert));
  }
  return alerts;
}

// Reads a date string field ("YYYY-MM-DD") through `reader`, failing with the field named.
std::optional<Date> ReadDate(FieldReader& reader, std::string_view key, Presence presence) {
  std::optional<std::string> text = reader.String(key, presence);
  if (!text) return std::nullopt;
  Result<Date> date = Date::Parse(*text);
  if (!date.ok()) {
    reader.Fail(InvalidArgument(date.status().message(), reader.FieldName(key)));
    return std::nullopt;
  }
  return *date;
}

// birthday: {"date": "1990-05-01", "calendar": "lunar", "leap_month": false} or "1990-05-01".
std::optional<domain::Birthday> ReadBirthday(FieldReader& reader) {
  if (!reader.Present("birthday")) return std::nullopt;
  domain::Birthday birthday;
  const nlohmann::json* raw = reader.Raw("birthday");
  if (raw != nullptr && raw->is_string()) {
    std::optional<Date> date = ReadDate(reader, "birthday", Presence::kRequired);
    if (!date) return std::nullopt;
    birthday.date = *date;
    return birthday;
  }
  const nlohmann::json* object = reader.Object("birthday");
  if (object == nullptr) return std::nullopt;
  FieldReader fields(*object, reader.FieldName("birthday") + ".");
  std::optional<Date> date = ReadDate(fields, "date", Presence::kRequired);
  birthday.calendar = fields.Enumerated<domain::CalendarType>("calendar", ParseCalendar, "solar, lunar")
                          .value_or(domain::CalendarType::kSolar);
  birthday.leap_month = fields.Bool("leap_month").value_or(false);
  if (fields.ok() && birthday.leap_month && birthday.calendar != domain::CalendarType::kLunar) {
    fields.Fail(InvalidArgument("only a lunar birthday has a leap month", fields.FieldName("leap_month")));
  }
  if (!fields.ok()) {
    reader.Fail(fields.status());
    return std::nullopt;
  }
  birthday.date = *date;
  return birthday;
}

std::optional<std::vector<domain::Anniversary>> ReadAnniversaries(FieldReader& reader) {
  if (reader.IsNull("anniversaries")) return std::vector<domain::Anniversary>{};
  const nlohmann::json* array = reader.Array("anniversaries");
  if (array == nullptr) return std::nullopt;
  std::vector<domain::Anniversary> anniversaries;
  for (size_t i = 0; i < array->size(); ++i) {
    FieldReader fields((*array)[i], IndexedName(reader.FieldName("anniversaries"), i) + ".");
    domain::Anniversary anniversary;
    anniversary.label = fields.String("label").value_or("");
    std::optional<Date> date = ReadDate(fields, "date", Presence::kRequired);
    if (!fields.ok()) {
      reader.Fail(fields.status());
      return std::nullopt;
    }
    anniversary.date = *date;
    anniversaries.push_back(std::move(anniversary));
  }
  return anniversaries;
}

std::optional<std::vector<std::string>> ReadStrings(FieldReader& reader, std::string_view key) {
  if (reader.IsNull(key)) return std::vector<std::string>{};
  const nlohmann::json* array = reader.Array(key);
  if (array == nullptr) return std::nullopt;
  std::vector<std::string> strings;
  for (size_t i = 0; i < array->size(); ++i) {
    const nlohmann::json& item = (*array)[i];
    if (!item.is_string() || item.get_ref<const std::string&>().find('\0') != std::string::npos) {
      reader.Fail(InvalidArgument("expected a string", IndexedName(reader.FieldName(key), i)));
      return std::nullopt;
    }
    strings.push_back(item.get<std::string>());
  }
  return strings;
}

std::optional<std::vector<int64_t>> ReadIds(FieldReader& reader, std::string_view key) {
  if (reader.IsNull(key)) return std::vector<int64_t>{};
  const nlohmann::json* array = reader.Array(key);
  if (array == nullptr) return std::nullopt;
  std::vector<int64_t> ids;
  for (size_t i = 0; i < array->size(); ++i) {
    std::optional<int64_t> id = AsId((*array)[i]);
    if (!id) {
      reader.Fail(InvalidArgument("expected an id (a positive integer)", IndexedName(reader.FieldName(key), i)));
      return std::nullopt;
    }
    ids.push_back(*id);
  }
  return ids;
}

std::vector<domain::Consent> ReadConsents(FieldReader& reader) {
  std::vector<domain::Consent> consents;
  const nlohmann::json* array = reader.Array("consents");
  if (array == nullptr) return consents;
  for (size_t i = 0; i < array->size(); ++i) {
    FieldReader fields((*array)[i], IndexedName(reader.FieldName("consents"), i) + ".");
    domain::Consent consent;
    consent.channel = fields
                          .Enumerated<domain::ConsentChannel>("channel", domain::ParseConsentChannel,
                                                              "sms, kakao, email, night", Presence::kRequired)
                          .value_or(domain::ConsentChannel::kSms);
    consent.granted = fields.Bool("granted", Presence::kRequired).value_or(false);
    consent.source = fields.String("source").value_or("");
    if (!fields.ok()) {
      reader.Fail(fields.status());
      return {};
    }
    consents.push_back(std::move(consent));
  }
  return consents;
}

// A string field of a draft: absent stays unset, null clears to "".
std::optional<std::string> ReadClearableString(FieldReader& reader, std::string_view key) {
  if (reader.IsNull(key)) return std::string();
  return reader.String(key);
}

std::vector<domain::OrderLine> ReadLines(FieldReader& reader) {
  std::vector<domain::OrderLine> lines;
  const nlohmann::json* array = reader.Array("lines");
  if (array == nullptr) return lines;
  if (array->size() > domain::kMaxOrderLines) {
    reader.Fail(InvalidArgument("at most " + std::to_string(domain::kMaxOrderLines) + " lines", "lines"));
    return lines;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    FieldReader fields((*array)[i], IndexedName("lines", i) + ".");
    domain::OrderLine line;
    line.product = fields.String("product", Presence::kRequired).value_or("");
    line.category = fields.String("category").value_or("");
    line.quantity = fields.Integer("quantity", 1, domain::kMaxLineQuantity).value_or(1);
    line.unit_price = Money(fields.Integer("unit_price", 0, domain::kMaxOrderTotal, Presence::kRequired).value_or(0));
    if (!fields.ok()) {
      reader.Fail(fields.status());
      return {};
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

constexpr std::string_view kRoles = "owner, manager, staff";
constexpr std::string_view kOrderChannels = "counter, pos, online, delivery, phone, import";

}  // namespace

// ---- Output ----

Json ToJson(const domain::Business& business) {
  Json json;
  json["id"] = business.id.value();
  json["slug"] = business.slug;
  json["name"] = business.name;
  json["utc_offset_minutes"] = business.utc_offset_minutes;
  json["created_at"] = business.created_at.ToIso8601();
  return json;
}

Json ToJson(const domain::Branch& branch) {
  Json json;
  json["id"] = branch.id.value();
  json["name"] = branch.name;
  json["created_at"] = branch.created_at.ToIso8601();
  return json;
}

Json ToJson(const domain::Staff& staff) {
  Json json;
  json["id"] = staff.id.value();
  json["email"] = staff.email;
  json["display_name"] = staff.display_name;
  json["role"] = domain::ToString(staff.role);
  Json branches = Json::array();
  for (BranchId branch : staff.branch_ids) branches.push_back(branch.value());
  json["branch_ids"] = std::move(branches);
  json["daily_prospect_goal"] = staff.daily_prospect_goal;
  json["active"] = staff.active;
  json["created_at"] = staff.created_at.ToIso8601();
  return json;
}

void MaskPersonalData(Json& summary) {
  summary["phone"] = nullptr;
  const std::string email = summary.value("email", Json(nullptr)).is_string() ? summary["email"].get<std::string>() : "";
  summary["email"] = email.empty() ? Json(nullptr) : Json(domain::MaskEmail(email));
  summary["birthday"] = nullptr;
  if (summary.contains("address")) summary["address"] = nullptr;
  if (summary.contains("anniversaries")) summary["anniversaries"] = Json::array();
}

Json ToJson(const domain::ApiToken& token) {
  Json json;
  json["id"] = token.id.value();
  json["name"] = token.name;
  json["role"] = domain::ToString(token.role);
  json["created_at"] = token.created_at.ToIso8601();
  json["created_by"] = token.created_by ? Json(token.created_by->value()) : Json(nullptr);
  json["last_used_at"] = token.last_used_at ? Json(token.last_used_at->ToIso8601()) : Json(nullptr);
  json["revoked_at"] = token.revoked_at ? Json(token.revoked_at->ToIso8601()) : Json(nullptr);
  return json;
}

Json ToJson(const domain::Preference& preference) {
  Json json;
  json["id"] = preference.id.value();
  json["kind"] = domain::ToString(preference.kind);
  json["subject"] = preference.subject;
  json["alert"] = preference.IsAlert();
  json["created_at"] = preference.created_at.ToIso8601();
  json["created_by"] = IdOrNull(preference.created_by);
  return json;
}

Json ToJson(const domain::Note& note) {
  Json json;
  json["id"] = note.id.value();
  json["customer_id"] = note.customer_id.value();
  json["author_id"] = IdOrNull(note.author_id);
  json["branch_id"] = IdOrNull(note.branch_id);
  json["text"] = note.text;
  json["pinned"] = note.pinned;
  json["created_at"] = note.created_at.ToIso8601();
  json["source"] = "";  // a staff member's; the notes list names "import" for an imported memo
  return json;
}

Json ToJson(const domain::Order& order) {
  Json json;
  json["id"] = order.id.value();
  json["kind"] = domain::ToString(order.kind);
  json["branch_id"] = IdOrNull(order.branch_id);
  json["staff_id"] = IdOrNull(order.staff_id);
  json["customer_id"] = IdOrNull(order.customer_id);
  json["original_order_id"] = IdOrNull(order.original_order_id);
  json["ordered_at"] = order.ordered_at.ToIso8601();
  json["total"] = order.total.minor_units();
  json["channel"] = domain::ToString(order.channel);
  json["external_source"] = StringOrNull(order.external_source);
  json["external_id"] = StringOrNull(order.external_id);
  Json lines = Json::array();
  for (const domain::OrderLine& line : order.lines) {
    Json item;
    item["product"] = line.product;
    item["category"] = line.category;
    item["quantity"] = line.quantity;
    item["unit_price"] = line.unit_price.minor_units();
    lines.push_back(std::move(item));
  }
  json["lines"] = std::move(lines);
  json["created_at"] = order.created_at.ToIso8601();
  return json;
}

Json ToJson(const domain::Prospect& prospect) {
  Json json;
  json["id"] = prospect.id.value();
  json["staff_id"] = IdOrNull(prospect.staff_id);
  json["branch_id"] = IdOrNull(prospect.branch_id);
  json["name"] = prospect.name;
  json["phone"] = StringOrNull(prospect.phone_e164);
  json["how_met"] = prospect.how_met;
  json["liked"] = prospect.liked;
  json["customer_id"] = IdOrNull(prospect.customer_id);
  json["created_at"] = prospect.created_at.ToIso8601();
  return json;
}

Json ToJson(const domain::ProspectProgress& progress) {
  Json json;
  json["staff_id"] = progress.staff_id.value();
  json["display_name"] = progress.display_name;
  json["goal"] = progress.goal;
  json["today"] = progress.today;
  return json;
}

Json ToJson(const domain::AccessLogEntry& entry) {
  Json json;
  json["id"] = entry.id;
  json["at"] = entry.at.ToIso8601();
  json["staff_id"] = IdOrNull(entry.staff_id);
  json["token_id"] = IdOrNull(entry.token_id);
  json["customer_id"] = IdOrNull(entry.customer_id);
  json["action"] = domain::ToString(entry.action);
  json["ip"] = entry.ip;
  json["detail"] = entry.detail;
  return json;
}

Json ToJson(const app::LookupResult& lookup) {
  Json items = Json::array();
  for (const app::LookupHit& hit : lookup.hits) {
    Json item;
    item["alerts"] = CompactAlertsJson(hit.alerts);
    item["id"] = hit.id.value();
    item["name"] = hit.masked_name;
    item["phone"] = StringOrNull(hit.masked_phone);
    item["last_visit_at"] = TimeOrNull(hit.last_visit_at);
    item["visit_count"] = hit.visit_count;
    item["stage"] = domain::ToString(hit.stage);
    item["tier"] = StringOrNull(hit.tier);
    items.push_back(std::move(item));
  }
  Json json;
  json["matched_by"] = lookup.matched_by;
  json["items"] = std::move(items);
  return json;
}

Json CustomerToJson(const domain::Customer& customer, domain::LifecycleStage stage, CustomerView view) {
  Json json;
  // Allergies and "never" go first, so that no screen or client can show the profile without them.
  if (view == CustomerView::kProfile) json["alerts"] = AlertsJson(customer.preferences);
  json["id"] = customer.id.value();
  json["name"] = customer.name;
  json["family_name"] = customer.family_name;
  json["given_name"] = customer.given_name;
  json["phone"] = StringOrNull(customer.phone_e164);
  json["phone_masked"] = customer.phone_e164.empty() ? Json(nullptr) : Json(domain::MaskPhone(customer.phone_e164));
  json["email"] = StringOrNull(customer.email);
  json["birthday"] = BirthdayJson(customer.birthday);
  json["gender"] = domain::ToString(customer.gender);
  Json anniversaries = Json::array();
  for (const domain::Anniversary& anniversary : customer.anniversaries) {
    anniversaries.push_back(Json{{"label", anniversary.label}, {"date", anniversary.date.ToString()}});
  }
  json["anniversaries"] = std::move(anniversaries);
  json["tags"] = customer.tags;
  json["source"] = domain::ToString(customer.source);
  json["referrer_id"] = IdOrNull(customer.referrer_id);
  json["address"] = customer.address;
  Json consents = Json::array();
  for (const domain::Consent& consent : customer.consents) consents.push_back(ConsentJson(consent));
  json["consents"] = std::move(consents);
  json["stage"] = domain::ToString(stage);
  json["visit_count"] = customer.stats.visit_count;
  json["total_spend"] = customer.stats.total_spend.minor_units();
  json["first_visit_at"] = TimeOrNull(customer.stats.first_visit_at);
  json["last_visit_at"] = TimeOrNull(customer.stats.last_visit_at);
  json["created_at"] = customer.created_at.ToIso8601();
  json["updated_at"] = customer.updated_at.ToIso8601();
  if (view == CustomerView::kProfile) {
    Json preferences = Json::array();
    for (const domain::Preference& preference : customer.preferences) preferences.push_back(ToJson(preference));
    json["preferences"] = std::move(preferences);
    Json agreements = Json::array();
    for (const domain::Agreement& agreement : customer.agreements) {
      agreements.push_back({{"item", domain::AgreementItemName(agreement.item)},
                            {"version", agreement.version},
                            {"accepted_at", agreement.accepted_at.ToIso8601()},
                            {"source", agreement.source}});
    }
    json["agreements"] = std::move(agreements);
  }
  return json;
}

Json PageJson(Json items, std::optional<int64_t> next_cursor) {
  Json json;
  json["items"] = std::move(items);
  json["next_cursor"] = next_cursor ? Json(std::to_string(*next_cursor)) : Json(nullptr);
  return json;
}

// ---- Input ----

Result<domain::CustomerDraft> ParseCustomerDraft(const nlohmann::json& body) {
  FieldReader reader(body);
  domain::CustomerDraft draft;
  draft.name = ReadClearableString(reader, "name");
  draft.phone = ReadClearableString(reader, "phone");
  draft.email = ReadClearableString(reader, "email");
  draft.address = ReadClearableString(reader, "address");
  if (reader.IsNull("birthday")) {
    draft.birthday = std::optional<domain::Birthday>();
  } else if (std::optional<domain::Birthday> birthday = ReadBirthday(reader)) {
    draft.birthday = birthday;
  }
  if (reader.IsNull("gender")) {
    draft.gender = domain::Gender::kUnspecified;
  } else {
    draft.gender = reader.Enumerated<domain::Gender>("gender", domain::ParseGender, "unspecified, female, male, other");
  }
  draft.anniversaries = ReadAnniversaries(reader);
  draft.tags = ReadStrings(reader, "tags");
  draft.source = reader.Enumerated<domain::SourceChannel>("source", domain::ParseSourceChannel,
                                                          "counter, kiosk, online, referral, import, partner, other");
  if (reader.IsNull("referrer_id")) {
    draft.referrer_id = std::optional<CustomerId>();
  } else if (std::optional<int64_t> referrer = reader.Id("referrer_id")) {
    draft.referrer_id = std::optional<CustomerId>(CustomerId(*referrer));
  }
  draft.consents = ReadConsents(reader);
  if (!reader.ok()) return reader.status();
  return draft;
}

Result<domain::Order> ParseSale(const nlohmann::json& body, Timestamp now) {
  FieldReader reader(body);
  domain::Order order;
  order.kind = domain::OrderKind::kSale;
  order.branch_id = BranchId(reader.Id("branch_id", Presence::kRequired).value_or(0));
  if (std::optional<int64_t> customer = reader.Id("customer_id")) order.customer_id = CustomerId(*customer);
  if (std::optional<int64_t> staff = reader.Id("staff_id")) order.staff_id = StaffId(*staff);
  order.ordered_at = reader.Time("ordered_at").value_or(now);
  order.total = Money(reader.Integer("total", 0, domain::kMaxOrderTotal).value_or(0));
  order.channel = reader.Enumerated<domain::OrderChannel>("channel", domain::ParseOrderChannel, kOrderChannels)
                      .value_or(domain::OrderChannel::kCounter);
  order.external_source = reader.String("external_source").value_or("");
  order.external_id = reader.String("external_id").value_or("");
  order.lines = ReadLines(reader);
  if (!reader.ok()) return reader.status();
  return order;
}

Result<RefundRequest> ParseRefund(const nlohmann::json& body) {
  FieldReader reader(body);
  RefundRequest request;
  if (std::optional<int64_t> amount = reader.Integer("amount", 1, domain::kMaxOrderTotal)) {
    request.amount = Money(*amount);
  }
  request.external_source = reader.String("external_source").value_or("");
  request.external_id = reader.String("external_id").value_or("");
  if (!reader.ok()) return reader.status();
  return request;
}

Result<LoginRequest> ParseLogin(const nlohmann::json& body) {
  FieldReader reader(body);
  LoginRequest request;
  request.email = reader.String("email", Presence::kRequired).value_or("");
  request.password = reader.String("password", Presence::kRequired).value_or("");
  request.business = reader.String("business").value_or("");
  if (!reader.ok()) return reader.status();
  return request;
}

Result<PreferenceRequest> ParsePreference(const nlohmann::json& body) {
  FieldReader reader(body);
  PreferenceRequest request;
  request.kind = reader
                     .Enumerated<domain::PreferenceKind>("kind", domain::ParsePreferenceKind,
                                                         "like, dislike, allergy, never", Presence::kRequired)
                     .value_or(domain::PreferenceKind::kLike);
  request.subject = reader.String("subject", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  return request;
}

Result<NoteRequest> ParseNote(const nlohmann::json& body) {
  FieldReader reader(body);
  NoteRequest request;
  request.text = reader.String("text", Presence::kRequired).value_or("");
  if (std::optional<int64_t> branch = reader.Id("branch_id")) request.branch_id = BranchId(*branch);
  request.pinned = reader.Bool("pinned").value_or(false);
  if (!reader.ok()) return reader.status();
  return request;
}

Result<bool> ParsePinned(const nlohmann::json& body) {
  FieldReader reader(body);
  bool pinned = reader.Bool("pinned", Presence::kRequired).value_or(false);
  if (!reader.ok()) return reader.status();
  return pinned;
}

Result<TokenRequest> ParseTokenRequest(const nlohmann::json& body) {
  FieldReader reader(body);
  TokenRequest request;
  request.role = reader.Enumerated<domain::Role>("role", domain::ParseRole, kRoles, Presence::kRequired)
                     .value_or(domain::Role::kStaff);
  request.name = reader.String("name", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  return request;
}

Result<std::string> ParseBranchName(const nlohmann::json& body) {
  FieldReader reader(body);
  std::string name = reader.String("name", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  return name;
}

Result<app::NewStaff> ParseNewStaff(const nlohmann::json& body) {
  FieldReader reader(body);
  app::NewStaff staff;
  staff.email = reader.String("email", Presence::kRequired).value_or("");
  staff.display_name = reader.String("display_name").value_or("");
  staff.password = reader.String("password", Presence::kRequired).value_or("");
  staff.role = reader.Enumerated<domain::Role>("role", domain::ParseRole, kRoles).value_or(domain::Role::kStaff);
  if (std::optional<std::vector<int64_t>> branches = ReadIds(reader, "branch_ids")) {
    for (int64_t branch : *branches) staff.branch_ids.push_back(BranchId(branch));
  }
  staff.daily_prospect_goal = static_cast<int>(reader.Integer("daily_prospect_goal", 0, 1000).value_or(3));
  if (!reader.ok()) return reader.status();
  return staff;
}

Result<app::StaffChange> ParseStaffChange(const nlohmann::json& body) {
  FieldReader reader(body);
  app::StaffChange change;
  change.display_name = reader.String("display_name");
  change.role = reader.Enumerated<domain::Role>("role", domain::ParseRole, kRoles);
  if (std::optional<std::vector<int64_t>> branches = ReadIds(reader, "branch_ids")) {
    std::vector<BranchId> ids;
    for (int64_t branch : *branches) ids.push_back(BranchId(branch));
    change.branch_ids = std::move(ids);
  }
  if (std::optional<int64_t> goal = reader.Integer("daily_prospect_goal", 0, 1000)) {
    change.daily_prospect_goal = static_cast<int>(*goal);
  }
  change.active = reader.Bool("active");
  change.password = reader.String("password");
  if (!reader.ok()) return reader.status();
  return change;
}

Result<domain::Prospect> ParseProspect(const nlohmann::json& body) {
  FieldReader reader(body);
  domain::Prospect prospect;
  prospect.name = reader.String("name").value_or("");
  std::optional<std::string> phone = reader.String("phone");
  prospect.how_met = reader.String("how_met").value_or("");
  prospect.liked = reader.String("liked").value_or("");
  if (std::optional<int64_t> branch = reader.Id("branch_id")) prospect.branch_id = BranchId(*branch);
  if (!reader.ok()) return reader.status();
  if (phone && !phone->empty()) {
    Result<domain::PhoneNumber> parsed = domain::ParsePhone(*phone);
    if (!parsed.ok()) return InvalidArgument(parsed.status().message(), "phone");
    prospect.phone_e164 = parsed->e164;
  }
  return prospect;
}

}  // namespace crm::http
