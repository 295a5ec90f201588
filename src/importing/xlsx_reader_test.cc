#include "importing/xlsx_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace crm::importing {
namespace {

std::string Fixture() {
  std::ifstream file(std::string(DANGOL_IMPORT_CASES) + "/xlsx-customers/input.xlsx", std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

std::vector<Record> ReadAll(XlsxReader& reader) {
  std::vector<Record> records;
  Record record;
  while (true) {
    auto more = reader.Next(record);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    records.push_back(record);
  }
  return records;
}

TEST(XlsxReaderTest, ReadsSharedInlineBooleanNumberAndDateCells) {
  auto reader = XlsxReader::Open(Fixture());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->sheet_names(), (std::vector<std::string>{"고객", "memo"}));
  const std::vector<Record> rows = ReadAll(**reader);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"이름", "휴대폰", "생년월일", "적립금", "이메일"}));
  // The phonetic guide of 김철수 is dropped; the date-styled serial becomes a date; 2.55 is shortest.
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"김철수", "010-1234-5678", "1990-03-01", "2.55", ""}));
  // Rich text runs are joined; a custom date-time format gives a date and time; a missing cell is empty.
  EXPECT_EQ(rows[2].fields,
            (std::vector<std::string>{"남궁민", "1098765432", "2024-03-01 12:00:00", "", " Lee@Example.com "}));
  EXPECT_EQ(rows[3].line, 6);  // the empty row 4 is skipped
  EXPECT_EQ(rows[3].fields, (std::vector<std::string>{"이영희", "02-123-4567", "TRUE", "", ""}));
}

TEST(XlsxReaderTest, OpensANamedSheet) {
  auto reader = XlsxReader::Open(Fixture(), "memo");
  ASSERT_TRUE(reader.ok());
  const std::vector<Record> rows = ReadAll(**reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"", "7"}));
  EXPECT_EQ(XlsxReader::Open(Fixture(), "nope").status().code(), StatusCode::kInvalidArgument);
}

TEST(XlsxReaderTest, RejectsWhatIsNotAWorkbook) {
  EXPECT_EQ(XlsxReader::Open("PK\x03\x04 not really").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(XlsxReader::Open("").status().code(), StatusCode::kInvalidArgument);
  std::string truncated = Fixture();
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(XlsxReader::Open(truncated).ok());
}

}  // namespace
}  // namespace crm::importing
