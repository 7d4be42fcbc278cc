#include "perftco/yaml_fields.h"

#include <algorithm>

#include "perftco/names.h"

namespace perftco {

Result<YAML::Node> LoadYamlFile(const std::string& path, const std::string& what,
                                const std::string& hint) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::Error("cannot open " + what + " '" + path + "': " + hint);
  } catch (const YAML::Exception& e) {
    return Status::Error(path + ": malformed YAML: " + e.what());
  }
}

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
