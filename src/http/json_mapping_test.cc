#include "http/json_mapping.h"

#include <gtest/gtest.h>

#include "http/json_reader.h"

namespace crm::http {
namespace {

nlohmann::json Parse(const char* text) { return nlohmann::json::parse(text); }

// The field named by the kInvalidArgument that parsing `body` as a customer draft fails with.
std::string DraftError(const char* body) {
  Result<domain::CustomerDraft> draft = ParseCustomerDraft(Parse(body));
  if (draft.ok()) return "(ok)";
  EXPECT_EQ(draft.status().code(), StatusCode::kInvalidArgument);
  return draft.status().field();
}

std::string SaleError(const char* body) {
  Result<domain::Order> sale = ParseSale(Parse(body), Timestamp::FromSeconds(0));
  if (sale.ok()) return "(ok)";
  EXPECT_EQ(sale.status().code(), StatusCode::kInvalidArgument);
  return sale.status().field();
}

TEST(ParseBodyTest, EmptyBodyIsAnEmptyObject) {
  Result<nlohmann::json> body = ParseBody("  \r\n");
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(body->is_object());
  EXPECT_TRUE(body->empty());
}

TEST(ParseBodyTest, MalformedJsonFailsNamingBody) {
  for (const char* text : {"{", "{\"name\": }", "nonsense", "{\"a\":1}}", "\xff\xfe"}) {
    Result<nlohmann::json> body = ParseBody(text);
    ASSERT_FALSE(body.ok()) << text;
    EXPECT_EQ(body.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(body.status().field(), "body");
  }
}

TEST(ParseBodyTest, NonObjectFailsNamingBody) {
  for (const char* text : {"[]", "42", "\"text\"", "null", "true"}) {
    Result<nlohmann::json> body = ParseBody(text);
    ASSERT_FALSE(body.ok()) << text;
    EXPECT_EQ(body.status().field(), "body");
  }
}

TEST(ParseBodyTest, DeepNestingFails) {
  std::string text = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  Result<nlohmann::json> body = ParseBody(text);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().field(), "body");
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseBody("{\"a\":\"" + std::string(100, '[') + "\"}").ok());
}

TEST(CustomerDraftTest, AbsentFieldsStayUnset) {
  Result<domain::CustomerDraft> draft = ParseCustomerDraft(Parse(R"({"name":"김철수"})"));
  ASSERT_TRUE(draft.ok());
  EXPECT_EQ(draft->name, "김철수");
  EXPECT_FALSE(draft->phone.has_value());
  EXPECT_FALSE(draft->birthday.has_value());
  EXPECT_FALSE(draft->referrer_id.has_value());
  EXPECT_FALSE(draft->tags.has_value());
  EXPECT_FALSE(draft->gender.has_value());
  EXPECT_TRUE(draft->consents.empty());
}

TEST(CustomerDraftTest, ReadsEveryField) {
  Result<domain::CustomerDraft> draft = ParseCustomerDraft(Parse(R"({
    "name": "남궁민", "phone": "010-1234-5678", "email": "MIN@example.com",
    "birthday": {"date": "1990-08-15", "calendar": "lunar", "leap_month": true},
    "gender": "male", "anniversaries": [{"label": "결혼기념일", "date": "2015-05-02"}],
    "tags": ["vip", "단골"], "source": "referral", "referrer_id": 7, "address": "서울",
    "consents": [{"channel": "kakao", "granted": true, "source": "counter"}],
    "unknown_field": {"ignored": true}
  })"));
  ASSERT_TRUE(draft.ok()) << draft.status().ToString();
  EXPECT_EQ(draft->phone, "010-1234-5678");
  ASSERT_TRUE(draft->birthday.has_value() && draft->birthday->has_value());
  EXPECT_EQ((*draft->birthday)->date, (Date{1990, 8, 15}));
  EXPECT_EQ((*draft->birthday)->calendar, domain::CalendarType::kLunar);
  EXPECT_TRUE((*draft->birthday)->leap_month);
  EXPECT_EQ(draft->gender, domain::Gender::kMale);
  ASSERT_EQ(draft->anniversaries->size(), 1u);
  EXPECT_EQ((*draft->anniversaries)[0].label, "결혼기념일");
  EXPECT_EQ(draft->tags->size(), 2u);
  EXPECT_EQ(draft->source, domain::SourceChannel::kReferral);
  EXPECT_EQ(draft->referrer_id, std::optional<CustomerId>(CustomerId(7)));
  ASSERT_EQ(draft->consents.size(), 1u);
  EXPECT_EQ(draft->consents[0].channel, domain::ConsentChannel::kKakao);
  EXPECT_TRUE(draft->consents[0].granted);
}

TEST(CustomerDraftTest, BirthdayAsPlainStringIsSolar) {
  Result<domain::CustomerDraft> draft = ParseCustomerDraft(Parse(R"({"birthday":"1988-02-29"})"));
  ASSERT_TRUE(draft.ok());
  EXPECT_EQ((*draft->birthday)->calendar, domain::CalendarType::kSolar);
}

TEST(CustomerDraftTest, NullClearsBirthdayAndReferrer) {
  Result<domain::CustomerDraft> draft =
      ParseCustomerDraft(Parse(R"({"birthday":null,"referrer_id":null,"email":null,"tags":null})"));
  ASSERT_TRUE(draft.ok());
  ASSERT_TRUE(draft->birthday.has_value());
  EXPECT_FALSE(draft->birthday->has_value());
  ASSERT_TRUE(draft->referrer_id.has_value());
  EXPECT_FALSE(draft->referrer_id->has_value());
  EXPECT_EQ(draft->email, "");
  EXPECT_TRUE(draft->tags.has_value() && draft->tags->empty());
}

TEST(CustomerDraftTest, WrongTypesNameTheField) {
  EXPECT_EQ(DraftError(R"({"phone": 1012345678})"), "phone");
  EXPECT_EQ(DraftError(R"({"name": ["김"]})"), "name");
  EXPECT_EQ(DraftError(R"({"email": false})"), "email");
  EXPECT_EQ(DraftError(R"({"birthday": 19900101})"), "birthday");
  EXPECT_EQ(DraftError(R"({"birthday": "1990-02-30"})"), "birthday");
  EXPECT_EQ(DraftError(R"({"birthday": {"calendar": "solar"}})"), "birthday.date");
  EXPECT_EQ(DraftError(R"({"birthday": {"date": "1990-01-01", "calendar": "moon"}})"), "birthday.calendar");
  EXPECT_EQ(DraftError(R"({"birthday": {"date": "1990-01-01", "leap_month": "yes"}})"), "birthday.leap_month");
  EXPECT_EQ(DraftError(R"({"birthday": {"date": "1990-01-01", "leap_month": true}})"), "birthday.leap_month");
  EXPECT_EQ(DraftError(R"({"gender": "robot"})"), "gender");
  EXPECT_EQ(DraftError(R"({"tags": "vip"})"), "tags");
  EXPECT_EQ(DraftError(R"({"tags": ["vip", 3]})"), "tags[1]");
  EXPECT_EQ(DraftError(R"({"anniversaries": [{"label": "x", "date": "2020-01-01"}, {"label": "y"}]})"),
            "anniversaries[1].date");
  EXPECT_EQ(DraftError(R"({"anniversaries": ["2020-01-01"]})"), "anniversaries[0]");
  EXPECT_EQ(DraftError(R"({"source": "tv"})"), "source");
  EXPECT_EQ(DraftError(R"({"referrer_id": "7"})"), "referrer_id");
  EXPECT_EQ(DraftError(R"({"referrer_id": 0})"), "referrer_id");
  EXPECT_EQ(DraftError(R"({"referrer_id": -3})"), "referrer_id");
  EXPECT_EQ(DraftError(R"({"referrer_id": 1.5})"), "referrer_id");
  EXPECT_EQ(DraftError(R"({"consents": [{"channel": "fax", "granted": true}]})"), "consents[0].channel");
  EXPECT_EQ(DraftError(R"({"consents": [{"channel": "sms"}]})"), "consents[0].granted");
  EXPECT_EQ(DraftError(R"({"consents": {"channel": "sms"}})"), "consents");
  EXPECT_EQ(DraftError(R"({"address": "a\u0000b"})"), "address");
}

TEST(CustomerDraftTest, FirstErrorWins) { EXPECT_EQ(DraftError(R"({"name": 1, "phone": 2})"), "name"); }

TEST(SaleTest, ReadsLinesAndDefaultsTime) {
  Result<domain::Order> sale = ParseSale(Parse(R"({
    "branch_id": 2, "customer_id": 9, "channel": "pos", "external_source": "pos-1", "external_id": "A-1",
    "lines": [{"product": "아메리카노", "category": "coffee", "quantity": 2, "unit_price": 4500}]
  })"),
                                         Timestamp::FromSeconds(1'700'000'000));
  ASSERT_TRUE(sale.ok()) << sale.status().ToString();
  EXPECT_EQ(sale->branch_id, BranchId(2));
  EXPECT_EQ(sale->customer_id, std::optional<CustomerId>(CustomerId(9)));
  EXPECT_EQ(sale->channel, domain::OrderChannel::kPos);
  EXPECT_EQ(sale->ordered_at, Timestamp::FromSeconds(1'700'000'000));
  EXPECT_EQ(sale->total, Money(0));  // the service sums the lines
  ASSERT_EQ(sale->lines.size(), 1u);
  EXPECT_EQ(sale->lines[0].quantity, 2);
  EXPECT_EQ(sale->lines[0].unit_price, Money(4500));
}

TEST(SaleTest, ReadsExplicitTimeWithOffset) {
  Result<domain::Order> sale =
      ParseSale(Parse(R"({"branch_id": 1, "total": 5000, "ordered_at": "2024-03-01T09:00:00+09:00"})"),
                Timestamp::FromSeconds(0));
  ASSERT_TRUE(sale.ok());
  EXPECT_EQ(sale->ordered_at.ToIso8601(), "2024-03-01T00:00:00.000Z");
  EXPECT_EQ(sale->total, Money(5000));
}

TEST(SaleTest, BadFieldsAreNamed) {
  EXPECT_EQ(SaleError(R"({"total": 100})"), "branch_id");
  EXPECT_EQ(SaleError(R"({"branch_id": "1"})"), "branch_id");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "total": 12.5})"), "total");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "total": -1})"), "total");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "total": 99999999999999999999})"), "total");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "ordered_at": "yesterday"})"), "ordered_at");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "channel": "fax"})"), "channel");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "lines": {}})"), "lines");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "lines": [
      {"product": "a", "unit_price": 1}, {"product": "b", "unit_price": 1},
      {"product": "c", "quantity": 1.5, "unit_price": 1}]})"),
            "lines[2].quantity");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "lines": [{"unit_price": 1}]})"), "lines[0].product");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "lines": [{"product": "a", "unit_price": -5}]})"), "lines[0].unit_price");
  EXPECT_EQ(SaleError(R"({"branch_id": 1, "lines": [{"product": "a", "quantity": 0, "unit_price": 5}]})"),
            "lines[0].quantity");
}

