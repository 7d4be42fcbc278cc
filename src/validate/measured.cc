#include "perftco/measured.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

#include "perftco/csv_table.h"

namespace perftco {
namespace {

// Every column the schema names (data/measured/SOURCE-README.md), in the order read_row fills
// them; a file may hold any subset, in any order.
constexpr std::array kColumnNames = {"id",
                                     "source",
                                     "source_ref",
                                     "hardware",
                                     "num_chips",
                                     "model",
                                     "weight_precision",
                                     "kv_precision",
                                     "framework",
                                     "framework_version",
                                     "tp",
                                     "pp",
                                     "ep",
                                     "dp_attention",
                                     "disagg",
                                     "prefill_chips",
                                     "prefill_workers",
                                     "prefill_tp",
                                     "prefill_ep",
                                     "prefill_dp_attention",
                                     "decode_chips",
                                     "decode_workers",
                                     "decode_tp",
                                     "decode_ep",
                                     "decode_dp_attention",
                                     "spec_decoding",
                                     "ttft_p99_limit_ms",
                                     "tpot_p99_limit_ms",
                                     "isl",
                                     "osl",
                                     "batch_size",
                                     "concurrency",
                                     "request_rate",
                                     "scenario",
                                     "metric",
                                     "value",
                                     "notes"};
constexpr size_t kColumns = kColumnNames.size();
// Where each schema column sits in one file (absent columns read as empty cells).
using ColumnIndex = std::array<std::optional<size_t>, kColumns>;

// The cell of `column` in one row.
class Cells {
 public:
  Cells(const ColumnIndex& where, const CsvRow& row) : where_(where), row_(row) {}
  const std::string& operator[](std::string_view column) const {
    static const std::string kEmpty;
    for (size_t i = 0; i < kColumns; ++i) {
      if (column == kColumnNames[i]) return where_[i] ? row_.cells[*where_[i]] : kEmpty;
    }
    assert(false && "a column outside the schema");
    return kEmpty;
  }

 private:
  const ColumnIndex& where_;
  const CsvRow& row_;
};

Status ParseInt(const std::string& text, std::string_view column, bool required,
                std::optional<int64_t>* out) {
  if (text.empty()) {
    if (required) return Status::Error("column '" + std::string(column) + "' is empty");
    return Status::Ok();
  }
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    *out = v;
  } catch (const std::exception&) {
    return Status::Error("column '" + std::string(column) + "' is not an integer: '" + text + "'");
  }
  return Status::Ok();
}

Status ParseDouble(const std::string& text, std::string_view column, bool required,
                   std::optional<double>* out) {
  if (text.empty()) {
    if (required) return Status::Error("column '" + std::string(column) + "' is empty");
    return Status::Ok();
  }
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    *out = v;
  } catch (const std::exception&) {
    return Status::Error("column '" + std::string(column) + "' is not a number: '" + text + "'");
  }
  return Status::Ok();
}

Status ParseBool(const std::string& text, std::string_view column, std::optional<bool>* out) {
  if (text.empty()) return Status::Ok();
  if (text == "true" || text == "false") {
    *out = text == "true";
    return Status::Ok();
  }
  return Status::Error("column '" + std::string(column) + "' is not true or false: '" + text + "'");
}

// Reads the five columns of one pool ("prefill" or "decode") and checks they describe it.
Status ParsePool(const Cells& c, const std::string& pool, MeasuredPool* out) {
  std::optional<int64_t> chips, workers, tp, ep;
  PERFTCO_RETURN_IF_ERROR(ParseInt(c[pool + "_chips"], pool + "_chips", false, &chips));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c[pool + "_workers"], pool + "_workers", false, &workers));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c[pool + "_tp"], pool + "_tp", false, &tp));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c[pool + "_ep"], pool + "_ep", false, &ep));
  PERFTCO_RETURN_IF_ERROR(
      ParseBool(c[pool + "_dp_attention"], pool + "_dp_attention", &out->dp_attention));
  for (const auto& [v, name] : {std::pair{chips, "_chips"}, std::pair{workers, "_workers"},
                                std::pair{tp, "_tp"}, std::pair{ep, "_ep"}}) {
    if (v && *v < 1) return Status::Error(pool + name + " must be at least 1");
  }
  if ((tp || ep || out->dp_attention) && !workers && !chips) {
    return Status::Error(pool +
                         (tp   ? "_tp"
                          : ep ? "_ep"
                               : "_dp_attention") +
                         " is given without " + pool + "_workers or " + pool +
                         "_chips: state how many " + pool + " workers run");
  }
  if (chips && workers && tp && *chips != *workers * *tp) {
    return Status::Error(pool + "_chips " + std::to_string(*chips) + " is not " + pool +
                         "_workers x " + pool + "_tp = " + std::to_string(*workers * *tp));
  }
  if (chips && tp && *chips % *tp != 0) {
    return Status::Error(pool + "_chips " + std::to_string(*chips) + " is not a multiple of " +
                         pool + "_tp " + std::to_string(*tp));
  }
  if (chips) out->chips = static_cast<int>(*chips);
  if (workers) out->workers = static_cast<int>(*workers);
  if (tp) out->tp = static_cast<int>(*tp);
  if (ep) out->ep = static_cast<int>(*ep);
  return Status::Ok();
}

