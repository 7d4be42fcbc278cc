// A transformer's architecture, read from a HuggingFace config.json.
#ifndef PERFTCO_MODEL_H_
#define PERFTCO_MODEL_H_

#include <string>
#include <vector>

#include "perftco/status.h"

namespace perftco {

enum class AttentionKind {
  kGqa,  // multi-head / grouped-query / multi-query attention
  kMla,  // multi-head latent attention (DeepSeek-V2/V3)
};

// Mixture-of-experts feed-forward. num_experts == 0 means a dense model.
struct MoeConfig {
  int num_experts = 0;
  int top_k = 0;
  int num_shared_experts = 0;
  int expert_intermediate = 0;  // per routed expert
  int shared_intermediate = 0;  // all shared experts together
  // Group-limited routing (DeepSeek-V3 config n_group / topk_group): experts form `groups`
  // groups and each token's experts come from at most `topk_groups` of them; 0: unlimited.
  int groups = 0;
  int topk_groups = 0;
};

struct MlaConfig {
  int q_lora_rank = 0;  // 0: full-rank query projection
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
};

struct ModelConfig {
  std::string name;
  std::vector<std::string> aliases;
  std::string display_name;
  std::string source;
  std::string model_type;  // HF model_type
  int hidden = 0;
  int layers = 0;
  int heads = 0;
  int kv_heads = 0;
  int head_dim = 0;
  int intermediate = 0;  // dense FFN width
  int vocab = 0;
  int max_context = 0;
  bool tied_embeddings = false;
  bool gated_mlp = true;  // SwiGLU (3 matrices) vs GELU (2)
  AttentionKind attention = AttentionKind::kGqa;
  MlaConfig mla;
  MoeConfig moe;
  std::vector<bool> moe_layer;      // per layer: routed experts (true) or dense FFN
  int mtp_layers = 0;               // multi-token-prediction layers (num_nextn_predict_layers)
  int sliding_window = 0;           // 0: none
  std::vector<bool> sliding_layer;  // per layer: attention limited to sliding_window
  // Non-empty when the architecture has parts perftco does not model (e.g. linear attention);
  // every prediction for such a model is refused with this reason.
  std::string unsupported;
  double published_total_params = 0;  // 0 when unknown
  double published_active_params = 0;
  // The format the checkpoint is published in ("bf16", "fp16", "fp8", "fp4"), with its source
  // (data/models/index.yaml): the weight format when a deployment does not state one.
  std::string native_precision = "bf16";
  std::string native_precision_source;

  bool IsMoe() const { return moe.num_experts > 0; }
  int MoeLayerCount() const;

  // Parameter counts, from the architecture (not the published figure).
  double AttentionParamsPerLayer() const;
  double DenseMlpParams() const;      // one dense FFN layer
  double ExpertParams() const;        // one routed expert
  double SharedExpertParams() const;  // all shared experts of one layer
  double RouterParams() const;        // one MoE layer's gate
  double EmbeddingParams() const;     // input embedding
  double LmHeadParams() const;        // 0 when tied
  double TotalParams() const;
  double ActiveParams() const;  // per token, top-k experts

  // KV-cache elements per token in one layer (GQA: 2 x kv_heads x head_dim; MLA: latent + rope).
  double KvElementsPerTokenPerLayer() const;
};

// Parses a HuggingFace config.json. `name` labels the model in messages.
Result<ModelConfig> LoadModelConfigFile(const std::string& path, const std::string& name);

}  // namespace perftco

#endif  // PERFTCO_MODEL_H_
