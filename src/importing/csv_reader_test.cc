#include "importing/csv_reader.h"

#include "importing/csv_writer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace crm::importing {
namespace {

std::vector<std::vector<std::string>> ReadAll(const std::string& bytes, CsvOptions options = {}) {
  std::istringstream input(bytes);
  auto reader = CsvReader::Open(input, options);
  EXPECT_TRUE(reader.ok());
  std::vector<std::vector<std::string>> rows;
  Record record;
  while (true) {
    auto more = (*reader)->Next(record);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    rows.push_back(record.fields);
  }
  return rows;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, DetectsEachDelimiter) {
  for (char delimiter : {',', ';', '\t', '|'}) {
    std::string text = "a,b,c\n1,2,3\n";
    std::replace(text.begin(), text.end(), ',', delimiter);
    std::istringstream input(text);
    auto reader = CsvReader::Open(input);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->delimiter(), delimiter);
  }
}

TEST(CsvReaderTest, PrefersTheDelimiterThatSplitsLinesEvenly) {
  // Commas inside the amounts, semicolons between fields, as European exports write.
  EXPECT_EQ(ReadAll("name;amount\nKim;1,000\nLee;2,500\n"), (Rows{{"name", "amount"}, {"Kim", "1,000"}, {"Lee", "2,500"}}));
}

TEST(CsvReaderTest, ReadsQuotedFieldsWithDelimitersNewlinesAndQuotes) {
  EXPECT_EQ(ReadAll("a,b\n\"x, y\",\"line1\nline2\"\n\"say \"\"hi\"\"\",z\n"),
            (Rows{{"a", "b"}, {"x, y", "line1\nline2"}, {"say \"hi\"", "z"}}));
}

TEST(CsvReaderTest, KeepsRaggedRowsAndSkipsBlankLines) {
  EXPECT_EQ(ReadAll("a,b,c\r\n1,2\r\n\r\n1,2,3,4\r\n"), (Rows{{"a", "b", "c"}, {"1", "2"}, {"1", "2", "3", "4"}}));
}

