// Replicas behind routers, fed by a request source, on one discrete-event engine: the run behind
// RunSimulation. With disaggregation the first replicas only prefill and hand each prompt's KV to
// a decode replica over the network; the two pools may have layouts of their own.
#ifndef PERFTCO_SRC_SERVING_CLUSTER_H_
#define PERFTCO_SRC_SERVING_CLUSTER_H_

#include <memory>
#include <vector>

#include "engine/simulator.h"
#include "perftco/collectives.h"
#include "perftco/simulate.h"
#include "serving/metrics.h"
#include "serving/replica.h"
#include "serving/router.h"
#include "serving/step_timer.h"

namespace perftco::serving {

class Cluster : public ReplicaHost {
 public:
  // `cost`, `source` and the observers are borrowed for the life of the cluster. With
  // `decode_cost` the cluster is disaggregated into cost.plan().replicas prefill replicas and
  // decode_cost->plan().replicas decode replicas, each pool costed by its own model.
  static Result<std::unique_ptr<Cluster>> Make(const CostModel& cost, const ServingOptions& o,
                                               RequestSource& source,
                                               std::vector<SimObserver*> observers,
                                               const CostModel* decode_cost = nullptr);
  Result<SimulationSummary> Run();

  Status OnFinished(int replica, const Sequence& s, double t) override;
  Status OnHandoff(int replica, int slot, const Sequence& s, double t) override;
  void OnPreempted(int replica, const Sequence& s, double t) override;
  void OnResumeGap(double gap) override { metrics_.ResumeGap(gap); }
  void OnSegment(const ReplicaSegment& segment) override;
  void OnWaitingChanged(int delta, double t) override { metrics_.WaitingChanged(delta, t); }

 private:
  // Pulls requests from the source at their arrival times and routes them.
  class Arrivals : public engine::Actor {
   public:
    explicit Arrivals(Cluster* c) : c_(c) {}
    Status OnEvent(engine::Simulator& sim, uint64_t tag) override;
    // Schedules the next arrival if it is earlier than the one scheduled.
    Status Poke(double now);

   private:
    Cluster* c_;
    uint64_t version_ = 0;
    double scheduled_ = -1;  // time of the live event; < 0 when none
  };
  // Completes KV transfers from prefill to decode replicas.
  class Transfers : public engine::Actor {
   public:
    explicit Transfers(Cluster* c) : c_(c) {}
    Status OnEvent(engine::Simulator& sim, uint64_t tag) override;

   private:
    Cluster* c_;
  };
  struct Transfer {
    int from = -1, to = -1, slot = -1;
    double bytes = 0;
  };
  class Progress : public engine::EngineObserver {
   public:
    explicit Progress(Cluster* c) : c_(c) {}
    void AfterEvent(const engine::Simulator& sim) override;

   private:
    Cluster* c_;
  };

  // One pool of replicas that share a layout: all of them when aggregated.
  struct Pool {
    const CostModel* cost = nullptr;
    StepTimer* timer = nullptr;
    std::vector<Replica*> replicas;
    int first_replica = 0;
    int chips_per_replica = 0;
    int first_chip = 0;  // chips are numbered pool by pool, replica by replica
    int64_t blocks = 0;  // per replica
    int64_t kv_token_capacity = 0;
    double kv_bytes_per_token_per_chip = 0;
    double busy_seconds = 0;  // summed over its replicas
  };

  Cluster(const CostModel& cost, const ServingOptions& o, RequestSource& source,
          std::vector<SimObserver*> observers, const CostModel* decode_cost);
  Status Route(const Request& r, double now);
  // Sizes `pool`'s KV cache; fails when none is left.
  static Status SizePool(const CostModel& cost, int block_size, Pool* pool);
  bool disaggregated() const { return o_.prefill_replicas > 0 || decode_cost_ != nullptr; }
  const Pool& PoolOf(int replica) const {
    return replica >= decode_.first_replica && disaggregated() ? decode_ : prefill_;
  }
  // Whether a KV transfer from replica `from` to `to` leaves one scale-up domain.
  bool Crosses(int from, int to) const;

  const CostModel& cost_;
  ServingOptions o_;
  RequestSource& source_;
  std::vector<SimObserver*> observers_;
  const CostModel* decode_cost_;
  engine::Simulator sim_;
  StepTimer timer_;
  std::unique_ptr<StepTimer> decode_timer_;
  CollectiveModel network_;
  MetricsCollector metrics_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  Pool prefill_, decode_;  // aggregated: every replica is in prefill_
  std::unique_ptr<Router> router_, decode_router_;
  Arrivals arrivals_{this};
  Transfers transfers_{this};
  Progress progress_{this};
  std::vector<Transfer> transfer_slots_;
  std::vector<uint64_t> free_transfers_;
  std::vector<double> link_free_;  // per replica: when its network links are next idle
  int64_t token_budget_ = 0;
  double transfer_seconds_ = 0, transfer_wait_ = 0;
  int64_t transfer_count_ = 0;
};

}  // namespace perftco::serving

#endif  // PERFTCO_SRC_SERVING_CLUSTER_H_
