// Distributions of token counts (prompt lengths, output lengths, turns per session), by name.
#ifndef PERFTCO_SRC_WORKLOAD_LENGTH_DISTRIBUTION_H_
#define PERFTCO_SRC_WORKLOAD_LENGTH_DISTRIBUTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "perftco/random.h"
#include "perftco/status.h"
#include "perftco/workload.h"

namespace perftco::workload {

class LengthDistribution {
 public:
  virtual ~LengthDistribution() = default;
  // A draw, at least 1.
  virtual int64_t Sample(Rng& rng) const = 0;
  // The largest value it can return, or 0 when unbounded (normal, lognormal).
  virtual int64_t Max() const = 0;
  virtual double Mean() const = 0;
};

// Parses "fixed:N" (or just "N"), "uniform:LO:HI", "normal:MEAN:SD", "lognormal:MEAN:SD"
// (the mean and standard deviation of the lengths themselves) or "empirical:FILE" (one length
// per line, drawn uniformly). `what` names the option in errors ("--input-len").
Result<std::unique_ptr<LengthDistribution>> ParseLengthDistribution(const std::string& spec,
                                                                    const std::string& what);

// The table behind ParseLengthDistribution, for --help.
const std::vector<NamedEntry>& LengthDistributionTable();

}  // namespace perftco::workload

#endif  // PERFTCO_SRC_WORKLOAD_LENGTH_DISTRIBUTION_H_
