#include "cli_context.h"

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace perftco::cli {

namespace {

// The value cached in `slot`, loaded from `data_dir` by `load` when absent or when it was
// loaded from another directory.
template <typename T, typename Load>
Result<const T*> Cached(std::optional<T>* slot, std::string* loaded_from,
                        const std::string& data_dir, Load load) {
  if (!*slot || *loaded_from != data_dir) {
    auto v = load(data_dir);
    if (!v.ok()) return v.status();
    *slot = std::move(v).value();
    *loaded_from = data_dir;
  }
  return &**slot;
}

}  // namespace

Result<const Catalog*> CliContext::catalog() {
  return Cached(&catalog_, &catalog_dir_, data_dir, Catalog::Load);
}

Result<const EfficiencyTable*> CliContext::efficiency() {
  return Cached(&efficiency_, &efficiency_dir_, data_dir, EfficiencyTable::Load);
}

Result<const EconomicsData*> CliContext::economics() {
  return Cached(&economics_, &economics_dir_, data_dir, EconomicsData::Load);
}

int RunCli(CliContext* ctx, int argc, const char* const* argv, bool execute) {
  CLI::App app{"perftco: LLM serving performance and cost, by simulation"};
  app.require_subcommand(1);
  ctx->status = Status::Ok();
  app.add_option("--data-dir", ctx->data_dir,
                 "catalog directory (default: $PERFTCO_DATA_DIR or the built-in data)");
  // A subcommand's options are registered only when its name is among the arguments: one that
  // is not named cannot run, and building all of them (hundreds of options) is most of the
  // parse's time. The top-level --help still lists every subcommand.
  auto named = [&](const char* name) {
    for (int i = 1; i < argc; ++i) {
      if (std::strcmp(argv[i], name) == 0) return true;
    }
    return false;
  };
  for (const auto& sc : Subcommands()) {
    CLI::App* sub = app.add_subcommand(sc.name, sc.description);
    if (named(sc.name)) sc.add(sub, ctx);
  }
  // Parse only: stop after the options are converted and checked, before any subcommand runs.
  struct ParsedOnly {};
  if (!execute) app.parse_complete_callback([] { throw ParsedOnly{}; });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const ParsedOnly&) {
    return 0;
  } catch (const std::exception& e) {
    // Every input error is a Status; an exception reaching here is a bug.
    std::fprintf(stderr, "perftco: internal error: %s (a bug: please report the command line)\n",
                 e.what());
    return kInternalErrorExit;
  }
  if (!ctx->status.ok()) {
    std::fprintf(stderr, "perftco: error: %s\n", ctx->status.message().c_str());
    return 1;
  }
  return 0;
}

void AddSetupOptions(CLI::App* sub, SetupOptions* o) {
  sub->add_option("--model,-m", o->model, "model name or path to a HuggingFace config.json")
      ->required();
  sub->add_option("--hardware,-H", o->hardware, "accelerator name (perftco list hardware)")
      ->required();
  sub->add_option("--chips", o->chips, "chips in all (default tp x pp); more make replicas");
  sub->add_option("--tp", o->tp, "tensor-parallel size (default: all chips)");
  sub->add_option("--pp", o->pp, "pipeline-parallel size")->capture_default_str();
  sub->add_option("--ep", o->ep, "expert-parallel size (divides tp)")->capture_default_str();
  sub->add_flag("--dp-attention", o->dp_attention, "data-parallel attention over the tp ranks");
  sub->add_flag("--cross-domain-tp", o->cross_domain_tp,
                "allow tp over whole scale-up domains, all-reduces crossing the scale-out network");
  sub->add_option("--precision", o->precision,
                  "weight format: native (the checkpoint's), best (the narrowest the chip "
                  "runs), bf16, fp16, fp8, fp4, int8, int4")
      ->capture_default_str();
  sub->add_option("--activation-precision", o->activation_precision,
                  "GEMM input format (default: the weights' format)");
  sub->add_option("--kv-precision", o->kv_precision, "KV-cache format (default: bf16)");
  sub->add_option("--engine", o->engine, "engine preset: default, vllm, tensorrt-llm, sglang")
      ->capture_default_str();
  sub->add_option("--mem-fraction", o->mem_fraction,
                  "fraction of HBM the engine may use (default: the preset's)");
  sub->add_option("--max-batched-tokens", o->max_batched_tokens,
                  "token budget of one engine step (default: the preset's)");
  sub->add_option("--max-num-seqs", o->max_num_seqs,
                  "most running sequences per replica (default: the preset's; 0: no cap)");
  sub->add_flag("--two-batch-overlap", o->two_batch_overlap,
                "run the batch as two halves, one's expert all-to-all under the other's compute "
                "(SGLang --enable-two-batch-overlap; default: the preset's)");
  sub->add_option("--micro-batches", o->micro_batches,
                  "pipeline micro-batches per step (default: one per stage)");
  sub->add_option("--spec-tokens", o->spec_tokens,
                  "speculative decoding: drafted tokens per step (default: off, or the "
                  "engine's default for --spec-method; 0: off)");
  sub->add_option("--spec-method", o->spec_method,
                  "drafter: mtp, eagle or draft:<model> (default: mtp where the model has it)");
  sub->add_option("--acceptance", o->acceptance,
                  "probability that a drafted token is accepted (default: the method's)");
}

