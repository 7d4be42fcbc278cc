#include "serving/kv_cache.h"

#include <gtest/gtest.h>

namespace perftco::serving {
namespace {

TEST(KvCache, CountsPrivateBlocks) {
  KvCache kv(10, false);
  kv.Allocate(4);
  EXPECT_EQ(kv.used(), 4);
  EXPECT_EQ(kv.free(), 6);
  kv.Release(3);
  EXPECT_EQ(kv.free(), 9);
}

TEST(KvCache, ReleasedCachedBlocksStayFindableUntilEvictedLeastRecentlyReleasedFirst) {
  KvCache kv(4, true);
  kv.Allocate(3);
  EXPECT_TRUE(kv.Register(101));
  EXPECT_TRUE(kv.Register(102));
  EXPECT_TRUE(kv.Register(103));
  kv.ReleaseCached(102);
  kv.ReleaseCached(101);
  kv.ReleaseCached(103);
  EXPECT_EQ(kv.used(), 0);
  EXPECT_EQ(kv.free(), 4);  // evictable blocks count as free
  EXPECT_EQ(kv.evictable(), 3);
  bool evictable = false;
  EXPECT_TRUE(kv.Contains(101, &evictable));
  EXPECT_TRUE(evictable);
  kv.Allocate(2);  // one empty block, then evicts 102 (released first)
  EXPECT_FALSE(kv.Contains(102, nullptr));
  EXPECT_TRUE(kv.Contains(101, nullptr));
  EXPECT_TRUE(kv.Contains(103, nullptr));
  kv.Acquire(103);  // a hit takes it out of the evictable pool
  EXPECT_EQ(kv.used(), 3);
  kv.Allocate(1);  // evicts 101
  EXPECT_FALSE(kv.Contains(101, nullptr));
  EXPECT_EQ(kv.free(), 0);
}

TEST(KvCache, RegisteringContentThatIsAlreadyCachedSharesTheBlock) {
  KvCache kv(8, true);
  kv.Allocate(2);
  EXPECT_TRUE(kv.Register(7));
  EXPECT_FALSE(kv.Register(7));  // the second copy is given back
  EXPECT_EQ(kv.used(), 1);
  kv.ReleaseCached(7);
  EXPECT_EQ(kv.used(), 1);
  kv.ReleaseCached(7);
  EXPECT_EQ(kv.used(), 0);
  EXPECT_EQ(kv.evictable(), 1);
}

}  // namespace
}  // namespace perftco::serving
