#include "importing/xlsx_reader.h"

#include <expat.h>
#include <zip.h>

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <deque>
#include <map>
#include <set>
#include <string_view>

#include "importing/value_parsers.h"

namespace crm::importing {
namespace {

// Small, so that the rows one chunk yields stay few even when each is wide.
constexpr size_t kChunkBytes = 16 * 1024;

std::string_view LocalName(const char* name) {
  std::string_view view(name);
  const size_t colon = view.rfind(':');
  return colon == std::string_view::npos ? view : view.substr(colon + 1);
}

const char* Attribute(const char** attributes, std::string_view wanted) {
  for (size_t i = 0; attributes[i] != nullptr; i += 2) {
    if (LocalName(attributes[i]) == wanted) return attributes[i + 1];
  }
  return nullptr;
}

// The built-in number formats that show dates or times.
bool IsBuiltinDateFormat(int id) {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

// A custom format shows a date when it uses d, m, y or h outside quotes and brackets.
bool IsDateFormatCode(std::string_view code) {
  bool quoted = false, bracketed = false;
  for (char c : code) {
    if (c == '"') quoted = !quoted;
    if (c == '[') bracketed = true;
    if (c == ']') bracketed = false;
    if (quoted || bracketed) continue;
    if (c == 'd' || c == 'D' || c == 'y' || c == 'Y' || c == 'h' || c == 'H') return true;
    if ((c == 'm' || c == 'M') && code.find('0') == std::string_view::npos) return true;
  }
  return false;
}

// "AB12" → 27 (0-based column 27).
int ColumnIndex(std::string_view reference) {
  int column = 0;
  for (char c : reference) {
    if (c < 'A' || c > 'Z') break;
    column = column * 26 + (c - 'A' + 1);
  }
  return column - 1;
}

// Shortest decimal text of a stored double: "2.5499999999999998" → "2.55".
std::string FormatNumber(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return text;
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::string out(buffer);
  if (out.find('e') != std::string::npos) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    out = buffer;
  }
  return out;
}

// A std::string and its share of the vector that holds it, with room for the vector's growth.
constexpr size_t kPerStringOverhead = 64;

// What the parts of one workbook share while they are parsed.
struct PartGuard {
  XlsxLimits limits;
  size_t inflated = 0;            // bytes unpacked so far, all parts
  Status refusal;                 // set by a handler that met input past a limit
  int64_t fed = 0;                // bytes given to the current part's parser
  int64_t last_event_at = 0;      // where in them the parser last reported something
};

// Feeds a whole zip member through an expat parser whose handlers were set by the caller. The
// handlers refuse input past a limit by setting `refusal` and stopping the parser.
class XmlPart {
 public:
  XmlPart(zip_t* archive, const std::string& name, PartGuard& guard)
      : file_(zip_fopen(archive, name.c_str(), 0)), guard_(guard) {}
  ~XmlPart() {
    if (file_) zip_fclose(file_);
  }
  bool found() const { return file_ != nullptr; }
  // Parses the next chunk; returns false at the end. kInvalidArgument ("file") for a damaged
  // member, broken XML or a part past the limits.
  Result<bool> ParseChunk(XML_Parser parser) {
    if (suspended_) {
      suspended_ = false;
      return Finish(parser, XML_ResumeParser(parser));
    }
    if (done_) return false;
    const zip_int64_t read = zip_fread(file_, buffer_.data(), buffer_.size());
    if (read < 0) return InvalidArgument("the workbook is damaged: a part of it cannot be unpacked", "file");
    done_ = read == 0;
    guard_.inflated += static_cast<size_t>(read);
    guard_.fed += read;
    if (guard_.inflated > guard_.limits.max_decompressed_bytes) {
      return InvalidArgument(
          fmt::format("the workbook unpacks to more than {} MiB", guard_.limits.max_decompressed_bytes >> 20), "file");
    }
    return Finish(parser, XML_Parse(parser, buffer_.data(), static_cast<int>(read), done_));
  }
  // The end of a call to expat: a pause (the handlers hold enough rows) leaves the rest of the
  // buffer to the next call.
  Result<bool> Finish(XML_Parser parser, XML_Status status) {
    if (status == XML_STATUS_SUSPENDED) {
      suspended_ = true;
      return true;
    }
    if (status == XML_STATUS_ERROR) {
      if (!guard_.refusal.ok()) return guard_.refusal;
      return InvalidArgument(fmt::format("the workbook is damaged: a part of it is not valid XML ({} at line {})",
                                         XML_ErrorString(XML_GetErrorCode(parser)), XML_GetCurrentLineNumber(parser)),
                             "file");
    }
    // Expat holds a token until it ends: a tag that never ends would fill memory.
    if (guard_.fed - guard_.last_event_at > static_cast<int64_t>(guard_.limits.max_token_bytes)) {
      return InvalidArgument(
          fmt::format("the workbook has an XML tag longer than {} KiB", guard_.limits.max_token_bytes >> 10), "file");
    }
    return !done_;
  }
  Status ParseAll(XML_Parser parser) {
    while (true) {
      CRM_ASSIGN_OR_RETURN(bool more, ParseChunk(parser));
      if (!more) return Status::Ok();
    }
  }

