#include "serving/router.h"

#include "perftco/names.h"
#include "perftco/random.h"

namespace perftco::serving {
namespace {

class RoundRobin : public Router {
 public:
  size_t Pick(const Request&, const std::vector<Replica*>& pool, double) override {
    return next_++ % pool.size();
  }

 private:
  size_t next_ = 0;
};

// The replica with the smallest load; ties go to the first one after the previous pick, so that
// an idle cluster is filled evenly rather than from replica 0.
template <typename Load>
size_t LeastLoaded(const std::vector<Replica*>& pool, size_t* start, Load load) {
  size_t best = *start % pool.size();
  auto best_load = load(*pool[best]);
  for (size_t i = 1; i < pool.size(); ++i) {
    const size_t j = (*start + i) % pool.size();
    const auto l = load(*pool[j]);
    if (l < best_load) {
      best = j;
      best_load = l;
    }
  }
  *start = best + 1;
  return best;
}

class LeastOutstanding : public Router {
 public:
  size_t Pick(const Request&, const std::vector<Replica*>& pool, double) override {
    return LeastLoaded(pool, &start_, [](const Replica& r) { return r.outstanding(); });
  }

 private:
  size_t start_ = 0;
};

class LeastKv : public Router {
 public:
  size_t Pick(const Request&, const std::vector<Replica*>& pool, double now) override {
    return LeastLoaded(pool, &start_, [now](const Replica& r) {
      return std::make_pair(r.KvLoad(now), r.outstanding());
    });
  }

 private:
  size_t start_ = 0;
};

// Every turn of a session to the same replica, so its prefix cache holds the conversation;
// requests without a session go to the least-outstanding replica.
class PrefixAffinity : public Router {
 public:
  size_t Pick(const Request& r, const std::vector<Replica*>& pool, double now) override {
    if (r.session != 0) return Mix64(r.session) % pool.size();
    return fallback_.Pick(r, pool, now);
  }

 private:
  LeastOutstanding fallback_;
};

template <typename T>
std::unique_ptr<Router> Make() {
  return std::make_unique<T>();
}

}  // namespace

const std::vector<RouterEntry>& RouterTable() {
  static const std::vector<RouterEntry> kTable = {
      {"round-robin", "replicas in turn", Make<RoundRobin>},
      {"least-outstanding", "the replica with the fewest unfinished requests",
       Make<LeastOutstanding>},
      {"least-kv", "the replica with the least KV cache in use", Make<LeastKv>},
      {"prefix-affinity",
       "all turns of a session to one replica (by session hash), others least-outstanding",
       Make<PrefixAffinity>},
  };
  return kTable;
}

Result<std::unique_ptr<Router>> MakeRouter(const std::string& name) {
  std::vector<std::string> names;
  for (const RouterEntry& e : RouterTable()) {
    if (e.name == ToLower(name)) return e.make();
    names.push_back(e.name);
  }
  return Status::Error("unknown router '" + name + "': did you mean '" +
                       ClosestNames(name, names, 1).front() + "'? (" + JoinNames(names) + ")");
}

}  // namespace perftco::serving
