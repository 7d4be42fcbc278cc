// A request trace (perftco, Vidur and Azure layouts; CSV or JSONL): opened and read to its end.
#include "fuzz_support.h"
#include "perftco/workload.h"

using namespace perftco;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the extension, which selects CSV or JSONL.
  const std::string path =
      fuzz::WriteInput(data + 1, size - 1, data[0] % 2 ? "trace.jsonl" : "trace.csv");
  WorkloadOptions o;
  o.workload = path;
  o.requests = 0;  // all of it
  WorkloadLimits limits;
  limits.max_context = 131072;
  auto source = MakeRequestSource(o, limits);
  if (!source.ok()) return 0;
  double last = -1;
  for (;;) {
    auto t = (*source)->PeekTime();
    if (!t.ok() || !t->has_value()) break;
    if (!((*t)->value() >= last)) fuzz::Fail("arrivals out of order or not finite");
    last = (*t)->value();
    const Request r = (*source)->Pop();
    if (r.input_tokens < 1 || r.output_tokens < 1) fuzz::Fail("a request has no tokens");
  }
  return 0;
}
