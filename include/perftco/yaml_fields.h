// Reading the keys of YAML scenario and data files with one-line, actionable errors.
#ifndef PERFTCO_YAML_FIELDS_H_
#define PERFTCO_YAML_FIELDS_H_

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "perftco/status.h"

namespace perftco {

// Parses a YAML file. Errors: "cannot open <what> '<path>': <hint>" when it cannot be read,
// "<path>: malformed YAML: ..." (with line and column) when it does not parse.
Result<YAML::Node> LoadYamlFile(const std::string& path, const std::string& what,
                                const std::string& hint);

// Runs `parse`, which reads YAML nodes, and turns a yaml-cpp exception it throws (a key looked
// up in a scalar or a list, a value of the wrong type) into "<where>: <what yaml-cpp says>", so
// that a file of the wrong shape is a one-line error, not a crash. Every loader of a YAML file
// runs its reading inside one.
template <typename F>
auto GuardYaml(const std::string& where, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const YAML::Exception& e) {
    return Status::Error(where + ": unexpected structure: " + e.what() +
                         " (compare with a file of the same kind in perftco's data/ or "
                         "scenarios/)");
  }
}

// Fails on the first key of the map `node` that is not in `valid`, naming it and the closest
// valid key ("where: unknown key 'tpot_slo': did you mean 'tpot_slo_ms'?").
Status CheckYamlKeys(const YAML::Node& node, const std::vector<std::string>& valid,
                     const std::string& where);

// Reads `key` of `n` into `out`, leaving it unchanged when absent (an error when `required`).
// Errors name `where` and the key.
template <typename T>
Status ReadYamlField(const YAML::Node& n, const char* key, const std::string& where, T* out,
                     bool required = false) {
  if (!n[key]) {
    return required ? Status::Error(where + ": key '" + std::string(key) + "' is required")
                    : Status::Ok();
  }
  try {
    *out = n[key].as<T>();
  } catch (const YAML::Exception&) {
    return Status::Error(where + ": key '" + std::string(key) + "' has the wrong type");
  }
  return Status::Ok();
}

// As ReadYamlField, into an optional that stays empty when the key is absent.
template <typename T>
Status ReadYamlOptional(const YAML::Node& n, const char* key, const std::string& where,
                        std::optional<T>* out) {
  if (!n[key]) return Status::Ok();
  T v{};
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, key, where, &v));
  *out = v;
  return Status::Ok();
}

}  // namespace perftco

#endif  // PERFTCO_YAML_FIELDS_H_
