// The command line: the input is the arguments after `perftco`, one per line, parsed by the
// CLI's own parser (every subcommand's options, conversions and checks). The quick subcommands
// (estimate, list, show, tco) also run; the others only parse, since their runs take from
// milliseconds to minutes and the scenario and data harnesses cover what they read. Arguments
// naming a path (a '/') are refused so that nothing outside a scratch directory is touched.
#include <unistd.h>

#include <string>
#include <vector>

#include "cli_context.h"
#include "fuzz_support.h"

using namespace perftco;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cli::CliContext ctx;
  static const bool in_scratch = chdir(fuzz::ScratchDir().c_str()) == 0;
  if (!in_scratch) fuzz::Fail("cannot enter the scratch directory");
  std::vector<std::string> args = {"perftco"};
  std::string arg;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == '\n') {
      args.push_back(arg);
      arg.clear();
    } else {
      arg.push_back(static_cast<char>(data[i]));
    }
  }
  if (args.size() > 64) return 0;
  for (const std::string& a : args) {
    if (a.find('/') != std::string::npos) return 0;
  }
  const std::string& command = args[1];
  const bool execute =
      command == "estimate" || command == "list" || command == "show" || command == "tco";
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  ctx.data_dir = fuzz::DataDir();
  if (cli::RunCli(&ctx, static_cast<int>(argv.size()), argv.data(), execute) ==
      cli::kInternalErrorExit) {
    fuzz::Fail("an exception escaped a subcommand");
  }
  return 0;
}