TEST(SmallBodiesTest, RequiredFieldsAndTypes) {
  EXPECT_EQ(ParseLogin(Parse(R"({"email": "a@b.kr"})")).status().field(), "password");
  EXPECT_EQ(ParseLogin(Parse(R"({"email": 1, "password": "x"})")).status().field(), "email");
  EXPECT_EQ(ParsePreference(Parse(R"({"kind": "hate", "subject": "x"})")).status().field(), "kind");
  EXPECT_EQ(ParsePreference(Parse(R"({"kind": "allergy"})")).status().field(), "subject");
  EXPECT_EQ(ParseNote(Parse(R"({"text": "hi", "pinned": "yes"})")).status().field(), "pinned");
  EXPECT_EQ(ParsePinned(Parse(R"({})")).status().field(), "pinned");
  EXPECT_EQ(ParseRefund(Parse(R"({"amount": 0})")).status().field(), "amount");
  EXPECT_EQ(ParseRefund(Parse(R"({"amount": "100"})")).status().field(), "amount");
  EXPECT_TRUE(ParseRefund(Parse(R"({})")).ok());
  EXPECT_EQ(ParseTokenRequest(Parse(R"({"role": "admin", "name": "pos"})")).status().field(), "role");
  EXPECT_EQ(
      ParseNewStaff(Parse(R"({"email": "a@b.kr", "password": "12345678", "branch_ids": [1, -2]})")).status().field(),
      "branch_ids[1]");
  EXPECT_EQ(ParseStaffChange(Parse(R"({"active": 1})")).status().field(), "active");
  EXPECT_EQ(ParseBranchName(Parse(R"({"name": null})")).status().field(), "name");
}

