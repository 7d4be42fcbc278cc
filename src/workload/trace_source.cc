#include "workload/trace_source.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "perftco/limits.h"
#include "perftco/names.h"
#include "perftco/random.h"

namespace perftco::workload {
namespace {

std::string Trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '"')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '"')) {
    --b;
  }
  return s.substr(a, b - a);
}

// FNV-1a of a label, never 0 (0 means "none").
uint64_t HashLabel(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h = Mix64(h);
  return h == 0 ? 1 : h;
}

bool ParseDouble(const std::string& s, double* out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(*out);
}

// A token count: a whole number within +-kMaxSequenceTokens (the sign is checked later, with
// the other limits), so that it converts to an integer exactly.
bool TokenCount(double v, int64_t* out) {
  if (v != std::floor(v) || std::fabs(v) > static_cast<double>(kMaxSequenceTokens)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

int Find(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (size_t i = 0; i < header.size(); ++i) {
    for (const char* n : names) {
      if (ToLower(header[i]) == n) return static_cast<int>(i);
    }
  }
  return -1;
}

const char* kArrivalKeys[] = {"arrival_s", "arrived_at", "timestamp", "arrival_time"};
const char* kInputKeys[] = {"input_tokens", "num_prefill_tokens", "contexttokens", "prompt_tokens"};
const char* kOutputKeys[] = {"output_tokens", "num_decode_tokens", "generatedtokens",
                             "completion_tokens"};

// Days from 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::optional<double> ParseDateTime(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  char sep = 0;
  int used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%n", &y, &mo, &d, &sep, &h, &mi, &used) != 6 ||
      (sep != ' ' && sep != 'T') || used == 0) {
    return std::nullopt;
  }
  double sec = 0;
  std::string rest = s.substr(static_cast<size_t>(used));
  while (!rest.empty() && (rest.back() == 'Z')) rest.pop_back();
  if (!ParseDouble(rest, &sec) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec < 0 || sec >= 61) {
    return std::nullopt;
  }
  return static_cast<double>(DaysFromCivil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
}

Result<std::unique_ptr<TraceSource>> TraceSource::Open(const std::string& path,
                                                       int64_t max_requests,
                                                       const WorkloadLimits& limits) {
  std::unique_ptr<TraceSource> t(new TraceSource(path, max_requests, limits));
  t->in_.open(path);
  if (!t->in_) return Status::Error("cannot open trace '" + path + "': check the path");
  PERFTCO_RETURN_IF_ERROR(t->ReadHeader());
  return t;
}

Status TraceSource::LineError(const std::string& what) const {
  return Status::Error(path_ + ":" + std::to_string(line_) + ": " + what);
}

Status TraceSource::ReadHeader() {
  std::string line;
  while (std::getline(in_, line)) {
    ++line_;
    if (!Trim(line).empty()) break;
  }
  const std::string head = Trim(line);
  if (head.empty()) return Status::Error(path_ + ": the trace is empty");
  if (head[0] == '{') {
    jsonl_ = true;
    first_line_ = line;
    --line_;  // the first line is a request, read again by ReadNext
    return Status::Ok();
  }
  std::vector<std::string> header;
  std::stringstream ss(head);
  std::string field;
  while (std::getline(ss, field, ',')) header.push_back(Trim(field));
  cols_.count = header.size();
  cols_.arrival = Find(header, {"arrival_s", "arrived_at", "timestamp", "arrival_time"});
  cols_.input =
      Find(header, {"input_tokens", "num_prefill_tokens", "contexttokens", "prompt_tokens"});
  cols_.output =
      Find(header, {"output_tokens", "num_decode_tokens", "generatedtokens", "completion_tokens"});
  cols_.session = Find(header, {"session_id", "session"});
  cols_.prefix = Find(header, {"prefix_id"});
  cols_.prefix_tokens = Find(header, {"prefix_tokens", "prefix_len"});
  cols_.datetime = cols_.arrival >= 0 && ToLower(header[cols_.arrival]) == "timestamp";
  if (cols_.arrival < 0 || cols_.input < 0 || cols_.output < 0) {
    return Status::Error(path_ + ":1: the header '" + head +
                         "' lacks an arrival, input or output column: use arrival_s,"
                         "input_tokens,output_tokens (or Vidur's arrived_at,num_prefill_tokens,"
                         "num_decode_tokens, or Azure's TIMESTAMP,ContextTokens,GeneratedTokens)");
  }
  return Status::Ok();
}

Status TraceSource::Check(Request* r, double time) {
  if (r->input_tokens < 1 || r->output_tokens < 1) {
    return LineError("input and output tokens must be at least 1 (got " +
                     std::to_string(r->input_tokens) + " and " + std::to_string(r->output_tokens) +
                     ")");
  }
  if (time < 0) {
    return LineError("negative arrival time " + std::to_string(time) + " s");
  }
  if (time < last_time_) {
    return LineError("arrival " + std::to_string(time) + " s is earlier than the previous row's " +
                     std::to_string(last_time_) + " s: sort the trace by arrival time");
  }
  last_time_ = time;
  const int64_t total = r->input_tokens + r->output_tokens;
  if (limits_.max_context > 0 && total > limits_.max_context) {
    return LineError("a request of " + std::to_string(r->input_tokens) + " + " +
                     std::to_string(r->output_tokens) + " tokens exceeds the " +
                     std::to_string(limits_.max_context) + "-token context of " +
                     limits_.model_name);
  }
  if (limits_.kv_token_capacity > 0 && total > limits_.kv_token_capacity) {
    return LineError("a request of " + std::to_string(total) + " tokens needs more KV cache than " +
                     "one replica holds (" + std::to_string(limits_.kv_token_capacity) +
                     " tokens): use more chips per replica or --kv-precision fp8");
  }
  if (r->prefix_tokens < 0) return LineError("prefix_tokens must not be negative");
  r->arrival = Seconds(time);
  r->line = line_;
  return Status::Ok();
}

Status TraceSource::ParseCsv(const std::string& line, Request* r) {
  std::vector<std::string> f;
  f.reserve(cols_.count);
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    f.push_back(
        Trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (f.size() != cols_.count) {
    return LineError("expected " + std::to_string(cols_.count) + " comma-separated fields, got " +
                     std::to_string(f.size()));
  }
  double time = 0;
  if (cols_.datetime) {
    const std::optional<double> t = ParseDateTime(f[cols_.arrival]);
    if (!t) return LineError("'" + f[cols_.arrival] + "' is not a date-time");
    if (!time_origin_) time_origin_ = *t;
    time = *t - *time_origin_;
  } else if (!ParseDouble(f[cols_.arrival], &time)) {
    return LineError("arrival '" + f[cols_.arrival] + "' is not a number");
  }
  double in = 0, out = 0;
  if (!ParseDouble(f[cols_.input], &in) || !TokenCount(in, &r->input_tokens)) {
    return LineError("input tokens '" + f[cols_.input] + "' is not an integer of at most " +
                     std::to_string(kMaxSequenceTokens));
  }
  if (!ParseDouble(f[cols_.output], &out) || !TokenCount(out, &r->output_tokens)) {
    return LineError("output tokens '" + f[cols_.output] + "' is not an integer of at most " +
                     std::to_string(kMaxSequenceTokens));
  }
  if (cols_.session >= 0 && !f[cols_.session].empty()) r->session = HashLabel(f[cols_.session]);
  if (cols_.prefix >= 0 && !f[cols_.prefix].empty()) r->prefix_id = HashLabel(f[cols_.prefix]);
  if (cols_.prefix_tokens >= 0 && !f[cols_.prefix_tokens].empty()) {
    double p = 0;
    if (!ParseDouble(f[cols_.prefix_tokens], &p) || !TokenCount(p, &r->prefix_tokens)) {
      return LineError("prefix_tokens '" + f[cols_.prefix_tokens] +
                       "' is not an integer of at most " + std::to_string(kMaxSequenceTokens));
    }
  }
  return Check(r, time);
}

Status TraceSource::ParseJson(const std::string& line, Request* r) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    return LineError("malformed JSON");
  }
  if (!j.is_object()) return LineError("expected a JSON object");
  auto find = [&](const char* const* keys, size_t n) -> const nlohmann::json* {
    for (size_t i = 0; i < n; ++i) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (ToLower(it.key()) == keys[i]) return &*it;
      }
    }
    return nullptr;
  };
  const nlohmann::json* a = find(kArrivalKeys, 4);
  const nlohmann::json* in = find(kInputKeys, 4);
  const nlohmann::json* out = find(kOutputKeys, 4);
  if (!a || !in || !out) {
    return LineError(
        "needs arrival_s, input_tokens and output_tokens (or the Vidur or Azure "
        "names)");
  }
  double time = 0;
  if (a->is_string()) {
    const std::optional<double> t = ParseDateTime(a->get<std::string>());
    if (!t) return LineError("'" + a->get<std::string>() + "' is not a date-time");
    if (!time_origin_) time_origin_ = *t;
    time = *t - *time_origin_;
  } else if (a->is_number()) {
    time = a->get<double>();
  } else {
    return LineError("the arrival time is not a number");
  }
  auto integer = [&](const nlohmann::json& v, const char* what, int64_t* dst) -> Status {
    if (!v.is_number() || !TokenCount(v.get<double>(), dst)) {
      return LineError(std::string(what) + " is not an integer of at most " +
                       std::to_string(kMaxSequenceTokens));
    }
    return Status::Ok();
  };
  PERFTCO_RETURN_IF_ERROR(integer(*in, "input tokens", &r->input_tokens));
  PERFTCO_RETURN_IF_ERROR(integer(*out, "output tokens", &r->output_tokens));
  auto label = [](const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  if (j.contains("session_id") && !j["session_id"].is_null()) {
    r->session = HashLabel(label(j["session_id"]));
  }
  if (j.contains("prefix_id") && !j["prefix_id"].is_null()) {
    r->prefix_id = HashLabel(label(j["prefix_id"]));
  }
  if (j.contains("prefix_tokens")) {
    PERFTCO_RETURN_IF_ERROR(integer(j["prefix_tokens"], "prefix_tokens", &r->prefix_tokens));
  }
  return Check(r, time);
}

Result<bool> TraceSource::ReadNext() {
  if (max_requests_ > 0 && issued_ >= max_requests_) return false;
  std::string line;
  while (true) {
    if (!first_line_.empty()) {
      line.swap(first_line_);
      first_line_.clear();
    } else if (!std::getline(in_, line)) {
      return false;
    }
    ++line_;
    if (!Trim(line).empty()) break;
  }
  Request r;
  r.id = static_cast<uint64_t>(issued_);
  PERFTCO_RETURN_IF_ERROR(jsonl_ ? ParseJson(line, &r) : ParseCsv(line, &r));
  next_ = r;
  return true;
}

Result<std::optional<Seconds>> TraceSource::PeekTime() {
  if (!next_ && !ended_) {
    PERFTCO_ASSIGN_OR_RETURN(bool got, ReadNext());
    if (!got) ended_ = true;
  }
  if (!next_) return std::optional<Seconds>();
  return std::optional<Seconds>(next_->arrival);
}

Request TraceSource::Pop() {
  Request r = *next_;
  next_.reset();
  ++issued_;
  return r;
}

std::string TraceSource::Where(const Request& r) const {
  return path_ + ":" + std::to_string(r.line);
}

}  // namespace perftco::workload
