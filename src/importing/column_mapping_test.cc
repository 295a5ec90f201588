#include "importing/column_mapping.h"

#include <gtest/gtest.h>

namespace crm::importing {
namespace {

TEST(GuessMappingTest, ReadsKoreanHeaders) {
  const ColumnMapping mapping = GuessMapping({"고객명", "휴대폰", "생년월일", "메모", "E-mail"}, ImportKind::kCustomers);
  EXPECT_EQ(mapping.fields, (std::vector<Field>{Field::kName, Field::kPhone, Field::kBirthday, Field::kNotes,
                                                Field::kEmail}));
}

TEST(GuessMappingTest, ReadsACustomerListsHistoryColumns) {
  const ColumnMapping mapping = GuessMapping(
      {"최근방문일", "첫 방문일", "방문횟수", "누적금액", "잔여포인트", "회원등급", "비고", "알레르기"}, ImportKind::kCustomers);
  EXPECT_EQ(mapping.fields, (std::vector<Field>{Field::kLastVisitAt, Field::kFirstVisitAt, Field::kVisitCount,
                                                Field::kLifetimeSpend, Field::kPoints, Field::kTier, Field::kNotes,
                                                Field::kPreferences}));
}

TEST(GuessMappingTest, KeepsUnknownCustomerColumnsAsAttributesOnly) {
  EXPECT_EQ(GuessMapping({"이름", "직업", "국가"}, ImportKind::kCustomers).fields,
            (std::vector<Field>{Field::kName, Field::kAttribute, Field::kAttribute}));
  const ColumnMapping orders = GuessMapping({"주문번호", "주문일", "금액", "비고"}, ImportKind::kOrders);
  EXPECT_EQ(orders.fields.back(), Field::kIgnore);
  EXPECT_TRUE(ValidateMapping({{"이름", "직업", "국가"}, {Field::kName, Field::kAttribute, Field::kAttribute}},
                              ImportKind::kCustomers)
                  .ok());
}

TEST(GuessMappingTest, FindsKoreanSynonymsInsideLongerHeaders) {
  const ColumnMapping mapping = GuessMapping({"성명", "휴대폰번호(필수)"}, ImportKind::kCustomers);
  EXPECT_EQ(mapping.fields, (std::vector<Field>{Field::kName, Field::kPhone}));
}

TEST(GuessMappingTest, ReadsTheOnlineRetailHeader) {
  const ColumnMapping mapping = GuessMapping(
      {"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"},
      ImportKind::kTransactions);
  EXPECT_EQ(mapping.fields,
            (std::vector<Field>{Field::kOrderExternalId, Field::kProductCode, Field::kProduct, Field::kQuantity,
                                Field::kOrderedAt, Field::kUnitPrice, Field::kCustomerExternalId, Field::kCountry}));
  EXPECT_TRUE(ValidateMapping(mapping, ImportKind::kTransactions).ok());
}

TEST(GuessMappingTest, GivesAFieldToOneColumnOnly) {
  const ColumnMapping mapping = GuessMapping({"전화번호", "연락처"}, ImportKind::kCustomers);
  // The second is kept, as an attribute, rather than taken as a second phone.
  EXPECT_EQ(mapping.fields, (std::vector<Field>{Field::kPhone, Field::kAttribute}));
}

TEST(ValidateMappingTest, NamesWhatIsMissingOrWrong) {
  ColumnMapping mapping = GuessMapping({"결제금액"}, ImportKind::kOrders);
  Status status = ValidateMapping(mapping, ImportKind::kOrders);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("ordered_at"), std::string::npos);
  mapping = ColumnMapping{{"a", "b"}, {Field::kName, Field::kName}};
  EXPECT_FALSE(ValidateMapping(mapping, ImportKind::kCustomers).ok());
  mapping = ColumnMapping{{"a"}, {Field::kTotal}};
  EXPECT_FALSE(ValidateMapping(mapping, ImportKind::kCustomers).ok());
}

TEST(HeaderKeyTest, IgnoresCaseAndSpacing) {
  EXPECT_EQ(HeaderKey({"Invoice No", "Date"}), HeaderKey({"invoiceno", "DATE"}));
  EXPECT_NE(HeaderKey({"a", "bc"}), HeaderKey({"ab", "c"}));
}

}  // namespace
}  // namespace crm::importing