Result<std::vector<int64_t>> ParseIntList(const std::string& text, const std::string& flag) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v <= 0) throw std::invalid_argument(item);
      out.push_back(v);
    } catch (const std::exception&) {
      return Status::Error(flag + " takes positive integers separated by commas (got '" + item +
                           "')");
    }
  }
  if (out.empty()) return Status::Error(flag + " is empty");
  return out;
}

Result<std::shared_ptr<Setup>> SetupFrom(CliContext* ctx, const SetupOptions& o) {
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  return BuildSetup(*catalog, *table, o);
}

namespace {

// Temp files in progress, for the signal handler: fixed storage, so that the handler reads it
// without allocating. A slot is in use while its first byte is not 0.
constexpr int kTempSlots = 16;
constexpr size_t kTempPathBytes = 4096;
char g_temp_paths[kTempSlots][kTempPathBytes];
volatile std::sig_atomic_t g_temp_used[kTempSlots];

extern "C" void OnInterrupt(int sig) {
  for (int i = 0; i < kTempSlots; ++i) {
    if (g_temp_used[i]) unlink(g_temp_paths[i]);
  }
  const char msg[] = "perftco: interrupted; no output file was written\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  _exit(128 + sig);
}

}  // namespace

TempFileGuard::TempFileGuard(const std::string& tmp_path) {
  if (tmp_path.size() >= kTempPathBytes) return;
  for (int i = 0; i < kTempSlots; ++i) {
    if (!g_temp_used[i]) {
      std::memcpy(g_temp_paths[i], tmp_path.c_str(), tmp_path.size() + 1);
      g_temp_used[i] = 1;
      slot_ = i;
      return;
    }
  }
}

TempFileGuard::~TempFileGuard() {
  if (slot_ >= 0) g_temp_used[slot_] = 0;
}

void InstallInterruptHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

StreamedFile::StreamedFile(std::string path)
    : path_(std::move(path)), tmp_(path_ + ".tmp"), guard_(tmp_) {}

StreamedFile::~StreamedFile() {
  if (!committed_) {
    out_.close();
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
  }
}

Status StreamedFile::Open() {
  out_.open(tmp_, std::ios::binary);
  if (!out_) return Status::Error("cannot write '" + path_ + "': check the directory exists");
  return Status::Ok();
}

Status StreamedFile::Commit() {
  out_.close();
  if (!out_) return Status::Error("failed writing '" + path_ + "'");
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) return Status::Error("cannot write '" + path_ + "': " + ec.message());
  committed_ = true;
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  StreamedFile file(path);
  PERFTCO_RETURN_IF_ERROR(file.Open());
  file.out() << text;
  return file.Commit();
}

}  // namespace perftco::cli
