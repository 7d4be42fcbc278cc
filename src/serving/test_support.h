// Helpers for the serving tests: setups from the repository catalog and hand-made workloads.
#ifndef PERFTCO_SRC_SERVING_TEST_SUPPORT_H_
#define PERFTCO_SRC_SERVING_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "perf/test_fixtures.h"
#include "perftco/setup.h"
#include "perftco/simulate.h"

namespace perftco::testing {

inline std::shared_ptr<Setup> SetupFor(SetupOptions o) {
  auto table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  EXPECT_TRUE(table.ok());
  auto s = BuildSetup(RepoCatalog(), *table, o);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

// The memory fraction that leaves about `tokens` tokens of KV cache per replica.
inline double FractionForKvTokens(const SetupOptions& base, int64_t tokens) {
  auto s = SetupFor(base);
  const MemoryBudget m = s->cost->Memory();
  const double needed = (m.weights + m.activations + m.runtime_reserve).value() +
                        static_cast<double>(tokens) * m.kv_bytes_per_token_per_chip.value();
  return needed / m.hbm.value();
}

// A fixed list of requests, in arrival order.
class ListSource : public RequestSource {
 public:
  explicit ListSource(std::vector<Request> r) : r_(std::move(r)) {
    for (size_t i = 0; i < r_.size(); ++i) r_[i].id = i;
  }
  Result<std::optional<Seconds>> PeekTime() override {
    if (next_ >= r_.size()) return std::optional<Seconds>();
    return std::optional<Seconds>(r_[next_].arrival);
  }
  Request Pop() override { return r_[next_++]; }

 private:
  std::vector<Request> r_;
  size_t next_ = 0;
};

inline Request Req(double t, int64_t in, int64_t out) {
  Request r;
  r.arrival = Seconds(t);
  r.input_tokens = in;
  r.output_tokens = out;
  return r;
}

// Runs a preset or trace workload.
inline Result<SimulationSummary> Simulate(const CostModel& cost, const WorkloadOptions& w,
                                          const ServingOptions& s,
                                          std::vector<SimObserver*> observers = {}) {
  PERFTCO_ASSIGN_OR_RETURN(std::unique_ptr<RequestSource> src,
                           MakeRequestSource(w, LimitsFor(cost)));
  return RunSimulation(cost, s, *src, observers);
}

// Records what observers see.
class Recorder : public SimObserver {
 public:
  void OnArrival(const Request& r, int replica) override { arrivals.push_back({r, replica}); }
  void OnPreempted(const Request& r, int, Seconds) override { preempted.push_back(r.id); }
  void OnFinished(const RequestRecord& r) override { finished.push_back(r); }
  void OnSegment(const ReplicaSegment& s) override { segments.push_back(s); }
  std::vector<std::pair<Request, int>> arrivals;
  std::vector<uint64_t> preempted;
  std::vector<RequestRecord> finished;
  std::vector<ReplicaSegment> segments;
};

}  // namespace perftco::testing

#endif  // PERFTCO_SRC_SERVING_TEST_SUPPORT_H_
