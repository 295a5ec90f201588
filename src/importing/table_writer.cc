#include "importing/table_writer.h"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "importing/csv_writer.h"

namespace crm::importing {
namespace {

// True when Excel would take `text` for a formula.
bool LooksLikeFormula(const std::string& text) {
  if (text.empty()) return false;
  const char first = text[0];
  if (first == '=' || first == '@' || first == '\t' || first == '\r') return true;
  if (first != '+' && first != '-') return false;
  return text.size() == 1 || text[1] < '0' || text[1] > '9';
}

class CsvTableWriter final : public TableWriter {
 public:
  explicit CsvTableWriter(std::ostream& out) : out_(out) { out_ << kUtf8Bom; }

  Status AddRow(const std::vector<Cell>& cells) override {
    fields_.clear();
    for (const Cell& cell : cells) {
      if (const int64_t* number = std::get_if<int64_t>(&cell)) {
        fields_.push_back(std::to_string(*number));
      } else {
        const std::string& text = std::get<std::string>(cell);
        fields_.push_back(LooksLikeFormula(text) ? "'" + text : text);
      }
    }
    out_ << CsvLine(fields_);
    if (!out_) return DataLoss("the CSV output cannot be written");
    return Status::Ok();
  }

  Status Finish() override {
    out_.flush();
    if (!out_) return DataLoss("the CSV output cannot be written");
    return Status::Ok();
  }

 private:
  std::ostream& out_;
  std::vector<std::string> fields_;
};

class XlsxTableWriter final : public TableWriter {
 public:
  XlsxTableWriter(lxw_workbook* workbook, lxw_worksheet* sheet) : workbook_(workbook), sheet_(sheet) {}
  ~XlsxTableWriter() override {
    // An unfinished workbook is still closed, to free it; its file is incomplete.
    if (workbook_ != nullptr) workbook_close(workbook_);
  }

  Status AddRow(const std::vector<Cell>& cells) override {
    if (row_ >= LXW_ROW_MAX) return InvalidArgument("more rows than a worksheet holds (1,048,576)", "rows");
    for (size_t column = 0; column < cells.size() && column < LXW_COL_MAX; ++column) {
      const auto col = static_cast<lxw_col_t>(column);
      lxw_error error = LXW_NO_ERROR;
      if (const int64_t* number = std::get_if<int64_t>(&cells[column])) {
        error = worksheet_write_number(sheet_, row_, col, static_cast<double>(*number), nullptr);
      } else if (const std::string& text = std::get<std::string>(cells[column]); !text.empty()) {
        error = worksheet_write_string(sheet_, row_, col, text.c_str(), nullptr);
      }
      if (error != LXW_NO_ERROR)
        return DataLoss(fmt::format("the workbook cannot be written: {}", lxw_strerror(error)));
    }
    ++row_;
    return Status::Ok();
  }

  Status Finish() override {
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    const lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR) return DataLoss(fmt::format("the workbook cannot be written: {}", lxw_strerror(error)));
    return Status::Ok();
  }

 private:
  lxw_workbook* workbook_;
  lxw_worksheet* sheet_;
  lxw_row_t row_ = 0;
};

}  // namespace

std::unique_ptr<TableWriter> NewCsvWriter(std::ostream& out) { return std::make_unique<CsvTableWriter>(out); }

Result<std::unique_ptr<TableWriter>> NewXlsxWriter(const std::string& path, const std::string& sheet) {
  lxw_workbook_options options = {};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) return InvalidArgument("the workbook cannot be created", "output");
  lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet.c_str());
  if (worksheet == nullptr) {
    workbook_close(workbook);
    return InvalidArgument("the worksheet cannot be added", "output");
  }
  return std::unique_ptr<TableWriter>(std::make_unique<XlsxTableWriter>(workbook, worksheet));
}

}  // namespace crm::importing
