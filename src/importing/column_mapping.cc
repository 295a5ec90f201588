#include "importing/column_mapping.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "domain/korean_text.h"
#include "importing/fingerprint.h"

namespace crm::importing {
namespace {

struct FieldInfo {
  Field field;
  const char* name;
  std::vector<std::string_view> synonyms;  // normalised as NormalizeHeader does
};

const std::vector<FieldInfo>& Fields() {
  static const std::vector<FieldInfo> kFields = {
      {Field::kIgnore, "ignore", {}},
      {Field::kName, "name", {"이름", "성명", "고객명", "고객이름", "회원명", "회원이름", "성함", "name", "customername", "fullname"}},
      {Field::kPhone,
       "phone",
       {"전화번호", "휴대폰", "휴대폰번호", "휴대전화", "휴대전화번호", "핸드폰", "핸드폰번호", "연락처", "전화", "phone",
        "phonenumber", "mobile", "mobilephone", "cellphone", "tel"}},
      {Field::kEmail, "email", {"이메일", "메일", "전자우편", "email", "mail", "emailaddress"}},
      {Field::kBirthday, "birthday", {"생일", "생년월일", "birthday", "birthdate", "dateofbirth", "dob"}},
      {Field::kGender, "gender", {"성별", "gender", "sex"}},
      {Field::kCustomerExternalId,
       "customer_external_id",
       {"고객번호", "회원번호", "고객id", "회원id", "고객코드", "customerid", "customerno", "customernumber", "memberid"}},
      {Field::kAddress, "address", {"주소", "address"}},
      {Field::kTags, "tags", {"태그", "tags", "tag"}},
      {Field::kOrderExternalId,
       "order_external_id",
       {"주문번호", "영수증번호", "거래번호", "전표번호", "invoiceno", "invoice", "invoicenumber", "orderid", "orderno",
        "ordernumber"}},
      {Field::kOrderedAt,
       "ordered_at",
       {"주문일", "주문일시", "주문일자", "결제일", "결제일시", "거래일", "거래일시", "구매일", "구매일시", "판매일",
        "날짜", "일자", "일시", "invoicedate", "orderdate", "orderedat", "purchasedate", "date"}},
      {Field::kTotal,
       "total",
       {"금액", "결제금액", "주문금액", "합계", "합계금액", "총액", "매출", "매출액", "total", "amount", "ordertotal"}},
      {Field::kProduct, "product", {"상품명", "상품", "품명", "메뉴", "제품명", "description", "product", "productname", "item", "itemname"}},
      {Field::kProductCode, "product_code", {"상품코드", "품번", "제품코드", "stockcode", "sku", "productcode", "itemcode"}},
      {Field::kQuantity, "quantity", {"수량", "quantity", "qty"}},
      {Field::kUnitPrice, "unit_price", {"단가", "판매가", "가격", "unitprice", "price"}},
      {Field::kCountry, "country", {"국가", "나라", "country"}},
      {Field::kCreatedAt, "created_at", {"가입일", "등록일", "가입일자", "등록일자", "joined", "createdat", "signupdate"}},
      {Field::kLastVisitAt,
       "last_visit_at",
       {"최근방문일", "최근방문", "최근방문일자", "최근방문일시", "마지막방문일", "최종방문일", "최종방문", "lastvisit",
        "lastvisitat", "lastvisitdate"}},
      {Field::kFirstVisitAt,
       "first_visit_at",
       {"첫방문일", "첫방문", "최초방문일", "최초방문", "첫방문일자", "firstvisit", "firstvisitat", "firstvisitdate"}},
      {Field::kVisitCount,
       "visit_count",
       {"방문횟수", "방문수", "방문회수", "내방횟수", "누적방문", "누적방문횟수", "visits", "visitcount", "numberofvisits"}},
      {Field::kLifetimeSpend,
       "total_spend",
       {"누적금액", "누적구매금액", "누적구매액", "누적결제금액", "총구매금액", "총구매액", "구매총액", "누적매출",
        "lifetimespend", "totalspend", "totalspent", "lifetimevalue"}},
      {Field::kPoints,
       "points",
       {"포인트", "적립금", "잔여포인트", "보유포인트", "가용포인트", "마일리지", "points", "pointbalance", "point"}},
      {Field::kTier, "tier", {"등급", "회원등급", "고객등급", "멤버십등급", "tier", "level", "grade", "membership"}},
      {Field::kNotes, "notes", {"메모", "비고", "특이사항", "노트", "참고사항", "memo", "memos", "note", "notes", "remarks"}},
      {Field::kAttribute, "attribute", {}},
      {Field::kPreferences,
       "preferences",
       {"선호", "선호사항", "취향", "기호", "알레르기", "알러지", "preferences", "preference", "allergy", "allergies"}},
  };
  return kFields;
}

std::string NormalizeHeader(std::string_view header) {
  auto nfc = domain::NormalizeText(header);
  std::string text = nfc.ok() ? std::move(nfc).value() : std::string(header);
  std::string out;
  for (unsigned char c : text) {
    if (std::string_view(" _-.()[]/").find(static_cast<char>(c)) != std::string_view::npos) continue;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

bool Contains(const std::vector<Field>& fields, Field field) {
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

// Gives each still-unmapped column the first allowed, still-free field that `matches`.
template <typename Match>
void AssignPass(const std::vector<std::string>& normalised, const std::vector<Field>& allowed, Match matches,
                ColumnMapping& mapping) {
  for (size_t column = 0; column < normalised.size(); ++column) {
    if (mapping.fields[column] != Field::kIgnore) continue;
    for (const FieldInfo& info : Fields()) {
      if (!Contains(allowed, info.field) || Contains(mapping.fields, info.field)) continue;
      const bool hit = std::any_of(info.synonyms.begin(), info.synonyms.end(),
                                   [&](std::string_view synonym) { return matches(normalised[column], synonym); });
      if (hit) {
        mapping.fields[column] = info.field;
        break;
      }
    }
  }
}

}  // namespace

const char* FieldName(Field field) {
  for (const FieldInfo& info : Fields()) {
    if (info.field == field) return info.name;
  }
  return "ignore";
}

std::optional<Field> ParseField(std::string_view name) {
  for (const FieldInfo& info : Fields()) {
    if (name == info.name) return info.field;
  }
  return std::nullopt;
}

const char* ImportKindName(ImportKind kind) {
  switch (kind) {
    case ImportKind::kCustomers: return "customers";
    case ImportKind::kOrders: return "orders";
    case ImportKind::kOrderLines: return "order_lines";
    case ImportKind::kTransactions: return "transactions";
  }
  return "customers";
}

std::optional<ImportKind> ParseImportKind(std::string_view name) {
  for (ImportKind kind : {ImportKind::kCustomers, ImportKind::kOrders, ImportKind::kOrderLines, ImportKind::kTransactions}) {
    if (name == ImportKindName(kind)) return kind;
  }
  return std::nullopt;
}

std::optional<size_t> ColumnMapping::ColumnOf(Field field) const {
  const auto found = std::find(fields.begin(), fields.end(), field);
  if (found == fields.end()) return std::nullopt;
  return static_cast<size_t>(found - fields.begin());
}

std::vector<Field> AllowedFields(ImportKind kind) {
  std::vector<Field> customer = {Field::kName,    Field::kPhone, Field::kEmail,  Field::kBirthday, Field::kGender,
                                 Field::kCustomerExternalId, Field::kAddress, Field::kTags, Field::kCreatedAt,
                                 Field::kLastVisitAt, Field::kFirstVisitAt, Field::kVisitCount,
                                 Field::kLifetimeSpend, Field::kPoints, Field::kTier, Field::kNotes,
                                 Field::kPreferences, Field::kAttribute};
  if (kind == ImportKind::kCustomers) return customer;
  std::vector<Field> fields = {Field::kName, Field::kPhone, Field::kEmail, Field::kCustomerExternalId,
                               Field::kOrderExternalId, Field::kOrderedAt, Field::kCountry};
  if (kind == ImportKind::kOrders) {
    fields.push_back(Field::kTotal);
  } else {
    for (Field field : {Field::kProduct, Field::kProductCode, Field::kQuantity, Field::kUnitPrice}) fields.push_back(field);
  }
  return fields;
}

std::vector<Field> RequiredFields(ImportKind kind) {
  switch (kind) {
    case ImportKind::kCustomers: return {};
    case ImportKind::kOrders: return {Field::kOrderedAt, Field::kTotal};
    case ImportKind::kOrderLines:
    case ImportKind::kTransactions:
      return {Field::kOrderExternalId, Field::kOrderedAt, Field::kQuantity, Field::kUnitPrice};
  }
  return {};
}

ColumnMapping GuessMapping(const std::vector<std::string>& headers, ImportKind kind) {
  ColumnMapping mapping;
  mapping.headers = headers;
  mapping.fields.assign(headers.size(), Field::kIgnore);
  std::vector<std::string> normalised;
  for (const std::string& header : headers) normalised.push_back(NormalizeHeader(header));
  const std::vector<Field> allowed = AllowedFields(kind);
  AssignPass(normalised, allowed, [](const std::string& header, std::string_view synonym) { return header == synonym; },
             mapping);
  // Then "휴대폰번호(필수)" → 휴대폰: Korean synonyms of two or more syllables inside a longer header.
  AssignPass(normalised, allowed,
             [](const std::string& header, std::string_view synonym) {
               return synonym.size() >= 6 && static_cast<unsigned char>(synonym[0]) >= 0x80 &&
                      header.find(synonym) != std::string::npos;
             },
             mapping);
  if (kind == ImportKind::kCustomers) {
    for (Field& field : mapping.fields) {
      if (field == Field::kIgnore) field = Field::kAttribute;
    }
  }
  return mapping;
}

Status ValidateMapping(const ColumnMapping& mapping, ImportKind kind) {
  if (mapping.fields.size() != mapping.headers.size()) {
    return InvalidArgument("the mapping must have one entry per column", "mapping");
  }
  const std::vector<Field> allowed = AllowedFields(kind);
  for (size_t i = 0; i < mapping.fields.size(); ++i) {
    const Field field = mapping.fields[i];
    if (field == Field::kIgnore) continue;
    if (!Contains(allowed, field)) {
      return InvalidArgument(fmt::format("{} cannot be imported in a {} file", FieldName(field), ImportKindName(kind)),
                             "mapping");
    }
    if (field != Field::kAttribute && std::count(mapping.fields.begin(), mapping.fields.end(), field) > 1) {
      return InvalidArgument(fmt::format("{} is mapped to more than one column", FieldName(field)), "mapping");
    }
  }
  for (Field field : RequiredFields(kind)) {
    if (!Contains(mapping.fields, field)) {
      return InvalidArgument(fmt::format("no column is mapped to {}", FieldName(field)), "mapping");
    }
  }
  const bool lines = kind == ImportKind::kOrderLines || kind == ImportKind::kTransactions;
  if (lines && !Contains(mapping.fields, Field::kProduct) && !Contains(mapping.fields, Field::kProductCode)) {
    return InvalidArgument("no column is mapped to product or product_code", "mapping");
  }
  if (kind == ImportKind::kCustomers && !Contains(mapping.fields, Field::kName) &&
      !Contains(mapping.fields, Field::kPhone) && !Contains(mapping.fields, Field::kEmail) &&
      !Contains(mapping.fields, Field::kCustomerExternalId)) {
    return InvalidArgument("no column is mapped to name, phone, email or customer_external_id", "mapping");
  }
  return Status::Ok();
}

std::string HeaderKey(const std::vector<std::string>& headers) {
  Fingerprint fingerprint;
  for (const std::string& header : headers) {
    fingerprint.Add(NormalizeHeader(header));
    fingerprint.Add(std::string_view("\0", 1));
  }
  return fingerprint.Hex();
}

}  // namespace crm::importing
