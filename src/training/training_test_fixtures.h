// Catalog, efficiency and models shared by the training tests.
#ifndef PERFTCO_SRC_TRAINING_TRAINING_TEST_FIXTURES_H_
#define PERFTCO_SRC_TRAINING_TRAINING_TEST_FIXTURES_H_

#include <string>

#include "perf/test_fixtures.h"
#include "perftco/catalog.h"
#include "perftco/efficiency.h"
#include "perftco/training.h"

namespace perftco::training_testing {

inline const Catalog& Cat() { return testing::RepoCatalog(); }
inline const EfficiencyTable& Eff() { return testing::RepoEfficiency(); }
inline ModelConfig Model(const std::string& name) { return Cat().FindModel(name).value(); }
inline Hardware Hw(const std::string& name) { return Cat().FindHardware(name).value(); }
inline TrainingModel Trainer(const std::string& model, const std::string& hw,
                             const TrainingOptions& o = TrainingOptions()) {
  const Hardware h = Hw(hw);
  return TrainingModel(Model(model), h, Eff().For(h.family), o);
}
// GPT-3 175B as Megatron-LM's H100 runs shaped it (data/training/models).
inline ModelConfig Gpt3() {
  return Cat()
      .FindModel(std::string(PERFTCO_TEST_DATA_DIR) + "/training/models/gpt3-175b-megatron.json")
      .value();
}

}  // namespace perftco::training_testing

#endif  // PERFTCO_SRC_TRAINING_TRAINING_TEST_FIXTURES_H_
