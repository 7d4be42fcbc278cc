#include "workload/length_distribution.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include "perftco/names.h"

namespace perftco::workload {
namespace {

int64_t AtLeastOne(double x) {
  if (!(x >= 1.0)) return 1;
  if (x > 1e15) return static_cast<int64_t>(1e15);
  return static_cast<int64_t>(std::llround(x));
}

class Fixed : public LengthDistribution {
 public:
  explicit Fixed(int64_t n) : n_(n) {}
  int64_t Sample(Rng&) const override { return n_; }
  int64_t Max() const override { return n_; }
  double Mean() const override { return static_cast<double>(n_); }

 private:
  int64_t n_;
};

class Uniform : public LengthDistribution {
 public:
  Uniform(int64_t lo, int64_t hi) : lo_(lo), hi_(hi) {}
  int64_t Sample(Rng& rng) const override { return rng.UniformInt(lo_, hi_); }
  int64_t Max() const override { return hi_; }
  double Mean() const override { return 0.5 * static_cast<double>(lo_ + hi_); }

 private:
  int64_t lo_, hi_;
};

// Normal, rounded and floored at 1 (the floor lifts the mean slightly when sd is near the mean).
class Normal : public LengthDistribution {
 public:
  Normal(double mean, double sd) : mean_(mean), sd_(sd) {}
  int64_t Sample(Rng& rng) const override { return AtLeastOne(mean_ + sd_ * rng.Normal()); }
  int64_t Max() const override { return 0; }
  double Mean() const override { return mean_; }

 private:
  double mean_, sd_;
};

// Lognormal with the given arithmetic mean and standard deviation:
// sigma^2 = ln(1 + sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2.
class LogNormal : public LengthDistribution {
 public:
  LogNormal(double mean, double sd) : mean_(mean) {
    sigma_ = std::sqrt(std::log(1.0 + (sd * sd) / (mean * mean)));
    mu_ = std::log(mean) - 0.5 * sigma_ * sigma_;
  }
  int64_t Sample(Rng& rng) const override {
    return AtLeastOne(std::exp(mu_ + sigma_ * rng.Normal()));
  }
  int64_t Max() const override { return 0; }
  double Mean() const override { return mean_; }

 private:
  double mean_, mu_, sigma_;
};

class Empirical : public LengthDistribution {
 public:
  explicit Empirical(std::vector<int64_t> v) : v_(std::move(v)) {
    double s = 0;
    for (int64_t x : v_) s += static_cast<double>(x);
    mean_ = s / static_cast<double>(v_.size());
  }
  int64_t Sample(Rng& rng) const override {
    return v_[static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(v_.size()) - 1))];
  }
  int64_t Max() const override { return *std::max_element(v_.begin(), v_.end()); }
  double Mean() const override { return mean_; }

 private:
  std::vector<int64_t> v_;
  double mean_ = 0;
};

Result<double> Number(const std::string& s, const std::string& what, const std::string& spec) {
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
    return Status::Error(what + " '" + spec + "': '" + s + "' is not a number");
  }
  return v;
}

Result<int64_t> PositiveInt(const std::string& s, const std::string& what,
                            const std::string& spec) {
  PERFTCO_ASSIGN_OR_RETURN(double v, Number(s, what, spec));
  if (v < 1 || v != std::floor(v) || v > 1e15) {
    return Status::Error(what + " '" + spec + "': lengths are whole numbers of at least 1 (got " +
                         s + ")");
  }
  return static_cast<int64_t>(v);
}

Result<std::unique_ptr<LengthDistribution>> LoadEmpirical(const std::string& path,
                                                          const std::string& what) {
  std::ifstream in(path);
  if (!in) return Status::Error(what + ": cannot open '" + path + "': check the path");
  std::vector<int64_t> v;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    const size_t end = line.find_last_not_of(" \t\r");
    const std::string field = line.substr(start, end - start + 1);
    int64_t x = 0;
    const auto r = std::from_chars(field.data(), field.data() + field.size(), x);
    if (r.ec != std::errc() || r.ptr != field.data() + field.size() || x < 1) {
      return Status::Error(path + ":" + std::to_string(n) + ": expected one length (an integer " +
                           ">= 1) per line, got '" + field + "'");
    }
    v.push_back(x);
  }
  if (v.empty()) return Status::Error(path + ": no lengths in the file");
  return std::unique_ptr<LengthDistribution>(new Empirical(std::move(v)));
}

