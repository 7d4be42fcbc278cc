// Numeric formats of weights, activations and KV cache.
#ifndef PERFTCO_PRECISION_H_
#define PERFTCO_PRECISION_H_

#include <string>
#include <string_view>

#include "perftco/status.h"

namespace perftco {

// Ordered from widest to narrowest; ComputePrecision() relies on this order.
enum class Precision { kFp32, kBf16, kFp16, kFp8, kInt8, kFp4, kInt4 };

// Storage bytes per element (fp4/int4: 0.5, ignoring block-scale overhead of about 3-6%).
double BytesPerElement(Precision p);

// "bf16", "fp8", ...
std::string_view PrecisionName(Precision p);

// Parses a name; accepts aliases such as "float16", "fp16", "nvfp4", "mxfp4", "e4m3".
Result<Precision> ParsePrecision(std::string_view name);

}  // namespace perftco

#endif  // PERFTCO_PRECISION_H_
