#include "importing/xlsx_reader.h"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <zip.h>

#include <fstream>
#include <sstream>
#include <utility>

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

// A workbook of the given members, zipped in memory.
std::string Zip(const std::vector<std::pair<std::string, std::string>>& members) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  for (const auto& [name, data] : members) {
    zip_source_t* source = zip_source_buffer(archive, data.data(), data.size(), 0);
    zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  }
  zip_close(archive);
  std::string bytes;
  zip_source_open(buffer);
  zip_source_seek(buffer, 0, SEEK_END);
  bytes.resize(static_cast<size_t>(zip_source_tell(buffer)));
  zip_source_seek(buffer, 0, SEEK_SET);
  zip_source_read(buffer, bytes.data(), bytes.size());
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&error);
  return bytes;
}

// A one-sheet workbook whose sheet XML is `sheet_data` inside <sheetData>, and with the given
// shared strings part when it is not empty.
std::string Workbook(const std::string& sheet_data, const std::string& shared_strings = {}) {
  std::vector<std::pair<std::string, std::string>> members = {
      {"xl/workbook.xml",
       R"(<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
      {"xl/_rels/workbook.xml.rels",
       R"(<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>)"},
      {"xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + sheet_data + "</sheetData></worksheet>"}};
  if (!shared_strings.empty()) members.emplace_back("xl/sharedStrings.xml", shared_strings);
  return Zip(members);
}

// Reads every row; the status of the first failure, or OK.
Status ReadToEnd(const std::string& bytes, const XlsxLimits& limits = {}) {
  CRM_ASSIGN_OR_RETURN(auto reader, XlsxReader::Open(bytes, {}, limits));
  Record record;
  while (true) {
    CRM_ASSIGN_OR_RETURN(bool more, reader->Next(record));
    if (!more) return Status::Ok();
  }
}

void ExpectRefused(const Status& status, std::string_view words) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_EQ(status.field(), "file");
  EXPECT_NE(status.message().find(words), std::string::npos) << status.message();
}

std::string Repeat(std::string_view piece, size_t times) {
  std::string text;
  text.reserve(piece.size() * times);
  for (size_t i = 0; i < times; ++i) text += piece;
  return text;
}

TEST(XlsxLimitsTest, RowsThatAreNeverClosedAreRefusedByTheNestingDepth) {
  ExpectRefused(ReadToEnd(Workbook(Repeat("<row>", 100000))), "levels deep");
}

TEST(XlsxLimitsTest, ACellPastTheLimitIsRefused) {
  const std::string cell = R"(<row r="1"><c r="A1" t="inlineStr"><is><t>)" + std::string(300 << 10, 'x') +
                           "</t></is></c></row>";
  ExpectRefused(ReadToEnd(Workbook(cell)), "KiB of text");
  // Within the limit the same cell is read whole.
  XlsxLimits roomy;
  roomy.max_cell_bytes = 512 << 10;
  EXPECT_TRUE(ReadToEnd(Workbook(cell), roomy).ok());
}

TEST(XlsxLimitsTest, SharedStringsPastTheLimitAreRefusedAtOpen) {
  XlsxLimits limits;
  limits.max_shared_string_bytes = 1 << 20;
  const std::string strings = "<sst>" + Repeat("<si><t>가나다라마바사아자차카타파하</t></si>", 20000) + "</sst>";
  const std::string bytes = Workbook(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)", strings);
  ExpectRefused(XlsxReader::Open(bytes, {}, limits).status(), "shared strings");
  EXPECT_TRUE(XlsxReader::Open(bytes).ok());
}

TEST(XlsxLimitsTest, ARowOfManyCopiesOfALongSharedStringIsRefused) {
  const std::string strings = "<sst><si><t>" + std::string(100 << 10, 'y') + "</t></si></sst>";
  std::string row = R"(<row r="1">)";
  for (int column = 0; column < 26; ++column) {
    row += std::string(R"(<c r=")") + static_cast<char>('A' + column) + R"(1" t="s"><v>0</v></c>)";
  }
  ExpectRefused(ReadToEnd(Workbook(row + "</row>", strings)), "row of the workbook");
}

TEST(XlsxLimitsTest, ACellBeyondTheLastColumnIsRefused) {
  ExpectRefused(ReadToEnd(Workbook(R"(<row r="1"><c r="XFD1"><v>1</v></c></row>)")), "beyond column");
}

TEST(XlsxLimitsTest, ADecompressedSizePastTheLimitIsRefused) {
  XlsxLimits limits;
  limits.max_decompressed_bytes = 4 << 20;
  const std::string rows = Repeat(R"(<row><c t="inlineStr"><is><t>x</t></is></c></row>)", 200000);
  ExpectRefused(ReadToEnd(Workbook(rows), limits), "unpacks to more than");
  EXPECT_TRUE(ReadToEnd(Workbook(rows)).ok());
}

TEST(XlsxLimitsTest, ATagThatNeverEndsIsRefused) {
  ExpectRefused(ReadToEnd(Workbook("<row " + Repeat(R"(a="1" )", 1 << 20))), "XML tag longer");
}

TEST(XlsxLimitsTest, ADtdIsRefused) {
  const std::string bytes = Zip({{"xl/workbook.xml", R"(<!DOCTYPE w [<!ENTITY a "aaaa">]><workbook/>)"},
                                 {"xl/_rels/workbook.xml.rels", "<Relationships/>"}});
  ExpectRefused(XlsxReader::Open(bytes).status(), "DTD");
}

TEST(XlsxLimitsTest, XmlThatIsNotWellFormedIsBadInputNotDataLoss) {
  ExpectRefused(ReadToEnd(Workbook(R"(<row r="1"><c r="A1"><v>1</v></row>)")), "not valid XML");
}

TEST(XlsxLimitsTest, ManyRowsComeOutWholeAcrossPauses) {
  XlsxLimits limits;
  limits.ready_row_bytes = 1024;
  std::string rows;
  for (int i = 1; i <= 5000; ++i) {
    rows += fmt::format(R"(<row r="{0}"><c r="A{0}" t="inlineStr"><is><t>이름{0}</t></is></c><c r="B{0}"><v>{0}</v></c></row>)", i);
  }
  auto reader = XlsxReader::Open(Workbook(rows), {}, limits);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::vector<Record> records = ReadAll(**reader);
  ASSERT_EQ(records.size(), 5000u);
  EXPECT_EQ(records[4321].line, 4322);
  EXPECT_EQ(records[4321].fields, (std::vector<std::string>{"이름4322", "4322"}));
}

}  // namespace
}  // namespace crm::importing
