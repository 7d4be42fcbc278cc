#include "engine/log_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace perftco::engine {
namespace {
constexpr int kBucketsPerOctave = 1 << 10;
}

int LogHistogram::Index(double v) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  int mantissa = static_cast<int>((bits >> (52 - kMantissaBits)) & (kBucketsPerOctave - 1));
  if (exponent < kMinExponent) {
    exponent = kMinExponent;
    mantissa = 0;
  }
  if (exponent > kMaxExponent) {
    exponent = kMaxExponent;
    mantissa = kBucketsPerOctave - 1;
  }
  return (exponent - kMinExponent) * kBucketsPerOctave + mantissa;
}

double LogHistogram::Lower(int index) {
  const int exponent = index / kBucketsPerOctave + kMinExponent;
  const int mantissa = index % kBucketsPerOctave;
  return std::ldexp(1.0 + static_cast<double>(mantissa) / kBucketsPerOctave, exponent);
}

void LogHistogram::Add(double value, double weight) {
  if (!(weight > 0.0)) return;
  value = std::max(0.0, value);
  if (count_ == 0.0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += weight;
  sum_ += value * weight;
  if (value == 0.0) {
    zeros_ += weight;
    return;
  }
  if (buckets_.empty()) {
    buckets_.assign(static_cast<size_t>(kMaxExponent - kMinExponent + 1) * kBucketsPerOctave, 0.0);
  }
  buckets_[static_cast<size_t>(Index(value))] += weight;
}

double LogHistogram::Quantile(double q) const {
  if (count_ <= 0.0) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  if (q == 0.0) return min_;
  if (q == 1.0) return max_;
  const double rank = q * count_;
  double seen = zeros_;
  if (rank <= seen) return 0.0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    const double c = buckets_[i];
    if (c <= 0.0) continue;
    if (seen + c >= rank) {
      const double lo = Lower(static_cast<int>(i));
      const double hi = Lower(static_cast<int>(i) + 1);
      const double v = lo + (hi - lo) * (rank - seen) / c;
      return std::clamp(v, min_, max_);
    }
    seen += c;
  }
  return max_;
}

}  // namespace perftco::engine
