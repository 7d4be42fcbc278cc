#include "engine/simulator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace perftco::engine {
namespace {

// Records (time, tag) of every event it gets, and reschedules itself a few times.
class Recorder : public Actor {
 public:
  explicit Recorder(std::vector<std::pair<double, uint64_t>>* log) : log_(log) {}
  Status OnEvent(Simulator& sim, uint64_t tag) override {
    log_->push_back({sim.now().value(), tag});
    if (tag == 100) sim.Schedule(sim.now() + Seconds(0.5), this, 101);
    if (tag == 666) return Status::Error("actor failed");
    return Status::Ok();
  }

 private:
  std::vector<std::pair<double, uint64_t>>* log_;
};

TEST(Simulator, RunsEventsInTimeOrderAndTiesInSchedulingOrder) {
  std::vector<std::pair<double, uint64_t>> log;
  Recorder a(&log), b(&log);
  Simulator sim;
  sim.Schedule(Seconds(2.0), &a, 1);
  sim.Schedule(Seconds(1.0), &b, 2);
  sim.Schedule(Seconds(1.0), &a, 3);
  sim.Schedule(Seconds(0.0), &b, 100);  // schedules 101 at 0.5
  ASSERT_TRUE(sim.Run().ok());
  const std::vector<std::pair<double, uint64_t>> want = {
      {0.0, 100}, {0.5, 101}, {1.0, 2}, {1.0, 3}, {2.0, 1}};
  EXPECT_EQ(log, want);
  EXPECT_EQ(sim.events_processed(), 5);
  EXPECT_DOUBLE_EQ(sim.now().value(), 2.0);
}

TEST(Simulator, AnActorErrorStopsTheRunAndIsReturned) {
  std::vector<std::pair<double, uint64_t>> log;
  Recorder a(&log);
  Simulator sim;
  sim.Schedule(Seconds(1.0), &a, 666);
  sim.Schedule(Seconds(2.0), &a, 1);
  const Status st = sim.Run();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "actor failed");
  EXPECT_EQ(log.size(), 1u);
}

class Counter : public EngineObserver {
 public:
  void AfterEvent(const Simulator& sim) override { last = sim.now().value(), ++n; }
  double last = -1;
  int n = 0;
};

TEST(Simulator, ObserversSeeEveryEventAndTwoSimulatorsAreIndependent) {
  std::vector<std::pair<double, uint64_t>> log1, log2;
  Recorder a(&log1), b(&log2);
  Simulator s1, s2;
  Counter c;
  s1.AddObserver(&c);
  s1.Schedule(Seconds(3.0), &a, 7);
  s2.Schedule(Seconds(9.0), &b, 8);
  ASSERT_TRUE(s1.Run().ok());
  EXPECT_EQ(c.n, 1);
  EXPECT_DOUBLE_EQ(c.last, 3.0);
  EXPECT_EQ(s2.pending(), 1u);
  ASSERT_TRUE(s2.Run().ok());
  EXPECT_EQ(log2.size(), 1u);
}

}  // namespace
}  // namespace perftco::engine
