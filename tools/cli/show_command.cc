#include <cstdio>

#include "commands.h"
#include "perftco/names.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

void PrintHardware(const Hardware& hw) {
  std::printf("%s (%s), %s, %d\nsystem: %s\nfile: %s\n\n", hw.display_name.c_str(), hw.name.c_str(),
              hw.vendor.c_str(), hw.year, hw.system.c_str(), hw.file.c_str());
  TextTable t({"field", "value", "source"});
  auto src = [&](const std::string& k) {
    auto it = hw.sources.find(k);
    return it == hw.sources.end() ? std::string("unknown") : it->second;
  };
  for (const auto& [p, f] : hw.peak_dense) {
    const std::string key = "peak_dense_tflops." + std::string(PrecisionName(p));
    t.AddRow({key, FormatFixed(f.value() / kTera, 1) + " TFLOP/s", src(key)});
  }
  t.AddRow({"hbm_capacity", FormatFixed(hw.hbm_capacity.value() / kGiga, 0) + " GB",
            src("hbm_capacity_gb")});
  t.AddRow({"hbm_bandwidth", FormatFixed(hw.hbm_bandwidth.value() / kTera, 2) + " TB/s",
            src("hbm_bandwidth_tb_per_s")});
  t.AddRow({"tdp", hw.tdp.value() > 0 ? FormatFixed(hw.tdp.value(), 0) + " W" : "unknown",
            src("tdp_w")});
  t.AddRow({"scale_up",
            std::to_string(hw.scale_up.domain_chips) + " chips, " +
                std::string(TopologyName(hw.scale_up.topology)) + ", " +
                FormatFixed(hw.scale_up.bandwidth_per_chip.value() / kGiga, 0) +
                " GB/s per direction",
            src("scale_up.bandwidth_per_chip_gb_per_s")});
  t.AddRow({"scale_out",
            hw.scale_out_per_chip.value() > 0
                ? FormatFixed(hw.scale_out_per_chip.value() * 8 / kGiga, 0) + " Gb/s per chip"
                : "unknown",
            src("scale_out.bandwidth_per_chip_gbit_per_s")});
  std::fputs(t.Render().c_str(), stdout);
}

void PrintModel(const ModelConfig& m) {
  std::printf("%s (%s)\nsource: %s\n\n", m.display_name.c_str(), m.name.c_str(), m.source.c_str());
  TextTable t({"field", "value"});
  t.AddRow({"parameters (from config)", FormatFixed(m.TotalParams() / 1e9, 2) + " B"});
  if (m.published_total_params > 0) {
    t.AddRow({"parameters (published)", FormatFixed(m.published_total_params / 1e9, 2) + " B"});
  }
  t.AddRow({"active per token", FormatFixed(m.ActiveParams() / 1e9, 2) + " B"});
  t.AddRow({"layers / hidden", std::to_string(m.layers) + " / " + std::to_string(m.hidden)});
  t.AddRow({"attention", m.attention == AttentionKind::kMla
                             ? "MLA, " + std::to_string(m.heads) + " heads, latent " +
                                   std::to_string(m.mla.kv_lora_rank) + " + rope " +
                                   std::to_string(m.mla.qk_rope_head_dim)
                             : std::to_string(m.heads) + " heads, " + std::to_string(m.kv_heads) +
                                   " KV heads x " + std::to_string(m.head_dim)});
  t.AddRow({"KV bytes per token (bf16)",
            FormatFixed(m.layers * m.KvElementsPerTokenPerLayer() * 2.0, 0)});
  if (m.IsMoe()) {
    t.AddRow({"experts", std::to_string(m.moe.num_experts) + " routed (top-" +
                             std::to_string(m.moe.top_k) + "), " +
                             std::to_string(m.moe.num_shared_experts) + " shared, " +
                             std::to_string(m.MoeLayerCount()) + " MoE layers"});
  }
  if (m.sliding_window > 0) t.AddRow({"sliding window", std::to_string(m.sliding_window)});
  t.AddRow({"max context", std::to_string(m.max_context)});
  std::fputs(t.Render().c_str(), stdout);
}

Status RunShow(CliContext* ctx, const std::string& name) {
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* c, ctx->catalog());
  auto hw = c->FindHardware(name);
  if (hw.ok()) {
    PrintHardware(*hw);
    return Status::Ok();
  }
  auto m = c->FindModel(name);
  if (m.ok()) {
    PrintModel(*m);
    return Status::Ok();
  }
  std::vector<std::string> names;
  for (const auto& h : c->hardware()) names.push_back(h.name);
  for (const auto& mm : c->models()) names.push_back(mm.name);
  return Status::Error("no hardware or model named '" + name + "': did you mean " +
                       JoinNames(ClosestNames(name, names), " or ") + "?");
}

}  // namespace

void AddShowCommand(CLI::App* sub, CliContext* ctx) {
  auto name = std::make_shared<std::string>();
  sub->add_option("name", *name, "hardware or model name")->required();
  sub->callback([ctx, name] { ctx->status = RunShow(ctx, *name); });
}

}  // namespace perftco::cli