 private:
  zip_file_t* file_;
  PartGuard& guard_;
  std::array<char, kChunkBytes> buffer_;  // kept across a pause, when expat still reads from it
  bool done_ = false;
  bool suspended_ = false;
};

struct ParserHandle {
  explicit ParserHandle(void* user) : parser(XML_ParserCreate("UTF-8")) { XML_SetUserData(parser, user); }
  ~ParserHandle() { XML_ParserFree(parser); }
  XML_Parser parser;
};

}  // namespace

struct XlsxReader::State {
  std::string bytes;
  zip_t* archive = nullptr;
  std::vector<std::string> sheet_names;
  std::vector<std::string> sheet_ids;
  std::map<std::string, std::string> relationships;  // id → target
  std::vector<std::string> shared_strings;
  size_t shared_string_bytes = 0;
  PartGuard guard;
  XML_Parser parser = nullptr;  // the parser running the handlers
  int depth = 0;
  std::vector<bool> date_styles;  // by cellXfs index
  std::map<int, std::string> custom_formats;

  // Parse state shared by the handlers.
  std::string text;
  bool in_text = false;
  int phonetic_depth = 0;
  bool in_cell_xfs = false;

  // The sheet.
  std::unique_ptr<XmlPart> sheet;
  std::unique_ptr<ParserHandle> sheet_parser;
  std::deque<Record> ready;
  size_t ready_bytes = 0;
  size_t sheet_text_bytes = 0;
  Record row;
  size_t row_bytes = 0;
  int cell_column = 0;
  std::string cell_type;
  int cell_style = 0;
  std::string cell_value;
  bool in_value = false;
  bool sheet_done = false;
  size_t header_width = 0;
  int64_t last_row = 0;  // the number of the row read last, for rows written without one
  bool parse_error = false;

