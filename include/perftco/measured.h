// Published measurements in the schema of data/measured/SOURCE-README.md, one number per row.
#ifndef PERFTCO_MEASURED_H_
#define PERFTCO_MEASURED_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perftco/status.h"

namespace perftco {

// One pool of a disaggregated deployment as a row states it (optional columns prefill_* and
// decode_*); each field empty when not stated.
struct MeasuredPool {
  std::optional<int> chips, workers, tp, ep;
  std::optional<bool> dp_attention;

  bool Stated() const { return chips || workers || tp || ep || dp_attention; }
};

struct MeasuredPoint {
  std::string id;
  std::string source;
  std::string hardware;
  int num_chips = 0;
  std::string model;
  std::string weight_precision;
  std::string kv_precision;  // empty: not stated
  std::string framework;
  std::optional<int> tp, pp, ep;
  bool dp_attention = false;
  bool disagg = false;
  MeasuredPool prefill, decode;  // disaggregated rows only
  std::string spec_decoding;     // empty or "none": no speculation
  int64_t isl = 0;
  int64_t osl = 0;
  std::optional<int64_t> batch_size;
  std::optional<int64_t> concurrency;
  std::optional<double> request_rate;  // requests/s for the whole system
  std::string scenario;                // offline, fixed-batch, concurrency, server, ...
  // Latency-bounded scenarios: the p99 limits the result had to meet, in milliseconds.
  std::optional<double> ttft_p99_limit_ms, tpot_p99_limit_ms;
  std::string metric;
  double value = 0;
  std::string notes;
  std::string file;
  int line = 0;
};

// Reads one CSV file. Required columns: id, hardware, num_chips, model, isl, osl, scenario,
// metric, value; the others may be absent or empty, in any order. Errors name the file, line and
// column: malformed numbers and booleans, pool columns on a row that is not disaggregated, a
// pool's tp / ep / dp_attention without its worker (or chip) count, pools whose chips do not add
// up to num_chips, negative latency limits.
Result<std::vector<MeasuredPoint>> ReadMeasuredFile(const std::string& path);
// A file, or every *.csv directly inside a directory (in name order).
Result<std::vector<MeasuredPoint>> ReadMeasured(const std::string& file_or_dir);

}  // namespace perftco

#endif  // PERFTCO_MEASURED_H_
