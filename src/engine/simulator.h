// The discrete-event engine: a simulated clock, an event queue and a run loop.
//
// The engine knows only time and events. Models (replicas, arrival processes) are Actors that
// schedule events for themselves and handle them when the clock reaches them. A Simulator is a
// value: construct one per run; many may run at once on different threads (none is shared).
#ifndef PERFTCO_SRC_ENGINE_SIMULATOR_H_
#define PERFTCO_SRC_ENGINE_SIMULATOR_H_

#include <cstdint>
#include <vector>

#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco::engine {

class Simulator;

// Something that receives events.
class Actor {
 public:
  virtual ~Actor() = default;
  // Handles the event `tag` that this actor scheduled, at sim.now(). An error stops the run and
  // Run() returns it. Actors cancel an event by ignoring a stale tag (a version they outgrew).
  virtual Status OnEvent(Simulator& sim, uint64_t tag) = 0;
};

// Told after every event; for progress reporting and engine-level statistics.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void AfterEvent(const Simulator& sim) = 0;
};

class Simulator {
 public:
  Simulator() = default;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  Seconds now() const { return Seconds(now_); }
  // Schedules `tag` for `actor` (borrowed; must outlive the run) at `at`, which must not lie in
  // the past. Events at the same time run in the order they were scheduled.
  void Schedule(Seconds at, Actor* actor, uint64_t tag);
  // Runs events in time order until none is left, Stop() is called, or an actor fails.
  Status Run();
  // Makes Run() return after the current event.
  void Stop() { stopped_ = true; }

  void AddObserver(EngineObserver* observer) { observers_.push_back(observer); }
  int64_t events_processed() const { return events_; }
  size_t pending() const { return heap_.size(); }

 private:
  struct Event {
    double time;
    uint64_t seq;
    Actor* actor;
    uint64_t tag;
  };
  // Min-heap order: earlier time first, then earlier scheduling.
  static bool Later(const Event& a, const Event& b) {
    return a.time > b.time || (a.time == b.time && a.seq > b.seq);
  }

  std::vector<Event> heap_;
  std::vector<EngineObserver*> observers_;
  double now_ = 0.0;
  uint64_t next_seq_ = 0;
  int64_t events_ = 0;
  bool stopped_ = false;
};

}  // namespace perftco::engine

#endif  // PERFTCO_SRC_ENGINE_SIMULATOR_H_
