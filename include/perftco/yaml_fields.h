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
