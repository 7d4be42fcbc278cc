// Macro runner for the serving simulator's goals: prints wall time, simulated requests per
// second, events per second and peak memory for each goal workload. With --10m it also simulates
// 10,000,000 chat requests (the metrics stream into quantile sketches, so memory stays with the
// requests in flight; a rate past what the replicas serve would hold a growing queue, about 500
// bytes per waiting request, so the chat runs stay below it), then writes a 10,000,000-request
// trace to a temporary file and replays it. Usage: perftco_simulate_macro [--10m]   (--trace-10m:
// the trace only)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "perftco/catalog.h"
#include "perftco/setup.h"
#include "perftco/simulate.h"

namespace {

using perftco::SimulationSummary;

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int Report(const char* name, const perftco::Setup& setup, const perftco::WorkloadOptions& w,
           const perftco::ServingOptions& o) {
  auto src = perftco::MakeRequestSource(w, perftco::LimitsFor(*setup.cost));
  if (!src.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, src.status().message().c_str());
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto s = perftco::RunSimulation(*setup.cost, o, **src);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, s.status().message().c_str());
    return 1;
  }
  std::printf(
      "%-34s %9lld req %7.2f s wall %11.0f req/s %11.0f events/s %11.0f steps/s "
      "%7.1f MB peak  (%lld preemptions, simulated %.0f s, served %.1f req/s)\n",
      name, static_cast<long long>(s->requests), wall, static_cast<double>(s->requests) / wall,
      static_cast<double>(s->events) / wall, static_cast<double>(s->steps) / wall, PeakRssMb(),
      static_cast<long long>(s->preemptions), s->duration.value(), s->requests_per_s);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool ten_million = argc > 1 && std::strcmp(argv[1], "--10m") == 0;
  const bool trace = ten_million || (argc > 1 && std::strcmp(argv[1], "--trace-10m") == 0);
  const perftco::Catalog catalog = perftco::Catalog::Load(PERFTCO_BENCH_DATA_DIR).value();
  const perftco::EfficiencyTable table =
      perftco::EfficiencyTable::Load(PERFTCO_BENCH_DATA_DIR).value();
  perftco::SetupOptions so;
  so.model = "llama-3.1-70b";
  so.hardware = "h100-sxm";
  so.tp = 8;
  so.chips = 64;
  so.precision = "fp8";
  const auto setup = perftco::BuildSetup(catalog, table, so).value();
  std::printf("llama-3.1-70b fp8 on 8 replicas of 8 x h100-sxm, vllm-v1, one thread\n");
  perftco::ServingOptions o;
  perftco::WorkloadOptions chat;
  chat.workload = "chat";
  chat.rate = 60;  // below the ~72/s these replicas serve: a steady state, not a growing queue
  chat.requests = 1000000;
  int rc = Report("chat, 1,000,000 requests, 60/s", *setup, chat, o);
  perftco::WorkloadOptions reasoning;
  reasoning.workload = "reasoning";
  reasoning.rate = 3.5;
  reasoning.requests = 100000;
  rc |= Report("reasoning, 100,000 requests, 3.5/s", *setup, reasoning, o);
  reasoning.rate = 5;  // past capacity: the KV cache fills and the schedulers preempt
  rc |= Report("reasoning overloaded, 5/s", *setup, reasoning, o);
  if (ten_million) {
    chat.requests = 10000000;
    rc |= Report("chat, 10,000,000 requests, 60/s", *setup, chat, o);
  }
  if (trace) {
    // Chat-like rows at 60 requests/s, written once and streamed back.
    const std::string path =
        (std::filesystem::temp_directory_path() / "perftco_trace_10m.csv").string();
    {
      std::ofstream f(path);
      f << "arrival_s,input_tokens,output_tokens\n";
      uint64_t x = 88172645463325252ULL;
      double t = 0;
      char line[64];
      for (int i = 0; i < 10000000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        t += (1.0 / 60) * (0.5 + static_cast<double>(x % 1000) / 1000.0);
        const int in = 200 + static_cast<int>((x >> 10) % 1600);
        const int out = 200 + static_cast<int>((x >> 30) % 1600);
        std::snprintf(line, sizeof line, "%.4f,%d,%d\n", t, in, out);
        f << line;
      }
    }
    perftco::WorkloadOptions w;
    w.workload = path;
    w.requests = 0;
    rc |= Report("trace, 10,000,000 requests", *setup, w, o);
    std::filesystem::remove(path);
  }
  return rc;
}