  ~State() {
    if (archive) zip_discard(archive);
  }
  void EndCell();
  // Starts on a new part with `new_parser`, whose handlers report to this state.
  void Begin(XML_Parser new_parser);
  // Stops the parser with `status`; the chunk being parsed then fails with it.
  void Refuse(Status status) {
    if (guard.refusal.ok()) guard.refusal = std::move(status);
    XML_StopParser(parser, XML_FALSE);
  }
  // Notes that the parser reported something: the bytes before it are no longer held.
  void Reported() { guard.last_event_at = XML_GetCurrentByteIndex(parser); }
  // Counts an element's start; false (and refused) when the nesting is too deep.
  bool Enter() {
    Reported();
    if (++depth <= guard.limits.max_depth) return true;
    Refuse(InvalidArgument(fmt::format("the workbook nests XML more than {} levels deep", guard.limits.max_depth),
                           "file"));
    return false;
  }
  // Appends character data to `target`, refusing a value past the cell limit.
  void AppendText(std::string& target, const char* data, int length) {
    if (target.size() + static_cast<size_t>(length) > guard.limits.max_cell_bytes) {
      Refuse(InvalidArgument(
          fmt::format("a cell of the workbook holds more than {} KiB of text", guard.limits.max_cell_bytes >> 10),
          "file"));
      return;
    }
    target.append(data, static_cast<size_t>(length));
  }
};

void XlsxReader::State::EndCell() {
  std::string value;
  if (cell_type == "s") {
    const size_t index = static_cast<size_t>(std::strtoul(cell_value.c_str(), nullptr, 10));
    if (index < shared_strings.size()) value = shared_strings[index];
  } else if (cell_type == "b") {
    value = cell_value == "1" ? "TRUE" : "FALSE";
  } else if (cell_type == "inlineStr" || cell_type == "str" || cell_type == "e") {
    value = cell_value;
  } else if (!cell_value.empty()) {
    const bool is_date = cell_style >= 0 && static_cast<size_t>(cell_style) < date_styles.size() && date_styles[cell_style];
    auto date = is_date ? ParseDateTime(cell_value) : Result<DateTimeValue>(InvalidArgument("not a date"));
    value = date.ok() ? date->ToString() : FormatNumber(cell_value);
  }
  if (cell_column < 0) return;
  if (cell_column >= guard.limits.max_columns) {
    Refuse(InvalidArgument(fmt::format("the sheet has a cell beyond column {}", guard.limits.max_columns), "file"));
    return;
  }
  row_bytes += value.size();
  if (row_bytes > guard.limits.max_row_bytes) {
    Refuse(InvalidArgument(
        fmt::format("a row of the workbook holds more than {} KiB of text", guard.limits.max_row_bytes >> 10), "file"));
    return;
  }
  if (row.fields.size() <= static_cast<size_t>(cell_column)) row.fields.resize(cell_column + 1);
  row.fields[cell_column] = std::move(value);
}

namespace {

using State = XlsxReader::State;

void XMLCALL WorkbookStart(void* user, const char* name, const char** attributes) {
  auto* state = static_cast<State*>(user);
  if (!state->Enter()) return;
  const std::string_view local = LocalName(name);
  if (local == "sheet") {
    const char* sheet_name = Attribute(attributes, "name");
    const char* id = Attribute(attributes, "id");
    state->sheet_names.push_back(sheet_name ? sheet_name : "");
    state->sheet_ids.push_back(id ? id : "");
  } else if (local == "Relationship") {
    const char* id = Attribute(attributes, "Id");
    const char* target = Attribute(attributes, "Target");
    if (id && target) state->relationships[id] = target;
  }
}

// Ends an element: one level less deep.
void Leave(State& state) {
  state.Reported();
  --state.depth;
}

void XMLCALL LeaveElement(void* user, const char*) { Leave(*static_cast<State*>(user)); }

void XMLCALL RefuseDoctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  static_cast<State*>(user)->Refuse(InvalidArgument("the workbook declares a DTD, which workbooks never do", "file"));
}

void XMLCALL StringsStart(void* user, const char* name, const char**) {
  auto* state = static_cast<State*>(user);
  if (!state->Enter()) return;
  const std::string_view local = LocalName(name);
  if (local == "si") state->text.clear();
  if (local == "rPh") ++state->phonetic_depth;
  if (local == "t" && state->phonetic_depth == 0) state->in_text = true;
}

void XMLCALL StringsEnd(void* user, const char* name) {
  auto* state = static_cast<State*>(user);
  Leave(*state);
  const std::string_view local = LocalName(name);
  if (local == "si") {
    state->shared_string_bytes += state->text.size() + kPerStringOverhead;
    if (state->shared_string_bytes > state->guard.limits.max_shared_string_bytes) {
      state->Refuse(InvalidArgument(fmt::format("the workbook's shared strings take more than {} MiB",
                                                state->guard.limits.max_shared_string_bytes >> 20),
                                    "file"));
      return;
    }
    state->shared_strings.push_back(std::move(state->text));
    state->text.clear();
  }
  if (local == "rPh") --state->phonetic_depth;
  if (local == "t") state->in_text = false;
}

void XMLCALL TextData(void* user, const char* data, int length) {
  auto* state = static_cast<State*>(user);
  state->Reported();
  if (state->in_text) state->AppendText(state->text, data, length);
  if (state->in_value) state->AppendText(state->cell_value, data, length);
}

void XMLCALL StylesStart(void* user, const char* name, const char** attributes) {
  auto* state = static_cast<State*>(user);
  if (!state->Enter()) return;
  const std::string_view local = LocalName(name);
  if (local == "numFmt") {
    const char* id = Attribute(attributes, "numFmtId");
    const char* code = Attribute(attributes, "formatCode");
    if (id && code) state->custom_formats[std::atoi(id)] = code;
  } else if (local == "cellXfs") {
    state->in_cell_xfs = true;
  } else if (local == "xf" && state->in_cell_xfs) {
    const char* id_text = Attribute(attributes, "numFmtId");
    const int id = id_text ? std::atoi(id_text) : 0;
    const auto custom = state->custom_formats.find(id);
    state->date_styles.push_back(custom != state->custom_formats.end() ? IsDateFormatCode(custom->second)
                                                                       : IsBuiltinDateFormat(id));
  }
}

void XMLCALL StylesEnd(void* user, const char* name) {
  auto* state = static_cast<State*>(user);
  Leave(*state);
  if (LocalName(name) == "cellXfs") state->in_cell_xfs = false;
}

void XMLCALL SheetStart(void* user, const char* name, const char** attributes) {
  auto* state = static_cast<State*>(user);
  if (!state->Enter()) return;
  const std::string_view local = LocalName(name);
  if (local == "row") {
    state->row = Record{};
    state->row_bytes = 0;
    const char* number = Attribute(attributes, "r");
    // Excel writes each row's number; a writer that leaves it out means the row after the last.
    state->row.line = number ? std::atoll(number) : state->last_row + 1;
    state->row.row = state->row.line;
    state->last_row = state->row.line;
  } else if (local == "c") {
    const char* reference = Attribute(attributes, "r");
    const char* type = Attribute(attributes, "t");
    const char* style = Attribute(attributes, "s");
    state->cell_column = reference ? ColumnIndex(reference) : static_cast<int>(state->row.fields.size());
    state->cell_type = type ? type : "n";
    state->cell_style = style ? std::atoi(style) : 0;
    state->cell_value.clear();
  } else if (local == "v") {
    state->in_value = true;
  } else if (local == "rPh") {
    ++state->phonetic_depth;
  } else if (local == "t" && state->phonetic_depth == 0) {
    state->in_value = true;
  }
}

void XMLCALL SheetEnd(void* user, const char* name) {
  auto* state = static_cast<State*>(user);
  Leave(*state);
  const std::string_view local = LocalName(name);
  if (local == "v" || local == "t") state->in_value = false;
  if (local == "rPh") --state->phonetic_depth;
  if (local == "c") state->EndCell();
  if (local == "row") {
    bool blank = true;
    for (const std::string& field : state->row.fields) blank = blank && field.empty();
    if (blank) return;
    // Excel leaves out trailing empty cells: pad to the header's width so the row is not ragged.
    if (state->header_width == 0) state->header_width = state->row.fields.size();
    if (state->row.fields.size() < state->header_width) state->row.fields.resize(state->header_width);
    state->sheet_text_bytes += state->row_bytes;
    if (state->sheet_text_bytes > state->guard.limits.max_sheet_text_bytes) {
      state->Refuse(InvalidArgument(
          fmt::format("the sheet expands to more than {} MiB of text", state->guard.limits.max_sheet_text_bytes >> 20),
          "file"));
      return;
    }
    state->ready_bytes += state->row_bytes + state->row.fields.size() * sizeof(std::string);
    state->ready.push_back(std::move(state->row));
    // Enough rows for the reader's caller: pause until they are taken.
    if (state->ready_bytes > state->guard.limits.ready_row_bytes) XML_StopParser(state->parser, XML_TRUE);
  }
}

Status ParsePart(State& state, const std::string& name, XML_StartElementHandler start, XML_EndElementHandler end,
                 bool required) {
  XmlPart part(state.archive, name, state.guard);
  if (!part.found()) return required ? InvalidArgument("not a workbook: " + name + " is missing", "file") : Status::Ok();
  ParserHandle handle(&state);
  state.Begin(handle.parser);
  XML_SetElementHandler(handle.parser, start, end != nullptr ? end : LeaveElement);
  XML_SetCharacterDataHandler(handle.parser, TextData);
  return part.ParseAll(handle.parser);
}

// "worksheets/sheet1.xml" or "/xl/worksheets/sheet1.xml" → "xl/worksheets/sheet1.xml".
std::string PartPath(const std::string& target) {
  if (target.starts_with("/")) return target.substr(1);
  return "xl/" + target;
}

}  // namespace

