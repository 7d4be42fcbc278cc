#include "perftco/csv_table.h"

#include <csv.h>

#include <fstream>
#include <sstream>

namespace perftco {
namespace {

// What libcsv's callbacks fill while one file is parsed.
struct Collector {
  std::vector<std::string> cells;              // the row being read
  std::vector<std::vector<std::string>> done;  // rows finished by the last csv_parse call
};

void OnField(void* text, size_t size, void* data) {
  auto* c = static_cast<Collector*>(data);
  c->cells.emplace_back(text == nullptr ? "" : std::string(static_cast<const char*>(text), size));
}

void OnRowEnd(int /*terminator*/, void* data) {
  auto* c = static_cast<Collector*>(data);
  c->done.push_back(std::move(c->cells));
  c->cells.clear();
}

// Owns a libcsv parser for one parse.
class Parser {
 public:
  Parser() { ok_ = csv_init(&p_, CSV_STRICT | CSV_STRICT_FINI) == 0; }
  ~Parser() {
    if (ok_) csv_free(&p_);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  bool ok() const { return ok_; }
  csv_parser* get() { return &p_; }

 private:
  csv_parser p_{};
  bool ok_ = false;
};

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::optional<size_t> CsvTable::Column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return std::nullopt;
}

Result<CsvTable> ParseCsv(std::string_view text, const std::string& name, CsvOptions options) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  Parser parser;
  if (!parser.ok()) return Status::Error(name + ": out of memory starting the CSV parser");
  Collector collected;
  CsvTable table;
  bool have_header = false;
  bool row_open = false;  // a row started on an earlier line is still being read
  int row_line = 0;

  // Takes the rows the last call finished; the first is the header.
  auto take_rows = [&]() -> Status {
    for (auto& cells : collected.done) {
      if (!have_header) {
        for (size_t i = 0; i < cells.size(); ++i) {
          for (size_t j = 0; j < i; ++j) {
            if (cells[i] == cells[j]) {
              return Status::Error(name + ":" + std::to_string(row_line) + ": column '" + cells[i] +
                                   "' appears twice in the header");
            }
          }
        }
        table.header = std::move(cells);
        have_header = true;
      } else if (cells.size() != table.header.size()) {
        return Status::Error(name + ":" + std::to_string(row_line) + ": " +
                             std::to_string(cells.size()) + " cells but the header has " +
                             std::to_string(table.header.size()) + " columns");
      } else {
        table.rows.push_back({row_line, std::move(cells)});
      }
    }
    collected.done.clear();
    return Status::Ok();
  };

  int line_no = 0;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    const size_t next = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = text.substr(at, next - at);
    at = next;
    ++line_no;
    if (!row_open) {
      if (IsBlank(line) || (options.comments && line.front() == '#')) continue;
      row_line = line_no;
    }
    if (csv_parse(parser.get(), line.data(), line.size(), OnField, OnRowEnd, &collected) !=
        line.size()) {
      return Status::Error(name + ":" + std::to_string(line_no) + ": malformed CSV (" +
                           csv_strerror(csv_error(parser.get())) + ")");
    }
    // libcsv's state is back at "row not begun" (0) after a row's newline; anything else means
    // the line ended inside a quoted field (or without a newline) and the row goes on.
    row_open = parser.get()->pstate != 0;
    if (Status s = take_rows(); !s.ok()) return s;
  }
  if (csv_fini(parser.get(), OnField, OnRowEnd, &collected) != 0) {
    return Status::Error(name + ":" + std::to_string(row_line) +
                         ": malformed CSV (a quoted field is not closed)");
  }
  if (Status s = take_rows(); !s.ok()) return s;
  if (!have_header) return Status::Error(name + ": no header line (the file is empty)");
  return table;
}

Result<CsvTable> ReadCsvFile(const std::string& path, CsvOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Error(path + ": cannot read the file");
  return ParseCsv(text.str(), path, options);
}

}  // namespace perftco
