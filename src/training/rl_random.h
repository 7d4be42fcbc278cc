// Seeded random draws whose values are the same on every platform and standard library.
//
// std::mt19937_64's output is fixed by the standard, but the std:: distributions are not, so the
// transforms (uniform, normal, gamma, beta, lognormal) are written out here.
#ifndef PERFTCO_SRC_TRAINING_RL_RANDOM_H_
#define PERFTCO_SRC_TRAINING_RL_RANDOM_H_

#include <cmath>
#include <cstdint>
#include <random>

namespace perftco::rl_random {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // Uniform in (0, 1): 53 random bits, never exactly 0.
  double Uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal by Box-Muller (one value per call; the second is dropped for simplicity).
  double Normal() {
    const double u1 = Uniform();
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 via the boost u^(1/shape).
  double Gamma(double shape) {
    if (shape < 1.0) return Gamma(shape + 1.0) * std::pow(Uniform(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      double x, v;
      do {
        x = Normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = Uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }
  double Beta(double a, double b) {
    const double x = Gamma(a);
    const double y = Gamma(b);
    return x / (x + y);
  }
  bool Bernoulli(double p) { return Uniform() < p; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace perftco::rl_random

#endif  // PERFTCO_SRC_TRAINING_RL_RANDOM_H_
