// Matching user-typed names against known ones, for "did you mean" errors.
#ifndef PERFTCO_NAMES_H_
#define PERFTCO_NAMES_H_

#include <string>
#include <string_view>
#include <vector>

namespace perftco {

// Levenshtein distance between two strings, case-insensitive.
int EditDistance(std::string_view a, std::string_view b);

// Up to `max_count` of `candidates` closest to `name`, nearest first (ties in input order).
std::vector<std::string> ClosestNames(std::string_view name,
                                      const std::vector<std::string>& candidates,
                                      int max_count = 3);

// "a, b, c" for error messages.
std::string JoinNames(const std::vector<std::string>& names, std::string_view sep = ", ");

// Lowercase ASCII copy.
std::string ToLower(std::string_view s);

// The pieces of `s` between `sep`s, empty pieces included ("a,,b" gives "a", "", "b").
std::vector<std::string> SplitString(std::string_view s, char sep);

}  // namespace perftco

#endif  // PERFTCO_NAMES_H_
