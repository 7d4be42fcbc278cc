// A plain-text table with aligned columns, for CLI reports.
#ifndef PERFTCO_TEXT_TABLE_H_
#define PERFTCO_TEXT_TABLE_H_

#include <string>
#include <vector>

namespace perftco {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns are left-aligned for text and right-aligned when every cell looks numeric.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Fixed-point formatting with `digits` decimals ("1,234.5" style grouping is not used).
std::string FormatFixed(double v, int digits);
// Three significant digits, switching to k/M/G suffixes for large values.
std::string FormatSi(double v);

}  // namespace perftco

#endif  // PERFTCO_TEXT_TABLE_H_
