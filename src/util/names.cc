#include "perftco/names.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace perftco {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int EditDistance(std::string_view a_in, std::string_view b_in) {
  const std::string a = ToLower(a_in);
  const std::string b = ToLower(b_in);
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  std::iota(prev.begin(), prev.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> ClosestNames(std::string_view name,
                                      const std::vector<std::string>& candidates, int max_count) {
  std::vector<std::pair<int, size_t>> scored;
  const std::string lname = ToLower(name);
  for (size_t i = 0; i < candidates.size(); ++i) {
    int d = EditDistance(name, candidates[i]);
    // A candidate that contains the typed name (or the reverse) is a strong hint.
    const std::string lc = ToLower(candidates[i]);
    if (!lname.empty() &&
        (lc.find(lname) != std::string::npos || lname.find(lc) != std::string::npos)) {
      d = std::min(d, 1);
    }
    scored.emplace_back(d, i);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [d, i] : scored) {
    if (static_cast<int>(out.size()) >= max_count) break;
    out.push_back(candidates[i]);
  }
  return out;
}

std::string JoinNames(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += sep;
    out += names[i];
  }
  return out;
}

std::vector<std::string> SplitString(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? s.npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

}  // namespace perftco
