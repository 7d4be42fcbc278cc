// perftco: what will this model cost, how fast will it run, and on which hardware.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli_context.h"

int main(int argc, char** argv) {
  using perftco::cli::CliContext;
  CLI::App app{"perftco: LLM serving performance and cost, by simulation"};
  app.require_subcommand(1);
  CliContext ctx;
  app.add_option("--data-dir", ctx.data_dir,
                 "catalog directory (default: $PERFTCO_DATA_DIR or "
                 "the built-in data)");
  for (const auto& sc : perftco::cli::Subcommands()) {
    CLI::App* sub = app.add_subcommand(sc.name, sc.description);
    sc.add(sub, &ctx);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!ctx.status.ok()) {
    std::fprintf(stderr, "perftco: error: %s\n", ctx.status.message().c_str());
    return 1;
  }
  return 0;
}
