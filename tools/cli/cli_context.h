// Shared state and helpers of the perftco subcommands (CLI only).
#ifndef PERFTCO_TOOLS_CLI_CLI_CONTEXT_H_
#define PERFTCO_TOOLS_CLI_CLI_CONTEXT_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "perftco/catalog.h"
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
  // Set by the subcommand that ran; main() prints it and exits non-zero when it failed.
  Status status;

 private:
  std::optional<Catalog> catalog_;
  std::optional<EfficiencyTable> efficiency_;
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

// Parses "1,8,64" into positive integers.
Result<std::vector<int64_t>> ParseIntList(const std::string& text, const std::string& flag);

// Builds the Setup for `o` through the context's catalog.
Result<std::shared_ptr<Setup>> SetupFrom(CliContext* ctx, const SetupOptions& o);

// Writes `text` to `path` atomically (temp file + rename), so a failed run leaves no partial file.
Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_CLI_CONTEXT_H_