TEST(SmallBodiesTest, ProspectPhoneIsCheckedAndNormalised) {
  Result<domain::Prospect> prospect = ParseProspect(Parse(R"({"name": "안경 쓴 손님", "phone": "010-1234-5678"})"));
  ASSERT_TRUE(prospect.ok()) << prospect.status().ToString();
  EXPECT_EQ(prospect->phone_e164, "+821012345678");
  EXPECT_EQ(ParseProspect(Parse(R"({"phone": "12"})")).status().field(), "phone");
}

domain::Customer SampleCustomer() {
  domain::Customer customer;
  customer.id = CustomerId(42);
  customer.name = "김철수";
  customer.family_name = "김";
  customer.given_name = "철수";
  customer.phone_e164 = "+821012345678";
  customer.stats.visit_count = 3;
  customer.stats.total_spend = Money(45000);
  customer.stats.last_visit_at = Timestamp::FromSeconds(1'700'000'000);
  domain::Preference like;
  like.id = PreferenceId(1);
  like.kind = domain::PreferenceKind::kLike;
  like.subject = "window seat";
  domain::Preference allergy;
  allergy.id = PreferenceId(2);
  allergy.kind = domain::PreferenceKind::kAllergy;
  allergy.subject = "참기름";
  customer.preferences = {like, allergy};
  return customer;
}

TEST(CustomerJsonTest, ProfileStartsWithAlerts) {
  const Json json = CustomerToJson(SampleCustomer(), domain::LifecycleStage::kRegular, CustomerView::kProfile);
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.begin().key(), "alerts");
  ASSERT_EQ(json["alerts"].size(), 1u);
  EXPECT_EQ(json["alerts"][0]["subject"], "참기름");
  EXPECT_EQ(json["alerts"][0]["kind"], "allergy");
  EXPECT_EQ(json["preferences"].size(), 2u);
  EXPECT_EQ(json.dump().find("\"alerts\""), 1u);
}

