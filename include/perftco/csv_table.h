// CsvTable: a small CSV file read whole, its header and rows addressed by column name.
//
// Parsing is libcsv's (Debian libcsv-dev) in strict RFC 4180 mode: quoted fields with doubled
// quotes, embedded commas and newlines; spaces and tabs around unquoted fields are dropped; blank
// lines and, when asked, lines starting with '#' are skipped; a UTF-8 byte-order mark is ignored.
// Every row must have as many cells as the header. Errors name the file and the line.
#ifndef PERFTCO_CSV_TABLE_H_
#define PERFTCO_CSV_TABLE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perftco/status.h"

namespace perftco {

struct CsvRow {
  int line = 0;  // the line of the file the row starts on (the header is line 1 of its file)
  std::vector<std::string> cells;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;

  // The index of `name` in the header, if present.
  std::optional<size_t> Column(std::string_view name) const;
};

struct CsvOptions {
  bool comments = false;  // skip lines whose first character is '#'
};

// Reads and parses `path`. A file with no header line is an error.
Result<CsvTable> ReadCsvFile(const std::string& path, CsvOptions options = {});
// The same for text already in memory; `name` stands for the file in messages.
Result<CsvTable> ParseCsv(std::string_view text, const std::string& name, CsvOptions options = {});

}  // namespace perftco

#endif  // PERFTCO_CSV_TABLE_H_
