#include "perftco/chrome_trace.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "serving/test_support.h"

namespace perftco {
namespace {

using testing::Options;
using testing::SetupFor;
using testing::Simulate;

WorkloadOptions Reasoning(int64_t requests) {
  WorkloadOptions w;
  w.workload = "reasoning";
  w.rate = 0.5;
  w.requests = requests;
  return w;
}

struct Traced {
  nlohmann::json json;
  SimulationSummary summary;
  int64_t events = 0;
  bool truncated = false;
};

Traced Trace(const WorkloadOptions& w, ChromeTraceOptions options) {
  auto setup = SetupFor(Options("llama-3.1-8b", "h100-sxm", 1, 2));
  std::ostringstream out;
  ChromeTraceWriter writer(&out, options);
  auto s = Simulate(*setup->cost, w, ServingOptions(), {&writer});
  EXPECT_TRUE(s.ok()) << s.status().message();
  writer.Finish(*s);
  Traced t;
  t.json = nlohmann::json::parse(out.str());  // throws, failing the test, on invalid JSON
  t.summary = *s;
  t.events = writer.events();
  t.truncated = writer.truncated();
  return t;
}

// Slices per replica track tile the run in time order, every preemption the simulator counted is
// an instant event, and each replica's track is named.
TEST(ChromeTrace, SlicesPreemptionsCountersAndTrackNames) {
  const Traced t = Trace(Reasoning(200), {});
  ASSERT_FALSE(t.truncated);
  ASSERT_GT(t.summary.preemptions, 0);
  std::map<int, double> last_end;
  int64_t slices = 0, preempted = 0, counters = 0, names = 0, steps = 0;
  for (const auto& e : t.json["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "X") {
      const int tid = e["tid"];
      const double ts = e["ts"], dur = e["dur"];  // microseconds, printed to the nanosecond
      EXPECT_GT(dur, 0);
      EXPECT_GE(ts + 0.01, last_end[tid]) << "overlapping slices on replica " << tid;
      last_end[tid] = ts + dur;
      steps += e["args"]["steps"].get<int64_t>();
      ++slices;
    } else if (ph == "i") {
      ++preempted;
    } else if (ph == "C") {
      ++counters;
    } else if (ph == "M" && e["name"] == "thread_name") {
      ++names;
    }
  }
  EXPECT_EQ(last_end.size(), 2u);
  EXPECT_EQ(names, 2);
  EXPECT_EQ(preempted, t.summary.preemptions);
  EXPECT_EQ(counters, 2 * slices);
  EXPECT_EQ(steps, t.summary.steps);
  EXPECT_EQ(t.json["otherData"]["events"], t.events);
  EXPECT_EQ(t.events, slices * 3 + preempted);
}

// Sampling keeps about one segment in K; the cap stops the recording and the file says when.
TEST(ChromeTrace, SamplingAndTheEventCapBoundTheFile) {
  const Traced all = Trace(Reasoning(100), {});
  const Traced sampled = Trace(Reasoning(100), {.sample = 10});
  const auto slices = [](const Traced& t) {
    int64_t n = 0;
    for (const auto& e : t.json["traceEvents"]) n += e["ph"] == "X";
    return n;
  };
  EXPECT_NEAR(static_cast<double>(slices(sampled)), slices(all) / 10.0, 2.0 + 0.05 * slices(all));
  const Traced capped = Trace(Reasoning(100), {.max_events = 100});
  EXPECT_TRUE(capped.truncated);
  EXPECT_LE(capped.events, 100);
  EXPECT_GT(capped.json["otherData"]["truncated_at_s"].get<double>(), 0.0);
  EXPECT_LT(capped.json["otherData"]["truncated_at_s"].get<double>(),
            capped.summary.duration.value());
}

}  // namespace
}  // namespace perftco
