#include "importing/table_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "importing/csv_reader.h"
#include "importing/xlsx_reader.h"

namespace crm::importing {
namespace {

TEST(TableWriterTest, CsvHasABomQuotesAndNumbers) {
  std::ostringstream out;
  auto writer = NewCsvWriter(out);
  ASSERT_TRUE(writer->AddRow({std::string("name"), std::string("note"), std::string("spend")}).ok());
  ASSERT_TRUE(writer->AddRow({std::string("김철수"), std::string("a, \"b\"\nc"), int64_t{12000}}).ok());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(out.str(), "\xEF\xBB\xBFname,note,spend\r\n김철수,\"a, \"\"b\"\"\nc\",12000\r\n");
}

TEST(TableWriterTest, CsvDefusesFormulasButKeepsPhoneNumbers) {
  std::ostringstream out;
  auto writer = NewCsvWriter(out);
  ASSERT_TRUE(writer
                  ->AddRow({std::string("=HYPERLINK(\"x\")"), std::string("@SUM(1)"), std::string("+821012345678"),
                            std::string("-3000"), std::string("-x"), std::string("+")})
                  .ok());
  EXPECT_EQ(out.str(), "\xEF\xBB\xBF\"'=HYPERLINK(\"\"x\"\")\",'@SUM(1),+821012345678,-3000,'-x,'+\r\n");
}

TEST(TableWriterTest, XlsxReadsBackWithOurReader) {
  char pattern[] = "/tmp/dangol-xlsx-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::filesystem::path dir = pattern;
  const std::string path = (dir / "out.xlsx").string();
  {
    auto writer = NewXlsxWriter(path, "customers");
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->AddRow({std::string("name"), std::string("phone"), std::string("spend")}).ok());
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE((*writer)
                      ->AddRow({"고객" + std::to_string(i), std::string("+8210") + std::to_string(10000000 + i),
                                int64_t{1000} * i})
                      .ok());
    }
    ASSERT_TRUE((*writer)->AddRow({std::string(""), std::string("=1+1"), int64_t{-5}}).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
  }
  std::ifstream file(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  auto reader = XlsxReader::Open(bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->sheet_names(), std::vector<std::string>{"customers"});
  Record record;
  std::vector<std::vector<std::string>> rows;
  while (true) {
    auto more = (*reader)->Next(record);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    rows.push_back(record.fields);
  }
  ASSERT_EQ(rows.size(), 2002u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"name", "phone", "spend"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"고객0", "+821010000000", "0"}));
  EXPECT_EQ(rows[2000], (std::vector<std::string>{"고객1999", "+821010001999", "1999000"}));
  // Text is never a formula in a workbook: "=1+1" stays text.
  EXPECT_EQ(rows[2001], (std::vector<std::string>{"", "=1+1", "-5"}));
}

}  // namespace
}  // namespace crm::importing
