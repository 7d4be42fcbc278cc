// perftco: what will this model cost, how fast will it run, and on which hardware.
#include "cli_context.h"

int main(int argc, char** argv) {
  perftco::cli::InstallInterruptHandlers();
  perftco::cli::CliContext ctx;
  return perftco::cli::RunCli(&ctx, argc, argv);
}
