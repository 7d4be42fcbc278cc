#include "perftco/measured.h"

// fast-cpp-csv-parser (Debian libfccp-dev) trips GCC's truncation warning inside its own code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <filesystem>

namespace perftco {
namespace {

constexpr int kColumns = 25;

Status ParseInt(const std::string& text, const char* column, bool required,
                std::optional<int64_t>* out) {
  if (text.empty()) {
    if (required) return Status::Error(std::string("column '") + column + "' is empty");
    return Status::Ok();
  }
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    *out = v;
  } catch (const std::exception&) {
    return Status::Error(std::string("column '") + column + "' is not an integer: '" + text + "'");
  }
  return Status::Ok();
}

Status ParseDouble(const std::string& text, const char* column, bool required,
                   std::optional<double>* out) {
  if (text.empty()) {
    if (required) return Status::Error(std::string("column '") + column + "' is empty");
    return Status::Ok();
  }
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    *out = v;
  } catch (const std::exception&) {
    return Status::Error(std::string("column '") + column + "' is not a number: '" + text + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<MeasuredPoint>> ReadMeasuredFile(const std::string& path) {
  std::vector<MeasuredPoint> out;
  try {
    io::CSVReader<kColumns, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>> in(path);
    in.read_header(io::ignore_missing_column | io::ignore_extra_column, "id", "source",
                   "source_ref", "hardware", "num_chips", "model", "weight_precision",
                   "kv_precision", "framework", "framework_version", "tp", "pp", "ep",
                   "dp_attention", "disagg", "spec_decoding", "isl", "osl", "batch_size",
                   "concurrency", "request_rate", "scenario", "metric", "value", "notes");
    for (const char* required :
         {"id", "hardware", "num_chips", "model", "isl", "osl", "scenario", "metric", "value"}) {
      if (!in.has_column(required)) {
        return Status::Error(path + ": required column '" + required + "' is missing");
      }
    }
    std::string f[kColumns];
    while (in.read_row(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11],
                       f[12], f[13], f[14], f[15], f[16], f[17], f[18], f[19], f[20], f[21], f[22],
                       f[23], f[24])) {
      MeasuredPoint p;
      p.file = path;
      p.line = static_cast<int>(in.get_file_line());
      p.id = f[0];
      p.source = f[1];
      p.hardware = f[3];
      p.model = f[5];
      p.weight_precision = f[6];
      p.kv_precision = f[7];
      p.framework = f[8];
      p.dp_attention = f[13] == "true";
      p.disagg = f[14] == "true";
      p.spec_decoding = f[15];
      p.scenario = f[21];
      p.metric = f[22];
      p.notes = f[24];
      std::optional<int64_t> chips, tp, pp, ep, isl, osl;
      std::optional<double> value;
      const std::string where = path + ":" + std::to_string(p.line) + ": ";
      auto check = [&](Status s) -> Status {
        return s.ok() ? s : Status::Error(where + s.message());
      };
      PERFTCO_RETURN_IF_ERROR(check(ParseInt(f[4], "num_chips", true, &chips)));
      PERFTCO_RETURN_IF_ERROR(check(ParseInt(f[10], "tp", false, &tp)));
      PERFTCO_RETURN_IF_ERROR(check(ParseInt(f[11], "pp", false, &pp)));
      PERFTCO_RETURN_IF_ERROR(check(ParseInt(f[12], "ep", false, &ep)));
      PERFTCO_RETURN_IF_ERROR(check(ParseInt(f[16], "isl", true, &isl)));
      PERFTCO_RETURN_IF_ERROR(check(ParseInt(f[17], "osl", true, &osl)));
      PERFTCO_RETURN_IF_ERROR(check(ParseInt(f[18], "batch_size", false, &p.batch_size)));
      PERFTCO_RETURN_IF_ERROR(check(ParseInt(f[19], "concurrency", false, &p.concurrency)));
      PERFTCO_RETURN_IF_ERROR(check(ParseDouble(f[20], "request_rate", false, &p.request_rate)));
      PERFTCO_RETURN_IF_ERROR(check(ParseDouble(f[23], "value", true, &value)));
      if (p.id.empty() || p.hardware.empty() || p.model.empty() || p.metric.empty()) {
        return Status::Error(where + "id, hardware, model and metric must not be empty");
      }
      if (*chips <= 0 || *isl <= 0 || *osl <= 0 || *value < 0) {
        return Status::Error(where + "num_chips, isl and osl must be positive, value >= 0");
      }
      p.num_chips = static_cast<int>(*chips);
      if (tp) p.tp = static_cast<int>(*tp);
      if (pp) p.pp = static_cast<int>(*pp);
      if (ep) p.ep = static_cast<int>(*ep);
      p.isl = *isl;
      p.osl = *osl;
      p.value = *value;
      out.push_back(std::move(p));
    }
  } catch (const io::error::base& e) {
    return Status::Error(path + ": malformed CSV: " + e.what());
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
