// A site with a power budget: consolidate an old CPU fleet onto newer servers of equal total
// throughput, and fill the freed and the remaining power with AI systems.
//
// Power conservation holds by construction: new CPU fleet + AI systems + unused = budget, all in
// facility power (IT power x PUE). Equations: docs/models/economics.md.
#ifndef PERFTCO_DATACENTER_H_
#define PERFTCO_DATACENTER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "perftco/economics_data.h"
#include "perftco/hardware.h"
#include "perftco/status.h"
#include "perftco/tco.h"
#include "perftco/units.h"

namespace perftco {

struct SiteSpec {
  Watts budget;  // facility power the site may draw
  double pue = 1.0;
};

// `count` servers of one configuration; the configuration's per_core_perf must be known.
struct CpuFleet {
  CpuServerSpec server;
  int64_t count = 0;
};

// The largest fleet of `server` the site can power: floor(budget / (power x PUE)).
int64_t FleetFillingSite(const SiteSpec& site, const CpuServerSpec& server);

// One AI system (a server or rack) as the site sees it.
struct AiSystemSpec {
  std::string hardware;
  int chips_per_system = 1;
  Watts it_power_per_system;                // maximum, provisioned
  double output_tokens_per_s_per_chip = 0;  // at the workload and SLO chosen
  std::optional<Dollars> owned_per_chip_hour;
};

// The system unit of `hw` with the chip's economics: the chips of the price file's system power
// entry (an 8-GPU server, a 72-GPU rack), else one scale-up domain. Fails when the chip's power
// is unknown.
Result<AiSystemSpec> AiSystemOf(const Hardware& hw, const EconomicsData& data,
                                const ChipEconomics& chip, double output_tokens_per_s_per_chip);

struct SitePlan {
  int64_t old_count = 0;
  int64_t new_count = 0;
  double per_core_ratio = 0;       // new per-core performance / old
  double old_servers_per_new = 0;  // consolidation ratio
  Watts old_it, new_it;
  Watts old_facility, new_facility;
  Watts freed_facility;          // old_facility - new_facility
  Watts remaining_facility;      // budget - old_facility (unused before consolidation)
  Watts ai_budget;               // budget - new_facility
  int64_t systems_in_freed = 0;  // AI systems the freed power alone would hold
  int64_t systems_in_remaining = 0;
  int64_t systems_total = 0;              // in all of ai_budget (>= the two above together)
  Watts ai_facility;                      // systems_total x IT power x PUE
  Watts unused_facility;                  // budget - new_facility - ai_facility
  double output_tokens_per_s = 0;         // of all AI systems
  std::optional<Dollars> ai_yearly_cost;  // owned TCO of the AI chips for 8760 hours
};

// Replaces `old_fleet` by `replacement` servers of at least equal total throughput (cores x
// per-core performance), then fits `ai` systems into the power left. Errors: a fleet that does
// not fit the budget, unknown per-core performance, non-positive sizes or PUE below 1.
Result<SitePlan> PlanSite(const SiteSpec& site, const CpuFleet& old_fleet,
                          const CpuServerSpec& replacement, const AiSystemSpec& ai);

}  // namespace perftco

#endif  // PERFTCO_DATACENTER_H_
