#include "perftco/yaml_fields.h"

#include <algorithm>

#include "perftco/names.h"

namespace perftco {

Status CheckYamlKeys(const YAML::Node& node, const std::vector<std::string>& valid,
                     const std::string& where) {
  if (!node.IsMap()) return Status::Error(where + ": expected a map of keys");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(valid.begin(), valid.end(), key) == valid.end()) {
      return Status::Error(where + ": unknown key '" + key + "': did you mean '" +
                           ClosestNames(key, valid, 1).front() + "'?");
    }
  }
  return Status::Ok();
}

}  // namespace perftco