void XlsxReader::State::Begin(XML_Parser new_parser) {
  parser = new_parser;
  depth = 0;
  guard.fed = 0;
  guard.last_event_at = 0;
  XML_SetStartDoctypeDeclHandler(parser, RefuseDoctype);
}

bool LooksLikeZip(std::string_view bytes) { return bytes.starts_with("PK\x03\x04"); }

XlsxReader::XlsxReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
XlsxReader::~XlsxReader() = default;

const std::vector<std::string>& XlsxReader::sheet_names() const { return state_->sheet_names; }

Result<std::unique_ptr<XlsxReader>> XlsxReader::Open(std::string bytes, const std::string& sheet,
                                                     const XlsxLimits& limits) {
  auto state = std::make_unique<State>();
  state->guard.limits = limits;
  state->bytes = std::move(bytes);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(state->bytes.data(), state->bytes.size(), 0, &error);
  if (source) state->archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (source && !state->archive) zip_source_free(source);
  zip_error_fini(&error);
  if (!state->archive) return InvalidArgument("not an XLSX workbook", "file");
  CRM_RETURN_IF_ERROR(ParsePart(*state, "xl/workbook.xml", WorkbookStart, nullptr, true));
  CRM_RETURN_IF_ERROR(ParsePart(*state, "xl/_rels/workbook.xml.rels", WorkbookStart, nullptr, true));
  CRM_RETURN_IF_ERROR(ParsePart(*state, "xl/sharedStrings.xml", StringsStart, StringsEnd, false));
  CRM_RETURN_IF_ERROR(ParsePart(*state, "xl/styles.xml", StylesStart, StylesEnd, false));
  size_t index = 0;
  while (index < state->sheet_names.size() && !sheet.empty() && state->sheet_names[index] != sheet) ++index;
  if (index >= state->sheet_names.size()) return InvalidArgument("the workbook has no such sheet", "sheet");
  const auto target = state->relationships.find(state->sheet_ids[index]);
  if (target == state->relationships.end()) return InvalidArgument("not a workbook: a sheet is missing", "file");
  state->sheet = std::make_unique<XmlPart>(state->archive, PartPath(target->second), state->guard);
  if (!state->sheet->found()) return InvalidArgument("not a workbook: a sheet is missing", "file");
  state->sheet_parser = std::make_unique<ParserHandle>(state.get());
  state->Begin(state->sheet_parser->parser);
  XML_SetElementHandler(state->sheet_parser->parser, SheetStart, SheetEnd);
  XML_SetCharacterDataHandler(state->sheet_parser->parser, TextData);
  return std::unique_ptr<XlsxReader>(new XlsxReader(std::move(state)));
}

Result<bool> XlsxReader::Next(Record& record) {
  while (state_->ready.empty() && !state_->sheet_done) {
    CRM_ASSIGN_OR_RETURN(bool more, state_->sheet->ParseChunk(state_->sheet_parser->parser));
    state_->sheet_done = !more;
  }
  if (state_->ready.empty()) return false;
  record = std::move(state_->ready.front());
  state_->ready.pop_front();
  if (state_->ready.empty()) state_->ready_bytes = 0;
  return true;
}

}  // namespace crm::importing
