#include "perftco/precision.h"

#include "perftco/names.h"

namespace perftco {

double BytesPerElement(Precision p) {
  switch (p) {
    case Precision::kFp32:
      return 4.0;
    case Precision::kBf16:
    case Precision::kFp16:
      return 2.0;
    case Precision::kFp8:
    case Precision::kInt8:
      return 1.0;
    case Precision::kFp4:
    case Precision::kInt4:
      return 0.5;
  }
  return 2.0;
}

std::string_view PrecisionName(Precision p) {
  switch (p) {
    case Precision::kFp32:
      return "fp32";
    case Precision::kBf16:
      return "bf16";
    case Precision::kFp16:
      return "fp16";
    case Precision::kFp8:
      return "fp8";
    case Precision::kInt8:
      return "int8";
    case Precision::kFp4:
      return "fp4";
    case Precision::kInt4:
      return "int4";
  }
  return "bf16";
}

Result<Precision> ParsePrecision(std::string_view name) {
  const std::string n = ToLower(name);
  if (n == "fp32" || n == "float32") return Precision::kFp32;
  if (n == "bf16" || n == "bfloat16") return Precision::kBf16;
  if (n == "fp16" || n == "float16" || n == "half") return Precision::kFp16;
  if (n == "fp8" || n == "e4m3" || n == "fp8_e4m3" || n == "float8") return Precision::kFp8;
  if (n == "int8" || n == "w8a8") return Precision::kInt8;
  if (n == "fp4" || n == "nvfp4" || n == "mxfp4") return Precision::kFp4;
  if (n == "int4" || n == "w4a16") return Precision::kInt4;
  return Status::Error("unknown precision '" + std::string(name) +
                       "': use one of fp32, bf16, fp16, fp8, int8, fp4, int4");
}

}  // namespace perftco