// The row's fields, or what is wrong with it (without the file and line).
Status ParseRow(const Cells& c, MeasuredPoint* p) {
  p->id = c["id"];
  p->source = c["source"];
  p->hardware = c["hardware"];
  p->model = c["model"];
  p->weight_precision = c["weight_precision"];
  p->kv_precision = c["kv_precision"];
  p->framework = c["framework"];
  p->dp_attention = c["dp_attention"] == "true";
  p->disagg = c["disagg"] == "true";
  p->spec_decoding = c["spec_decoding"];
  p->scenario = c["scenario"];
  p->metric = c["metric"];
  p->notes = c["notes"];
  std::optional<int64_t> chips, tp, pp, ep, isl, osl;
  std::optional<double> value;
  PERFTCO_RETURN_IF_ERROR(ParseInt(c["num_chips"], "num_chips", true, &chips));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c["tp"], "tp", false, &tp));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c["pp"], "pp", false, &pp));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c["ep"], "ep", false, &ep));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c["isl"], "isl", true, &isl));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c["osl"], "osl", true, &osl));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c["batch_size"], "batch_size", false, &p->batch_size));
  PERFTCO_RETURN_IF_ERROR(ParseInt(c["concurrency"], "concurrency", false, &p->concurrency));
  PERFTCO_RETURN_IF_ERROR(ParseDouble(c["request_rate"], "request_rate", false, &p->request_rate));
  PERFTCO_RETURN_IF_ERROR(
      ParseDouble(c["ttft_p99_limit_ms"], "ttft_p99_limit_ms", false, &p->ttft_p99_limit_ms));
  PERFTCO_RETURN_IF_ERROR(
      ParseDouble(c["tpot_p99_limit_ms"], "tpot_p99_limit_ms", false, &p->tpot_p99_limit_ms));
  PERFTCO_RETURN_IF_ERROR(ParseDouble(c["value"], "value", true, &value));
  if (p->id.empty() || p->hardware.empty() || p->model.empty() || p->metric.empty()) {
    return Status::Error("id, hardware, model and metric must not be empty");
  }
  if (*chips <= 0 || *isl <= 0 || *osl <= 0 || *value < 0) {
    return Status::Error("num_chips, isl and osl must be positive, value >= 0");
  }
  if ((p->ttft_p99_limit_ms && *p->ttft_p99_limit_ms <= 0) ||
      (p->tpot_p99_limit_ms && *p->tpot_p99_limit_ms <= 0)) {
    return Status::Error("ttft_p99_limit_ms and tpot_p99_limit_ms must be positive");
  }
  PERFTCO_RETURN_IF_ERROR(ParsePool(c, "prefill", &p->prefill));
  PERFTCO_RETURN_IF_ERROR(ParsePool(c, "decode", &p->decode));
  if (!p->disagg && (p->prefill.Stated() || p->decode.Stated())) {
    return Status::Error("prefill_* / decode_* columns are set but disagg is not true");
  }
  if (p->prefill.chips && p->decode.chips && *p->prefill.chips + *p->decode.chips != *chips) {
    return Status::Error(
        "prefill_chips + decode_chips = " + std::to_string(*p->prefill.chips + *p->decode.chips) +
        " is not num_chips " + std::to_string(*chips));
  }
  p->num_chips = static_cast<int>(*chips);
  if (tp) p->tp = static_cast<int>(*tp);
  if (pp) p->pp = static_cast<int>(*pp);
  if (ep) p->ep = static_cast<int>(*ep);
  p->isl = *isl;
  p->osl = *osl;
  p->value = *value;
  return Status::Ok();
}

}  // namespace

Result<std::vector<MeasuredPoint>> ReadMeasuredFile(const std::string& path) {
  const Result<CsvTable> table = ReadCsvFile(path);
  if (!table.ok()) return table.status();
  ColumnIndex where;
  for (size_t i = 0; i < kColumns; ++i) where[i] = table->Column(kColumnNames[i]);
  for (const char* required :
       {"id", "hardware", "num_chips", "model", "isl", "osl", "scenario", "metric", "value"}) {
    if (!table->Column(required)) {
      return Status::Error(path + ": required column '" + required + "' is missing");
    }
  }
  std::vector<MeasuredPoint> out;
  out.reserve(table->rows.size());
  for (const CsvRow& row : table->rows) {
    MeasuredPoint p;
    p.file = path;
    p.line = row.line;
    const Status s = ParseRow(Cells(where, row), &p);
    if (!s.ok()) return Status::Error(path + ":" + std::to_string(p.line) + ": " + s.message());
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<MeasuredPoint>> ReadMeasured(const std::string& file_or_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(file_or_dir, ec)) {
    return Status::Error("no measured data at '" + file_or_dir + "': give a CSV file or a folder");
  }
  if (!fs::is_directory(file_or_dir, ec)) return ReadMeasuredFile(file_or_dir);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(file_or_dir)) {
    if (e.path().extension() == ".csv") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return Status::Error("no *.csv files in '" + file_or_dir + "'");
  std::vector<MeasuredPoint> all;
  for (const auto& f : files) {
    PERFTCO_ASSIGN_OR_RETURN(std::vector<MeasuredPoint> part, ReadMeasuredFile(f));
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

}  // namespace perftco
