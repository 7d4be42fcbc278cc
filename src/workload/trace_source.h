// Requests replayed from a trace file, read one line at a time (memory does not grow with it).
#ifndef PERFTCO_SRC_WORKLOAD_TRACE_SOURCE_H_
#define PERFTCO_SRC_WORKLOAD_TRACE_SOURCE_H_

#include <fstream>
#include <optional>
#include <string>

#include "perftco/workload.h"

namespace perftco::workload {

// Layouts, recognised by the header (CSV, case-insensitive) or the keys (JSONL, one object per
// line):
//   perftco: arrival_s, input_tokens, output_tokens [, session_id, prefix_id, prefix_tokens]
//   Vidur:   arrived_at, num_prefill_tokens, num_decode_tokens (seconds)
//   Azure LLM inference traces: TIMESTAMP, ContextTokens, GeneratedTokens, where TIMESTAMP is a
//            date-time ("2023-11-16 18:15:46.6805900"); times are taken relative to the first.
// Rows must be in arrival order. session_id and prefix_id may be any text (hashed to ids).
class TraceSource : public RequestSource {
 public:
  // Opens the file and reads its header. Errors: unreadable file, unknown columns.
  static Result<std::unique_ptr<TraceSource>> Open(const std::string& path, int64_t max_requests,
                                                   const WorkloadLimits& limits);

  Result<std::optional<Seconds>> PeekTime() override;
  Request Pop() override;
  std::string Where(const Request& r) const override;

 private:
  struct Columns {
    int arrival = -1, input = -1, output = -1, session = -1, prefix = -1, prefix_tokens = -1;
    size_t count = 0;
    bool datetime = false;  // Azure TIMESTAMP
  };
  TraceSource(std::string path, int64_t max_requests, const WorkloadLimits& limits)
      : path_(std::move(path)), max_requests_(max_requests), limits_(limits) {}
  Status ReadHeader();
  // Reads the next request into next_; false at the end of the file.
  Result<bool> ReadNext();
  Status ParseCsv(const std::string& line, Request* r);
  Status ParseJson(const std::string& line, Request* r);
  Status Check(Request* r, double time);
  Status LineError(const std::string& what) const;

  std::string path_;
  int64_t max_requests_;
  WorkloadLimits limits_;
  std::ifstream in_;
  bool jsonl_ = false;
  std::string first_line_;  // a JSONL file's first line, read while detecting the layout
  Columns cols_;
  int64_t line_ = 0;
  int64_t issued_ = 0;
  std::optional<Request> next_;
  bool ended_ = false;
  std::optional<double> time_origin_;  // datetime traces: the first timestamp
  double last_time_ = -1.0;
};

// Seconds since 1970-01-01 of "YYYY-MM-DD HH:MM:SS[.fraction]" (or with a 'T'); nullopt if it
// does not parse.
std::optional<double> ParseDateTime(const std::string& s);

}  // namespace perftco::workload

#endif  // PERFTCO_SRC_WORKLOAD_TRACE_SOURCE_H_
