// Shared state and helpers of the perftco subcommands (CLI only).
#ifndef PERFTCO_TOOLS_CLI_CLI_CONTEXT_H_
#define PERFTCO_TOOLS_CLI_CLI_CONTEXT_H_

#include <CLI/CLI.hpp>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/economics_data.h"
#include "perftco/efficiency.h"
#include "perftco/setup.h"
#include "perftco/status.h"

namespace perftco::cli {

// Loaded on first use, so that `perftco --help` works without a data directory.
class CliContext {
 public:
  std::string data_dir = DefaultDataDir();
  Result<const Catalog*> catalog();
  Result<const EfficiencyTable*> efficiency();
  Result<const EconomicsData*> economics();
  // Set by the subcommand that ran; main() prints it and exits non-zero when it failed.
  Status status;

 private:
  std::optional<Catalog> catalog_;
  std::optional<EfficiencyTable> efficiency_;
  std::optional<EconomicsData> economics_;
  std::string catalog_dir_, efficiency_dir_, economics_dir_;  // the data_dir each was loaded from
};

// A subcommand: its name, one line for --help, and how to register its options and handler.
struct Subcommand {
  const char* name;
  const char* description;
  std::function<void(CLI::App* sub, CliContext* ctx)> add;
};

// The registered subcommands, in --help order.
const std::vector<Subcommand>& Subcommands();

// Adds --model --hardware --chips --tp --pp --ep --dp-attention --precision
// --activation-precision --kv-precision --engine --mem-fraction --max-batched-tokens --max-num-seqs
// --micro-batches --spec-tokens --spec-method --acceptance to `sub`.
void AddSetupOptions(CLI::App* sub, SetupOptions* o);

// Parses the command line, runs the subcommand it names (only parses it, without `execute`) and
// prints its error, if any: main()'s whole work, returning its exit status. `ctx` keeps the
// loaded catalog between calls (the fuzz harnesses call this many times).
int RunCli(CliContext* ctx, int argc, const char* const* argv, bool execute = true);

// RunCli's exit status when an exception escaped a subcommand: a bug, never bad input.
constexpr int kInternalErrorExit = 70;

// Parses "1,8,64" into positive integers.
Result<std::vector<int64_t>> ParseIntList(const std::string& text, const std::string& flag);

// Builds the Setup for `o` through the context's catalog.
Result<std::shared_ptr<Setup>> SetupFrom(CliContext* ctx, const SetupOptions& o);

// Files being written: each output goes to PATH.tmp and is renamed to PATH when complete. While
// one lives, a SIGINT or SIGTERM deletes its temp file, so an interrupted run leaves no partial
// output (InstallInterruptHandlers).
class TempFileGuard {
 public:
  explicit TempFileGuard(const std::string& tmp_path);
  ~TempFileGuard();
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;

 private:
  int slot_ = -1;
};

// SIGINT and SIGTERM: delete the temp files of TempFileGuard, print "perftco: interrupted" and
// exit with 128 + the signal. main() installs them first.
void InstallInterruptHandlers();

// An output file written as a run goes (per-request rows, a trace): into `path`.tmp, renamed into
// place by Commit() only when the run succeeds; on an error or an interrupt the temp file is
// deleted, so no partial file is left.
class StreamedFile {
 public:
  explicit StreamedFile(std::string path);
  ~StreamedFile();
  StreamedFile(const StreamedFile&) = delete;
  StreamedFile& operator=(const StreamedFile&) = delete;
  Status Open();
  std::ostream& out() { return out_; }
  Status Commit();

 private:
  std::string path_, tmp_;
  TempFileGuard guard_;
  std::ofstream out_;
  bool committed_ = false;
};

// Writes `text` to `path` atomically (temp file + rename), so a failed run leaves no partial file.
Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_CLI_CONTEXT_H_
