#include "serving/kv_cache.h"

#include <cassert>

namespace perftco::serving {

void KvCache::Allocate(int64_t n) {
  assert(n <= free());
  used_ += n;
  // Empty blocks first; then evict the least recently released cached blocks.
  while (total_ - used_ - static_cast<int64_t>(lru_.size()) < 0) {
    table_.erase(lru_.front());
    lru_.pop_front();
  }
}

bool KvCache::Contains(uint64_t key, bool* evictable) const {
  const auto it = table_.find(key);
  if (it == table_.end()) return false;
  if (evictable) *evictable = it->second.refs == 0;
  return true;
}

void KvCache::Acquire(uint64_t key) {
  Entry& e = table_.at(key);
  if (e.refs == 0) {
    lru_.erase(e.lru);
    ++used_;
  }
  ++e.refs;
}

void KvCache::ReleaseCached(uint64_t key) {
  Entry& e = table_.at(key);
  assert(e.refs > 0);
  if (--e.refs == 0) {
    --used_;
    e.lru = lru_.insert(lru_.end(), key);
  }
}

bool KvCache::Register(uint64_t key) {
  auto it = table_.find(key);
  if (it == table_.end()) {
    table_.emplace(key, Entry{1, lru_.end()});
    return true;
  }
  Release(1);
  Acquire(key);
  return false;
}

}  // namespace perftco::serving
