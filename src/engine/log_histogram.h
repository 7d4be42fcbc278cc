// Percentiles over millions of samples in constant memory.
//
// Non-negative values fall into buckets of relative width 2^-10 (about 0.1%): the bucket is the
// double's exponent and the top 10 bits of its mantissa, as in HdrHistogram. A percentile is
// interpolated inside its bucket, so it is within 0.1% of the exact order statistic; the mean,
// minimum and maximum are exact. Memory is fixed (about 660 KB), whatever the sample count.
#ifndef PERFTCO_SRC_ENGINE_LOG_HISTOGRAM_H_
#define PERFTCO_SRC_ENGINE_LOG_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace perftco::engine {

class LogHistogram {
 public:
  // Adds `value` (>= 0; negatives count as 0) with `weight` (> 0) samples.
  void Add(double value, double weight = 1.0);

  double count() const { return count_; }
  double sum() const { return sum_; }
  double mean() const { return count_ > 0 ? sum_ / count_ : 0.0; }
  double min() const { return count_ > 0 ? min_ : 0.0; }
  double max() const { return count_ > 0 ? max_ : 0.0; }
  // The value below which a fraction q (in [0, 1]) of the weight lies; 0 when empty.
  double Quantile(double q) const;

 private:
  static constexpr int kMantissaBits = 10;
  static constexpr int kMinExponent = -40;  // 2^-40 s ~ 1 ps: smaller values share one bucket
  static constexpr int kMaxExponent = 40;   // 2^40 ~ 1.1e12: larger values share one bucket
  static int Index(double v);
  static double Lower(int index);  // smallest value of a bucket

  std::vector<double> buckets_;  // allocated on the first positive value
  double zeros_ = 0.0;
  double count_ = 0.0;
  double sum_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
};

}  // namespace perftco::engine

#endif  // PERFTCO_SRC_ENGINE_LOG_HISTOGRAM_H_
