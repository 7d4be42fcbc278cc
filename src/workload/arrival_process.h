// Open-loop arrival processes: the gaps between request (or session) arrivals, by name.
#ifndef PERFTCO_SRC_WORKLOAD_ARRIVAL_PROCESS_H_
#define PERFTCO_SRC_WORKLOAD_ARRIVAL_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "perftco/random.h"
#include "perftco/status.h"
#include "perftco/workload.h"

namespace perftco::workload {

class ArrivalProcess {
 public:
  virtual ~ArrivalProcess() = default;
  // Seconds until the next arrival.
  virtual double NextGap(Rng& rng) = 0;
};

// "poisson" (exponential gaps), "gamma" (gamma gaps with coefficient of variation `cv`: cv > 1
// is burstier than Poisson, cv < 1 smoother, cv = 1 is Poisson) or "constant" (equal gaps), at
// `rate` arrivals per second. "closed" is listed in the table but is not open-loop: the source
// handles it. Errors: unknown name (with the closest), non-positive rate or cv.
Result<std::unique_ptr<ArrivalProcess>> MakeArrivalProcess(const std::string& name, double rate,
                                                           double cv);

const std::vector<NamedEntry>& ArrivalProcessTable();

}  // namespace perftco::workload

#endif  // PERFTCO_SRC_WORKLOAD_ARRIVAL_PROCESS_H_
