// One accelerator file (data/hardware/*.yaml): the loader; what it accepts must be finite.
#include <cmath>

#include "fuzz_support.h"
#include "perftco/hardware.h"

using namespace perftco;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::WriteInput(data, size, "hardware.yaml");
  auto hw = LoadHardwareFile(path);
  if (!hw.ok()) return 0;
  for (const auto& [precision, peak] : hw->peak_dense) {
    if (!std::isfinite(peak.value()) || peak.value() <= 0) fuzz::Fail("peak FLOP/s not positive");
  }
  if (!std::isfinite(hw->hbm_capacity.value()) || !std::isfinite(hw->hbm_bandwidth.value())) {
    fuzz::Fail("memory figures not finite");
  }
  return 0;
}
