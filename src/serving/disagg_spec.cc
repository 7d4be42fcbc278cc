// The --disagg text of a disaggregated deployment and the setup of each of its pools.
#include <charconv>

#include "perftco/names.h"
#include "perftco/simulate.h"

namespace perftco {
namespace {

constexpr const char* kDisaggForm =
    "use prefill=WxT,decode=WxT (workers x tp), optionally with prefill-ep=N, decode-ep=N, "
    "prefill-dp-attention, decode-dp-attention";

Result<int> PositiveInt(const std::string& text, const std::string& what) {
  int v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || v < 1) {
    return Status::Error("--disagg " + what + " '" + text + "' must be a positive whole number");
  }
  return v;
}

}  // namespace

std::string DisaggSpec::ToString() const {
  std::string s;
  auto pool = [&](const char* name, const PoolSpec& p) {
    s += std::string(s.empty() ? "" : ",") + name + "=" + std::to_string(p.workers) + "x" +
         std::to_string(p.tp);
  };
  pool("prefill", prefill);
  pool("decode", decode);
  if (prefill.ep > 1) s += ",prefill-ep=" + std::to_string(prefill.ep);
  if (decode.ep > 1) s += ",decode-ep=" + std::to_string(decode.ep);
  if (prefill.dp_attention) s += ",prefill-dp-attention";
  if (decode.dp_attention) s += ",decode-dp-attention";
  return s;
}

Result<DisaggSpec> ParseDisaggSpec(const std::string& text) {
  DisaggSpec spec;
  for (const std::string& raw : SplitString(text, ',')) {
    const std::string part = ToLower(raw);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    const std::string key = part.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
    if (key == "prefill" || key == "decode") {
      PoolSpec& p = key == "prefill" ? spec.prefill : spec.decode;
      const size_t x = value.find('x');
      if (x == std::string::npos) {
        return Status::Error("--disagg " + key + "='" + value +
                             "' must be WxT, workers x tp: " + kDisaggForm);
      }
      PERFTCO_ASSIGN_OR_RETURN(p.workers, PositiveInt(value.substr(0, x), key + " workers"));
      PERFTCO_ASSIGN_OR_RETURN(p.tp, PositiveInt(value.substr(x + 1), key + " tp"));
    } else if (key == "prefill-ep" || key == "decode-ep") {
      PERFTCO_ASSIGN_OR_RETURN((key == "prefill-ep" ? spec.prefill : spec.decode).ep,
                               PositiveInt(value, key));
    } else if ((key == "prefill-dp-attention" || key == "decode-dp-attention") && value.empty()) {
      (key == "prefill-dp-attention" ? spec.prefill : spec.decode).dp_attention = true;
    } else {
      return Status::Error("--disagg: unknown part '" + raw + "': " + kDisaggForm);
    }
  }
  if (spec.prefill.workers == 0 || spec.decode.workers == 0) {
    return Status::Error("--disagg '" + text + "' needs both pools: " + kDisaggForm);
  }
  return spec;
}

SetupOptions PoolSetup(const SetupOptions& base, const PoolSpec& pool) {
  SetupOptions o = base;
  o.chips = pool.Chips(base.pp);
  o.tp = pool.tp;
  o.ep = pool.ep;
  o.dp_attention = pool.dp_attention;
  return o;
}

}  // namespace perftco
