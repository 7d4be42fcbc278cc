#include <cstdio>

#include "commands.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

Status RunList(CliContext* ctx, const std::string& what) {
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* c, ctx->catalog());
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
  sub->add_option("what", *what, "hardware or models")->required();
  sub->callback([ctx, what] { ctx->status = RunList(ctx, *what); });
}

}  // namespace perftco::cli
