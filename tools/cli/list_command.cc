#include <cstdio>

#include "commands.h"
#include "economics_options.h"
#include "perftco/tco.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

Status RunList(CliContext* ctx, const std::string& what, bool missing) {
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* c, ctx->catalog());
  if (missing) {
    // Every figure the economics of a system needs and the catalog lacks; nothing when complete.
    if (what != "hardware") return Status::Error("--missing applies to 'perftco list hardware'");
    PERFTCO_ASSIGN_OR_RETURN(EconomicsData data, LoadEconomics(ctx));
    TextTable t({"hardware", "missing"});
    int rows = 0;
    for (const auto& hw : c->hardware()) {
      PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip, EvaluateChip(hw, data, EconomicsOptions()));
      for (const std::string& m : chip.missing) {
        t.AddRow({hw.name, m});
        ++rows;
      }
    }
    if (rows > 0) std::fputs(t.Render().c_str(), stdout);
    return Status::Ok();
  }
  if (what == "hardware") {
    TextTable t({"name", "chip", "bf16 TFLOP/s", "HBM GB", "HBM TB/s", "domain", "topology"});
    for (const auto& hw : c->hardware()) {
      t.AddRow({hw.name, hw.display_name, FormatFixed(hw.Peak(Precision::kBf16).value() / kTera, 0),
                FormatFixed(hw.hbm_capacity.value() / kGiga, 0),
                FormatFixed(hw.hbm_bandwidth.value() / kTera, 2),
                std::to_string(hw.scale_up.domain_chips),
                std::string(TopologyName(hw.scale_up.topology))});
    }
    std::fputs(t.Render().c_str(), stdout);
    return Status::Ok();
  }
  if (what == "models") {
    TextTable t({"name", "model", "params B", "active B", "layers", "attention", "experts"});
    for (const auto& m : c->models()) {
      t.AddRow({m.name, m.display_name, FormatFixed(m.TotalParams() / 1e9, 1),
                FormatFixed(m.ActiveParams() / 1e9, 1), std::to_string(m.layers),
                m.attention == AttentionKind::kMla ? "MLA" : "GQA",
                m.IsMoe()
                    ? std::to_string(m.moe.num_experts) + " top-" + std::to_string(m.moe.top_k)
                    : "-"});
    }
    std::fputs(t.Render().c_str(), stdout);
    return Status::Ok();
  }
  return Status::Error("perftco list takes 'hardware' or 'models' (got '" + what + "')");
}

}  // namespace

void AddListCommand(CLI::App* sub, CliContext* ctx) {
  auto what = std::make_shared<std::string>();
  auto missing = std::make_shared<bool>(false);
  sub->add_option("what", *what, "hardware or models")->required();
  sub->add_flag("--missing", *missing,
                "with hardware: the price and power figures each system lacks (nothing when the "
                "catalog is complete)");
  sub->callback([ctx, what, missing] { ctx->status = RunList(ctx, *what, *missing); });
}

}  // namespace perftco::cli
