// The paged KV cache of one replica: a pool of fixed-size blocks, and, with prefix caching, a
// table of blocks keyed by the hash of their content with LRU eviction (vLLM's design).
#ifndef PERFTCO_SRC_SERVING_KV_CACHE_H_
#define PERFTCO_SRC_SERVING_KV_CACHE_H_

#include <cstdint>
#include <list>
#include <unordered_map>

namespace perftco::serving {

// Blocks are private (held by one sequence, no identity) or cached (identified by a content
// key, shared by reference count). A cached block nobody references stays in the table as
// evictable and still counts as free: allocation evicts the least recently released one first.
// Not thread-safe; one per replica.
class KvCache {
 public:
  KvCache(int64_t total_blocks, bool prefix_caching)
      : total_(total_blocks), prefix_caching_(prefix_caching) {}

  int64_t total() const { return total_; }
  int64_t used() const { return used_; }           // referenced blocks, private or cached
  int64_t free() const { return total_ - used_; }  // empty + evictable
  bool prefix_caching() const { return prefix_caching_; }
  int64_t cached() const { return static_cast<int64_t>(table_.size()); }
  int64_t evictable() const { return static_cast<int64_t>(lru_.size()); }

  // Takes `n` private blocks (n <= free()), evicting LRU cached blocks as needed.
  void Allocate(int64_t n);
  // Gives back `n` private blocks.
  void Release(int64_t n) { used_ -= n; }

  // Prefix caching. Whether `key` is cached, and whether it is evictable (unreferenced, so that
  // acquiring it takes one block out of free()).
  bool Contains(uint64_t key, bool* evictable) const;
  // References a cached block (must be Contains()).
  void Acquire(uint64_t key);
  // Drops a reference; the last one makes the block evictable (most recently used end).
  void ReleaseCached(uint64_t key);
  // Gives one private block, now full with content `key`, an identity. Returns true if it became
  // a cached block (still referenced by its sequence); false if `key` was already cached: then
  // the private block is given back and the existing block referenced instead (deduplication).
  bool Register(uint64_t key);

 private:
  struct Entry {
    int64_t refs = 0;
    std::list<uint64_t>::iterator lru;  // valid when refs == 0
  };
  int64_t total_;
  bool prefix_caching_;
  int64_t used_ = 0;
  std::unordered_map<uint64_t, Entry> table_;
  std::list<uint64_t> lru_;  // evictable keys, least recently released first
};

}  // namespace perftco::serving

#endif  // PERFTCO_SRC_SERVING_KV_CACHE_H_
