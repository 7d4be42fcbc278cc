// A seeded random generator with its own distribution code, so that a seed gives the same numbers
// on every platform and standard library (std:: distributions are implementation-defined).
#ifndef PERFTCO_RANDOM_H_
#define PERFTCO_RANDOM_H_

#include <cstdint>

namespace perftco {

// xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/), its state filled by splitmix64
// from (seed, stream): different streams of one seed are independent sequences, so that changing
// how many numbers one part of a workload draws does not shift the others.
class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0);

  uint64_t NextU64();
  double Uniform();      // [0, 1), 53 random bits
  double UniformOpen();  // (0, 1)
  // Integer uniform in [lo, hi] (inclusive), without modulo bias.
  int64_t UniformInt(int64_t lo, int64_t hi);
  double Exponential(double rate);  // mean 1 / rate
  double Normal();                  // standard normal (Marsaglia polar method)
  // Gamma(shape, scale 1): Marsaglia and Tsang (2000), ACM TOMS 26(3); shape < 1 by the
  // boost Gamma(shape + 1) x U^(1 / shape).
  double Gamma(double shape);
  double Beta(double a, double b);  // Gamma(a) / (Gamma(a) + Gamma(b))
  bool Bernoulli(double p) { return Uniform() < p; }

 private:
  uint64_t s_[4];
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

// splitmix64 finaliser: a good 64-bit mix, also used to hash KV blocks.
uint64_t Mix64(uint64_t x);

}  // namespace perftco

#endif  // PERFTCO_RANDOM_H_