TEST(CustomerJsonTest, NumbersAndTimesHaveApiTypes) {
  const Json json = CustomerToJson(SampleCustomer(), domain::LifecycleStage::kRegular, CustomerView::kProfile);
  EXPECT_TRUE(json["id"].is_number_integer());
  EXPECT_EQ(json["id"], 42);
  EXPECT_TRUE(json["total_spend"].is_number_integer());
  EXPECT_EQ(json["total_spend"], 45000);
  EXPECT_EQ(json["phone"], "+821012345678");
  EXPECT_EQ(json["phone_masked"], "010-****-5678");
  EXPECT_EQ(json["stage"], "regular");
  EXPECT_EQ(json["last_visit_at"], "2023-11-14T22:13:20.000Z");
  EXPECT_TRUE(json["first_visit_at"].is_null());
  EXPECT_TRUE(json["birthday"].is_null());
  EXPECT_TRUE(json["referrer_id"].is_null());
  EXPECT_TRUE(json["email"].is_null());
}

TEST(CustomerJsonTest, SummaryHasNoPreferences) {
  const Json json = CustomerToJson(SampleCustomer(), domain::LifecycleStage::kNew, CustomerView::kSummary);
  EXPECT_FALSE(json.contains("alerts"));
  EXPECT_FALSE(json.contains("preferences"));
  EXPECT_EQ(json.begin().key(), "id");
}

TEST(LookupJsonTest, RowsAreMaskedWithAlertsFirst) {
  app::LookupResult lookup;
  lookup.matched_by = "last4";
  app::LookupHit hit;
  hit.id = CustomerId(5);
  hit.masked_name = "김*수";
  hit.masked_phone = "010-****-5678";
  hit.visit_count = 2;
  hit.stage = domain::LifecycleStage::kRegular;
  domain::Preference never;
  never.id = PreferenceId(9);
  never.kind = domain::PreferenceKind::kNever;
  never.subject = "마늘";
  hit.alerts = {never};
  lookup.hits = {hit, hit, hit};
  const Json json = ToJson(lookup);
  EXPECT_EQ(json["matched_by"], "last4");
  ASSERT_EQ(json["items"].size(), 3u);
  EXPECT_EQ(json["items"][0].begin().key(), "alerts");
  EXPECT_EQ(json["items"][0]["alerts"].dump(), R"([{"id":9,"kind":"never","subject":"마늘"}])");
  EXPECT_EQ(json["items"][0]["name"], "김*수");
  EXPECT_EQ(json["items"][0]["phone"], "010-****-5678");
  EXPECT_TRUE(json["items"][0]["tier"].is_null());
  EXPECT_TRUE(json["items"][0]["last_visit_at"].is_null());
}

TEST(PageJsonTest, CursorIsAStringOrNull) {
  EXPECT_EQ(PageJson(Json::array(), 17)["next_cursor"], "17");
  EXPECT_TRUE(PageJson(Json::array(), std::nullopt)["next_cursor"].is_null());
}

TEST(OrderJsonTest, MoneyIsInteger) {
  domain::Order order;
  order.id = OrderId(3);
  order.branch_id = BranchId(1);
  order.total = Money(-2500);
  order.kind = domain::OrderKind::kRefund;
  order.original_order_id = OrderId(2);
  const Json json = ToJson(order);
  EXPECT_EQ(json["total"], -2500);
  EXPECT_EQ(json["kind"], "refund");
  EXPECT_EQ(json["original_order_id"], 2);
  EXPECT_TRUE(json["customer_id"].is_null());
  EXPECT_TRUE(json["external_id"].is_null());
}

TEST(StaffJsonTest, NeverShowsThePasswordHash) {
  domain::Staff staff;
  staff.id = StaffId(1);
  staff.password_hash = "$argon2id$v=19$secret";
  EXPECT_EQ(ToJson(staff).dump().find("argon2"), std::string::npos);
}

}  // namespace
}  // namespace crm::http
