// Routers: which replica of a pool gets a request, registered by name.
#ifndef PERFTCO_SRC_SERVING_ROUTER_H_
#define PERFTCO_SRC_SERVING_ROUTER_H_

#include <memory>
#include <string>
#include <vector>

#include "perftco/status.h"
#include "perftco/workload.h"
#include "serving/replica.h"

namespace perftco::serving {

class Router {
 public:
  virtual ~Router() = default;
  // An index into `pool` (not empty), from the replicas' state at `now`.
  virtual size_t Pick(const Request& r, const std::vector<Replica*>& pool, double now) = 0;
};

struct RouterEntry {
  const char* name;
  const char* description;
  std::unique_ptr<Router> (*make)();
};

const std::vector<RouterEntry>& RouterTable();
// Errors: unknown name, with the closest.
Result<std::unique_ptr<Router>> MakeRouter(const std::string& name);

}  // namespace perftco::serving

#endif  // PERFTCO_SRC_SERVING_ROUTER_H_