// Parses MEAN:SD (MEAN >= 1, SD >= 0) into a D(mean, sd): the normal and lognormal entries.
template <typename D>
Result<std::unique_ptr<LengthDistribution>> MeanSd(const std::vector<std::string>& a,
                                                   const std::string& what,
                                                   const std::string& spec) {
  PERFTCO_ASSIGN_OR_RETURN(double mean, Number(a[0], what, spec));
  PERFTCO_ASSIGN_OR_RETURN(double sd, Number(a[1], what, spec));
  if (mean < 1 || sd < 0) {
    return Status::Error(what + " '" + spec + "': MEAN must be >= 1 and SD >= 0");
  }
  return std::unique_ptr<LengthDistribution>(new D(mean, sd));
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

using Factory = std::function<Result<std::unique_ptr<LengthDistribution>>(
    const std::vector<std::string>& args, const std::string& what, const std::string& spec)>;

struct Entry {
  NamedEntry name;
  size_t args;
  Factory make;
};

const std::vector<Entry>& Table() {
  static const std::vector<Entry> kTable = {
      {{"fixed", "fixed:N, every draw is N"},
       1,
       [](const auto& a, const auto& what,
          const auto& spec) -> Result<std::unique_ptr<LengthDistribution>> {
         PERFTCO_ASSIGN_OR_RETURN(int64_t n, PositiveInt(a[0], what, spec));
         return std::unique_ptr<LengthDistribution>(new Fixed(n));
       }},
      {{"uniform", "uniform:LO:HI, integers LO..HI inclusive"},
       2,
       [](const auto& a, const auto& what,
          const auto& spec) -> Result<std::unique_ptr<LengthDistribution>> {
         PERFTCO_ASSIGN_OR_RETURN(int64_t lo, PositiveInt(a[0], what, spec));
         PERFTCO_ASSIGN_OR_RETURN(int64_t hi, PositiveInt(a[1], what, spec));
         if (hi < lo) return Status::Error(what + " '" + spec + "': LO must not exceed HI");
         return std::unique_ptr<LengthDistribution>(new Uniform(lo, hi));
       }},
      {{"normal", "normal:MEAN:SD, rounded, at least 1"}, 2, MeanSd<Normal>},
      {{"lognormal", "lognormal:MEAN:SD, heavy-tailed, with this mean and standard deviation"},
       2,
       MeanSd<LogNormal>},
      {{"empirical", "empirical:FILE, drawn uniformly from a file of one length per line"},
       1,
       [](const auto& a, const auto& what, const auto&) { return LoadEmpirical(a[0], what); }},
  };
  return kTable;
}

}  // namespace

const std::vector<NamedEntry>& LengthDistributionTable() {
  static const std::vector<NamedEntry> kNames = [] {
    std::vector<NamedEntry> v;
    for (const Entry& e : Table()) v.push_back(e.name);
    return v;
  }();
  return kNames;
}

Result<std::unique_ptr<LengthDistribution>> ParseLengthDistribution(const std::string& spec,
                                                                    const std::string& what) {
  if (spec.empty()) return Status::Error(what + " is empty: give e.g. fixed:1000");
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) {
    // A bare number is a fixed length.
    if (spec.find_first_not_of("0123456789") == std::string::npos) {
      PERFTCO_ASSIGN_OR_RETURN(int64_t n, PositiveInt(spec, what, spec));
      return std::unique_ptr<LengthDistribution>(new Fixed(n));
    }
  }
  const std::string name = ToLower(spec.substr(0, colon));
  std::vector<std::string> args;
  if (colon != std::string::npos) {
    const std::string rest = spec.substr(colon + 1);
    args = name == "empirical" ? std::vector<std::string>{rest} : Split(rest, ':');
  }
  std::vector<std::string> names;
  for (const Entry& e : Table()) {
    names.push_back(e.name.name);
    if (e.name.name != name) continue;
    if (args.size() != e.args) {
      return Status::Error(what + " '" + spec + "': " + e.name.description);
    }
    return e.make(args, what, spec);
  }
  return Status::Error(what + " '" + spec + "': unknown distribution '" + name +
                       "': did you mean '" + ClosestNames(name, names, 1).front() + "'? (" +
                       JoinNames(names) + ")");
}

}  // namespace perftco::workload
