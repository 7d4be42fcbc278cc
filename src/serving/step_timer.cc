#include "serving/step_timer.h"

#include <algorithm>
#include <cmath>

namespace perftco::serving {

double StepTimer::Time(const BatchShape& shape) {
  ++evaluations_;
  const StepCost c = cost_.Step(shape);
  double t = c.time.value();
  // Speculative decoding: a verification step advances each decode sequence by
  // tokens_per_decode_seq tokens on average, the simulator by one; so the decode part of a step
  // is charged per token, and the prefill part of a mixed step in full.
  const double tau = c.tokens_per_decode_seq;
  if (tau > 1 && shape.decode_seqs > 0) {
    double decode_part = t;
    if (shape.prefill_tokens > 0) {
      BatchShape d;
      d.decode_seqs = shape.decode_seqs;
      d.decode_ctx_sum = shape.decode_ctx_sum;
      ++evaluations_;
      decode_part = std::min(t, cost_.Step(d).time.value());
    }
    t -= decode_part * (1.0 - 1.0 / tau);
  }
  return t;
}

double StepTimer::Decode(int64_t n, double ctx_sum) {
  BatchShape s;
  s.decode_seqs = n;
  s.decode_ctx_sum = ctx_sum;
  return Time(s);
}

bool StepTimer::Verify(int64_t n, double lo, double hi, Line* out) {
  const double f0 = Decode(n, lo);
  if (hi <= lo) {
    *out = Line{lo, lo, f0, 0.0};
    return true;
  }
  const double f1 = Decode(n, hi);
  const double b = (f1 - f0) / (hi - lo);
  const double a = f0 - b * lo;
  for (double frac : {0.25, 0.5, 0.75}) {
    const double x = lo + (hi - lo) * frac;
    const double f = Decode(n, x);
    if (std::abs(f - (a + b * x)) > kLinearTolerance * std::abs(f)) return false;
  }
  *out = Line{lo, hi, a, b};
  return true;
}

void StepTimer::DecodeLine(int64_t n, double c0, int64_t* k, double* t0, double* dt) {
  if (static_cast<size_t>(n) >= lines_.size()) lines_.resize(static_cast<size_t>(n) + 1);
  Line& cached = lines_[static_cast<size_t>(n)];
  const double step = static_cast<double>(n);
  double x1 = c0 + step * static_cast<double>(*k - 1);
  const bool have = cached.hi >= cached.lo;
  if (!(have && c0 >= cached.lo && x1 <= cached.hi)) {
    Line fresh;
    bool ok = false;
    if (have) {
      // Extend the verified piece over the union; keep it only if it is the same line.
      const double lo = std::min(c0, cached.lo), hi = std::max(x1, cached.hi);
      if (Verify(n, lo, hi, &fresh)) {
        const double scale = std::max(std::abs(cached.a + cached.b * cached.hi), 1e-30);
        ok = std::abs((fresh.a + fresh.b * cached.lo) - (cached.a + cached.b * cached.lo)) <=
                 kLinearTolerance * scale &&
             std::abs((fresh.a + fresh.b * cached.hi) - (cached.a + cached.b * cached.hi)) <=
                 kLinearTolerance * scale;
      }
    }
    // Otherwise this window alone, halved until it is one piece. One or two steps need no
    // check (two points define a line); they are not worth caching.
    while (!ok) {
      if (*k <= 2) {
        const double f0 = Decode(n, c0);
        const double f1 = *k == 2 ? Decode(n, x1) : f0;
        *t0 = f0;
        *dt = f1 - f0;
        return;
      }
      if (Verify(n, c0, x1, &fresh)) break;
      *k = (*k + 1) / 2;
      x1 = c0 + step * static_cast<double>(*k - 1);
    }
    cached = fresh;
  }
  *t0 = cached.a + cached.b * c0;
  *dt = cached.b * step;
}

}  // namespace perftco::serving