TEST(CsvReaderTest, LastLineWithoutNewline) { EXPECT_EQ(ReadAll("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}})); }

TEST(CsvReaderTest, CountsLinesOfRecordsSpanningLines) {
  std::istringstream input("a,b\n\"x\ny\",1\n2,3\n");
  auto reader = CsvReader::Open(input);
  ASSERT_TRUE(reader.ok());
  Record record;
  ASSERT_TRUE(*(*reader)->Next(record));
  ASSERT_TRUE(*(*reader)->Next(record));
  EXPECT_EQ(record.line, 2);
  ASSERT_TRUE(*(*reader)->Next(record));
  EXPECT_EQ(record.line, 4);
}

TEST(CsvReaderTest, FlagsAnUnterminatedQuote) {
  std::istringstream input("a,b\n1,\"open\n");
  auto reader = CsvReader::Open(input);
  ASSERT_TRUE(reader.ok());
  Record record;
  ASSERT_TRUE(*(*reader)->Next(record));
  ASSERT_TRUE(*(*reader)->Next(record));
  EXPECT_TRUE(record.unterminated_quote);
  EXPECT_EQ(record.fields, (std::vector<std::string>{"1", "open\n"}));
}

TEST(CsvReaderTest, DropsAUtf8ByteOrderMark) {
  EXPECT_EQ(ReadAll("\xEF\xBB\xBFname\n김철수\n"), (Rows{{"name"}, {"김철수"}}));
}

TEST(CsvReaderTest, ConvertsCp949) {
  // "이름\n김철수\n" in CP949.
  const std::string cp949 = "\xC0\xCC\xB8\xA7\n\xB1\xE8\xC3\xB6\xBC\xF6\n";
  std::istringstream input(cp949);
  auto reader = CsvReader::Open(input);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->encoding(), Encoding::kCp949);
  EXPECT_EQ(ReadAll(cp949), (Rows{{"이름"}, {"김철수"}}));
}

TEST(CsvReaderTest, ConvertsUtf16WithByteOrderMark) {
  const std::string le("\xFF\xFE" "a\0,\0b\0\n\0\x40\xAE,\0" "1\0\n\0", 18);  // a,b / 김,1
  EXPECT_EQ(ReadAll(le), (Rows{{"a", "b"}, {"김", "1"}}));
  const std::string be("\xFE\xFF\0a\0,\0b\0\n", 10);
  EXPECT_EQ(ReadAll(be), (Rows{{"a", "b"}}));
}

TEST(CsvReaderTest, TheEncodingOverrideWins) {
  CsvOptions options;
  options.encoding = Encoding::kUtf8;
  // Bytes that are not UTF-8 stay as they are; the cleansing rules reject the value.
  EXPECT_EQ(ReadAll("a\n\xB1\xE8\n", options), (Rows{{"a"}, {"\xB1\xE8"}}));
}

TEST(CsvReaderTest, ReadsFieldsAcrossBlockBoundaries) {
  const std::string big(900 * 1024 + 17, 'x');
  const std::string text = "a,b\n\"" + big + "\",1\n2,\"3\"\n";
  EXPECT_EQ(ReadAll(text), (Rows{{"a", "b"}, {big, "1"}, {"2", "3"}}));
}

TEST(CsvReaderTest, AQuotedFieldAcrossManyBlocksIsScannedOnce) {
  const std::string big(900 * 1024, 'x');
  const std::string text = "a,b\n\"" + big + "\",1\n";
  std::istringstream input(text);
  auto reader = CsvReader::Open(input);
  ASSERT_TRUE(reader.ok());
  Record record;
  while (*(*reader)->Next(record)) {
  }
  // Fourteen blocks of 64 KiB: rescanning the record after each would look at about seven times the text.
  EXPECT_EQ((*reader)->scanned_bytes(), static_cast<int64_t>(text.size()));
}

TEST(CsvReaderTest, AQuoteNeverClosedIsRefusedNamingItsLineWithoutReadingTheRest) {
  std::string text = "a,b\n1,2\n3,\"open\n";
  while (text.size() < (8u << 20)) text += "4,5\n";
  std::istringstream input(text);
  auto reader = CsvReader::Open(input);
  ASSERT_TRUE(reader.ok());
  Record record;
  ASSERT_TRUE(*(*reader)->Next(record));
  ASSERT_TRUE(*(*reader)->Next(record));
  const Result<bool> third = (*reader)->Next(record);
  ASSERT_EQ(third.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(third.status().field(), "file");
  EXPECT_NE(third.status().message().find("line 3"), std::string::npos) << third.status().message();
  // It stops at the row limit (1 MiB) and one block, not at the end of the 8 MiB file.
  EXPECT_LT((*reader)->scanned_bytes(), int64_t{(1 << 20) + (1 << 17)});
}

TEST(CsvReaderTest, AClosingQuoteAtTheVeryEndIsNotUnterminated) {
  std::istringstream input("a,b\n1,\"two\"");
  auto reader = CsvReader::Open(input);
  ASSERT_TRUE(reader.ok());
  Record record;
  ASSERT_TRUE(*(*reader)->Next(record));
  ASSERT_TRUE(*(*reader)->Next(record));
  EXPECT_FALSE(record.unterminated_quote);
  EXPECT_EQ(record.fields, (std::vector<std::string>{"1", "two"}));
}

TEST(CsvReaderTest, ABinaryFileIsRefusedAsNotText) {
  std::string elf("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0", 24);
  elf += std::string(4096, '\0');
  std::istringstream input(elf);
  const auto reader = CsvReader::Open(input);
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.status().field(), "file");
  EXPECT_NE(reader.status().message().find("not text"), std::string::npos);
  // Text with a tab, a form feed and CR LF is text.
  std::istringstream text("a\tb\r\n1\t\f2\r\n");
  EXPECT_TRUE(CsvReader::Open(text).ok());
}

TEST(CsvReaderTest, Cp949CharacterSplitAcrossBlocksComesOutWhole) {
  // 이 is two CP949 bytes; they sit either side of the 64 KiB block boundary.
  const std::string text = "\xC0\xCC\n" + std::string((1 << 16) - 4, 'x') + "\xC0\xCC\n";
  const Rows rows = ReadAll(text);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "이");
  EXPECT_TRUE(rows[1][0].ends_with("x이"));
}

TEST(CsvWriterTest, WhatItWritesReadsBackTheSame) {
  const std::vector<std::string> fields = {"plain", "a,b", "say \"hi\"", "two\nlines", ""};
  EXPECT_EQ(CsvLine(fields), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
  EXPECT_EQ(ReadAll("h1,h2,h3,h4,h5\n" + CsvLine(fields)), (Rows{{"h1", "h2", "h3", "h4", "h5"}, fields}));
}

}  // namespace
}  // namespace crm::importing
