// A measured-data CSV (data/measured/*.csv, schema in its README): the reader.
#include <cmath>

#include "fuzz_support.h"
#include "perftco/measured.h"

using namespace perftco;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::WriteInput(data, size, "measured.csv");
  auto points = ReadMeasuredFile(path);
  if (!points.ok()) return 0;
  for (const MeasuredPoint& p : *points) {
    if (!std::isfinite(p.value)) fuzz::Fail("a measured value is not finite");
  }
  return 0;
}
