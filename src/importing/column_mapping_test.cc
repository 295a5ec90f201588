#include "importing/column_mapping.h"

#include <gtest/gtest.h>

namespace crm::importing {
namespace {

TEST(GuessMappingTest, ReadsKoreanHeaders) {
  const ColumnMapping mapping = GuessMapping({"고객명", "휴대폰", "생년월일", "메모", "E-mail"}, ImportKind::kCustomers);
  EXPECT_EQ(mapping.fields, (std::vector<Field>{Field::kName, Field::kPhone, Field::kBirthday, Field::kIgnore,
                                                Field::kEmail}));
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
  EXPECT_EQ(mapping.fields, (std::vector<Field>{Field::kPhone, Field::kIgnore}));
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
