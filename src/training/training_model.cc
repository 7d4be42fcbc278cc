#include <algorithm>
#include <cmath>
#include <sstream>

#include "perftco/gemm_model.h"
#include "perftco/limits.h"
#include "perftco/names.h"
#include "perftco/training.h"

namespace perftco {
namespace {

// Activations move between kernels in 16-bit formats.
constexpr double kActivationBytes = 2.0;
// FlashAttention's backward pass does 2.5x the FLOPs of its forward pass (it recomputes the
// attention scores; Dao 2023, FlashAttention-2, section 3.1.2 counts 5 matmuls vs 2).
constexpr double kAttentionBackwardFactor = 2.5;
// ... and reaches a lower fraction of peak: 0.82 of the forward pass's FLOP rate, the mean of
// the two causal rows (1-CTA 1117.9 and 2-CTA 1208.6 TFLOPS backward vs 1418.1 forward; head
// dim 128, 8,192 tokens) that Dao-AILab/flash-attention PR #2280 publishes for FlashAttention-4.
constexpr double kAttentionBackwardEfficiency = 0.82;
// Logits of the loss are held in fp32 together with their gradient on the last stage.
constexpr double kLogitBytes = 4.0 + 2.0;

double CeilDiv(double a, double b) { return std::ceil(a / b - 1e-9); }

std::string Gb(Bytes b) {
  std::ostringstream os;
  os.precision(1);
  os << std::fixed << b.value() / kGiga << " GB";
  return os.str();
}

}  // namespace

std::string_view PipelineScheduleName(PipelineSchedule s) {
  return s == PipelineSchedule::k1F1B ? "1f1b" : "interleaved";
}

Result<PipelineSchedule> ParsePipelineSchedule(std::string_view name) {
  const std::string n = ToLower(name);
  if (n == "1f1b") return PipelineSchedule::k1F1B;
  if (n == "interleaved") return PipelineSchedule::kInterleaved;
  return Status::Error("unknown pipeline schedule '" + std::string(name) +
                       "': use 1f1b or interleaved");
}

std::string_view ContextParallelMethodName(ContextParallelMethod m) {
  return m == ContextParallelMethod::kRing ? "ring" : "all-gather";
}

Result<ContextParallelMethod> ParseContextParallelMethod(std::string_view name) {
  const std::string n = ToLower(name);
  if (n == "ring") return ContextParallelMethod::kRing;
  if (n == "all-gather" || n == "allgather") return ContextParallelMethod::kAllGather;
  return Status::Error("unknown context-parallel method '" + std::string(name) +
                       "': use ring or all-gather");
}

std::string TrainingPlan::ToString() const {
  std::string s = "dp" + std::to_string(dp);
  if (tp > 1) s += "-tp" + std::to_string(tp);
  if (pp > 1) s += "-pp" + std::to_string(pp);
  if (virtual_stages > 1) s += "-v" + std::to_string(virtual_stages);
  if (cp > 1) s += "-cp" + std::to_string(cp);
  if (ep > 1) s += "-ep" + std::to_string(ep);
  s += "-zero" + std::to_string(zero_stage);
  s += "-mb" + std::to_string(micro_batch);
  if (recompute > 0) s += "-rc" + std::to_string(static_cast<int>(std::lround(recompute * 100)));
  return s;
}

double PipelineBubbleFraction(int pp, int64_t micro_batches, int virtual_stages) {
  if (pp <= 1 || micro_batches <= 0) return 0.0;
  const double fill = static_cast<double>(pp - 1) / std::max(1, virtual_stages);
  return fill / (static_cast<double>(micro_batches) + fill);
}

// Per micro-batch times of one pipeline stage on one chip.
struct TrainingModel::StageWork {
  Seconds fwd, bwd, rc;        // compute
  Seconds fwd_gemm, bwd_gemm;  // of which matrix products
  Seconds fwd_attn, bwd_attn;  // of which attention
  Seconds tp, tp_exposed;
  Seconds cp, cp_exposed;
  Seconds ep, ep_exposed;
  Seconds pp;             // point-to-point sends, exposed
  double gemm_flops = 0;  // forward, per chip
  double attn_flops = 0;  // forward, per chip
};

TrainingModel::TrainingModel(const ModelConfig& model, const Hardware& hw, const Efficiency& eff,
                             const TrainingOptions& options)
    : model_(model), hw_(hw), eff_(eff), opt_(options) {
  link_hw_.scale_up = hw_.scale_up;
  link_hw_.scale_out_per_chip = hw_.scale_out_per_chip;
  peak_ = hw_.Peak(hw_.ComputePrecision(opt_.compute, opt_.compute));
  attn_peak_ = hw_.Peak(hw_.ComputePrecision(Precision::kBf16, Precision::kBf16));
}

CollectiveModel TrainingModel::Placed(int stride) const {
  // A group whose members sit `stride` chips apart: a domain holds domain / stride of them.
  Hardware h = link_hw_;
  const int domain = std::max(1, hw_.scale_up.domain_chips);
  const int per_domain = stride >= domain ? 1 : std::max(1, domain / std::max(1, stride));
  h.scale_up.domain_chips = per_domain;
  if (h.scale_up.topology == Topology::kTorus && per_domain < domain) {
    // The stride consumes the leading torus dimensions.
    std::vector<int> dims;
    int skip = std::max(1, stride);
    for (int d : hw_.scale_up.torus_dims) {
      if (skip >= d) {
        skip /= d;
        continue;
      }
      dims.push_back(d / skip);
      skip = 1;
    }
    if (dims.empty()) dims.push_back(1);
    h.scale_up.torus_dims = dims;
  }
  return CollectiveModel(h, eff_);
}

Seconds TrainingModel::AllReduce(Bytes size, int group, int stride) const {
  if (group <= 1 || size.value() <= 0) return Seconds(0);
  return Placed(stride).AllReduce(size, group);
}
Seconds TrainingModel::ReduceScatter(Bytes size, int group, int stride) const {
  if (group <= 1 || size.value() <= 0) return Seconds(0);
  return Placed(stride).ReduceScatter(size, group);
}
Seconds TrainingModel::AllGather(Bytes size, int group, int stride) const {
  if (group <= 1 || size.value() <= 0) return Seconds(0);
  return Placed(stride).AllGather(size, group);
}
Seconds TrainingModel::AllToAll(Bytes size, int group, int stride) const {
  if (group <= 1 || size.value() <= 0) return Seconds(0);
  return Placed(stride).AllToAll(size, group);
}

Seconds TrainingModel::ExpertAllToAll(double tokens, double bytes_per_element, int ep,
                                      int stride) const {
  if (ep <= 1 || tokens <= 0) return Seconds(0);
  const ModelConfig& m = model_;
  const int domain = std::max(1, hw_.scale_up.domain_chips);
  const int inner = std::max(1, std::min(ep, domain / std::max(1, stride)));
  const int domains = (ep + inner - 1) / inner;
  const double copy = m.hidden * bytes_per_element;
  // Inside the domain: the top-k copies bound for this domain's ranks.
  const double local_share = 1.0 / domains;
  Seconds t = Placed(stride).AllToAll(Bytes(tokens * m.moe.top_k * copy * local_share), inner);
  if (domains > 1) {
    double crossing = m.moe.top_k;
    if (opt_.max_domains_per_token > 0) {
      crossing = std::min<double>(crossing, opt_.max_domains_per_token);
    }
    const double out = tokens * crossing * copy * (domains - 1.0) / domains;
    const double nic =
        hw_.scale_out_per_chip.value() > 0 ? hw_.scale_out_per_chip.value() : 400e9 / 8.0;
    t += Seconds(out / (nic * eff_.comm_bandwidth)) + eff_.comm_latency * 4.0;
    // De-duplicated copies are forwarded to their experts over the scale-up network.
    if (opt_.max_domains_per_token > 0) {
      t += Placed(stride).AllToAll(Bytes(tokens * m.moe.top_k * copy * (1.0 - local_share)), inner);
    }
  }
  return t;
}

TrainingFlops TrainingModel::Flops(int64_t seq_len) const {
  const ModelConfig& m = model_;
  TrainingFlops f;
  f.matmul_params =
      m.ActiveParams() - m.EmbeddingParams() - m.LmHeadParams() + 1.0 * m.vocab * m.hidden;
  const double d_qk = m.head_dim;
  const double d_v = m.attention == AttentionKind::kMla ? m.mla.v_head_dim : m.head_dim;
  double attn = 0;
  const double s = static_cast<double>(seq_len);
  for (int l = 0; l < m.layers; ++l) {
    const bool sliding = m.sliding_window > 0 && m.sliding_layer[l];
    const double keys = sliding ? std::min((s + 1) / 2, 1.0 * m.sliding_window) : (s + 1) / 2;
    attn += 2.0 * m.heads * (d_qk + d_v) * keys;
  }
  f.forward_per_token = perftco::Flops(2.0 * f.matmul_params + attn);
  f.six_nd_per_token = perftco::Flops(6.0 * m.TotalParams());
  return f;
}

int64_t TrainingModel::MicroBatches(const TrainingPlan& plan, const TrainingWorkload& w) const {
  const double seqs = std::max(
      1.0, std::ceil(w.global_batch_tokens / static_cast<double>(std::max<int64_t>(1, w.seq_len))));
  return std::max<int64_t>(1,
                           static_cast<int64_t>(CeilDiv(seqs, 1.0 * plan.dp * plan.micro_batch)));
}

Status TrainingModel::Validate(const TrainingPlan& p, const TrainingWorkload& w) const {
  const ModelConfig& m = model_;
  if (p.dp < 1 || p.tp < 1 || p.pp < 1 || p.cp < 1 || p.ep < 1 || p.virtual_stages < 1 ||
      p.micro_batch < 1) {
    return Status::Error("dp, tp, pp, cp, ep, virtual stages and micro-batch must each be >= 1");
  }
  if (!(p.recompute >= 0 && p.recompute <= 1)) {
    return Status::Error("the recomputed share of layers must be between 0 and 1");
  }
  if (p.zero_stage < 0 || p.zero_stage > 3) {
    return Status::Error("ZeRO stage " + std::to_string(p.zero_stage) + " does not exist: use 0-3");
  }
  if (w.seq_len < 1) return Status::Error("sequence length must be positive");
  PERFTCO_RETURN_IF_ERROR(
      CheckAtMost(w.seq_len, kMaxSequenceTokens, "--seq-len", "tokens per sequence"));
  if (!(w.global_batch_tokens > 0)) return Status::Error("global batch must be positive");
  if (w.train_tokens < 0) return Status::Error("training tokens must not be negative");
  if (w.global_batch_tokens / static_cast<double>(w.seq_len) > 1e12) {
    return Status::Error(
        "a global batch of more than 1e12 sequences is beyond the model: lower "
        "--global-batch-tokens");
  }
  const double seqs = std::ceil(w.global_batch_tokens / static_cast<double>(w.seq_len));
  if (1.0 * p.dp * p.micro_batch > seqs) {
    return Status::Error("dp x micro-batch = " + std::to_string(p.dp * p.micro_batch) +
                         " exceeds the global batch of " +
                         std::to_string(static_cast<int64_t>(seqs)) +
                         " sequences: raise --global-batch-tokens, or lower dp or the micro-batch");
  }
  if (p.schedule == PipelineSchedule::kInterleaved && MicroBatches(p, w) % p.pp != 0) {
    return Status::Error("the interleaved schedule needs the micro-batches per replica (" +
                         std::to_string(MicroBatches(p, w)) +
                         ") to be a multiple of pp=" + std::to_string(p.pp) +
                         " (as Megatron-LM requires): change the batch, "
                         "dp, micro-batch or use 1f1b");
  }
  if (m.heads % p.tp != 0) {
    return Status::Error("tp=" + std::to_string(p.tp) + " does not divide the " +
                         std::to_string(m.heads) + " attention heads of " + m.name +
                         ": choose tp among the divisors of " + std::to_string(m.heads));
  }
  if (p.tp > hw_.scale_up.domain_chips) {
    return Status::Error("tp=" + std::to_string(p.tp) + " spans more chips than one " + hw_.name +
                         " scale-up domain holds (" + std::to_string(hw_.scale_up.domain_chips) +
                         "): lower tp and use pp or dp across domains");
  }
  // The embedding and the LM head may each take a layer's slot (Llama 3 405B: 126 layers on 16
  // stages with one layer fewer on the first and the last; Dubey et al. 2024, section 3.3.2).
  if (p.pp * p.virtual_stages > m.layers + 2) {
    return Status::Error("pp x virtual stages = " + std::to_string(p.pp * p.virtual_stages) +
                         " exceeds the " + std::to_string(m.layers) + " layers of " + m.name +
                         " plus the embedding and the head");
  }
  if (p.schedule == PipelineSchedule::k1F1B && p.virtual_stages > 1) {
    return Status::Error("virtual stages need the interleaved schedule (--schedule interleaved)");
  }
  if (p.schedule == PipelineSchedule::kInterleaved && p.pp < 2) {
    return Status::Error("the interleaved schedule needs pp >= 2");
  }
  if (p.cp > 1 && w.seq_len % (2 * p.cp) != 0) {
    return Status::Error("cp=" + std::to_string(p.cp) + " needs a sequence length divisible by " +
                         std::to_string(2 * p.cp) + " (load-balanced ring attention)");
  }
  if (p.ep > 1) {
    if (!m.IsMoe()) {
      return Status::Error("ep=" + std::to_string(p.ep) + " needs a mixture-of-experts model; " +
                           m.name + " is dense: use ep=1");
    }
    if (m.moe.num_experts % p.ep != 0) {
      return Status::Error("ep=" + std::to_string(p.ep) + " does not divide the " +
                           std::to_string(m.moe.num_experts) + " experts of " + m.name);
    }
    if ((p.dp * p.cp) % p.ep != 0) {
      return Status::Error("ep=" + std::to_string(p.ep) +
                           " must divide dp x cp = " + std::to_string(p.dp * p.cp) +
                           " (experts are spread over the data-parallel ranks)");
    }
  }
  if (opt_.sites > 1) {
    if (p.dp % opt_.sites != 0) {
      return Status::Error("dp=" + std::to_string(p.dp) + " does not split evenly over " +
                           std::to_string(opt_.sites) + " sites: choose dp a multiple of sites");
    }
    if (!(opt_.wan_bandwidth.value() > 0)) {
      return Status::Error("training over several sites needs a positive WAN bandwidth");
    }
  }
  return Status::Ok();
}

void TrainingModel::StageParams(const TrainingPlan& p, bool first, bool last, double* dense,
                                double* expert) const {
  const ModelConfig& m = model_;
  const double layers = p.virtual_stages * CeilDiv(m.layers, 1.0 * p.pp * p.virtual_stages);
  const double moe_frac = m.layers > 0 ? 1.0 * m.MoeLayerCount() / m.layers : 0.0;
  const double moe_layers = layers * moe_frac;
  const double dense_layers = layers - moe_layers;
  double d = layers * m.AttentionParamsPerLayer() + dense_layers * m.DenseMlpParams() +
             moe_layers * (m.SharedExpertParams() + m.RouterParams());
  if (first) d += m.EmbeddingParams();
  if (last) d += m.tied_embeddings ? (first ? 0.0 : m.EmbeddingParams()) : m.LmHeadParams();
  *dense = d / p.tp;
  *expert = moe_layers * m.moe.num_experts * m.ExpertParams() / (1.0 * p.tp * p.ep);
}

double TrainingModel::ActivationBytesPerTokenLayer(bool moe_layer) const {
  // Korthikanti et al. 2022, section 4.1, term by term, generalised to GQA/MLA and gated MLPs.
  // With FlashAttention the s x s score and dropout matrices (their 5as/h term) are never stored.
  const ModelConfig& m = model_;
  const double h = m.hidden;
  const double a = kActivationBytes;
  const double drop = opt_.dropout ? 1.0 : 0.0;  // one byte per element per dropout mask
  double q, k, v, o;
  if (m.attention == AttentionKind::kMla) {
    q = 1.0 * m.heads * m.head_dim + m.mla.q_lora_rank;
    k = 1.0 * m.heads * m.head_dim + m.mla.kv_lora_rank + m.mla.qk_rope_head_dim;
    v = 1.0 * m.heads * m.mla.v_head_dim;
    o = v;
  } else {
    q = 1.0 * m.heads * m.head_dim;
    k = 1.0 * m.kv_heads * m.head_dim;
    v = k;
    o = q;
  }
  const double norms = 2.0 * h * a;                                 // inputs of the two layer norms
  const double attention = h * a + (q + k + v + o) * a + drop * h;  // QKV input, Q K V, out input
  const double width_factor = m.gated_mlp ? 3.0 : 2.0;  // gate+up+product, or in+out of GELU
  double mlp;
  if (moe_layer) {
    mlp = h * a + m.moe.top_k * (h * a + width_factor * m.moe.expert_intermediate * a) +
          width_factor * m.moe.shared_intermediate * a + drop * h;
  } else {
    mlp = h * a + width_factor * m.intermediate * a + drop * h;
  }
  return norms + attention + mlp;
}

TrainingMemory TrainingModel::Memory(const TrainingPlan& p, const TrainingWorkload& w) const {
  const ModelConfig& m = model_;
  const int64_t mbs = MicroBatches(p, w);
  // ZeRO shards over the data-parallel ranks of one site (hybrid sharding across sites).
  const int sites = std::max(1, opt_.sites);
  const int group = std::max(1, p.dp * p.cp / sites);  // data-parallel group of dense weights
  const int egroup = std::max(1, group / p.ep);        // of expert weights
  const double tokens_mb = 1.0 * p.micro_batch * static_cast<double>(w.seq_len) / p.cp;
  const double layers = p.virtual_stages * CeilDiv(m.layers, 1.0 * p.pp * p.virtual_stages);
  const double moe_frac = m.layers > 0 ? 1.0 * m.MoeLayerCount() / m.layers : 0.0;
  const double per_layer = (1.0 - moe_frac) * ActivationBytesPerTokenLayer(false) +
                           moe_frac * (m.IsMoe() ? ActivationBytesPerTokenLayer(true) : 0.0);
  const double layer_full = tokens_mb * per_layer / p.tp;
  const double layer_input = tokens_mb * m.hidden * kActivationBytes / p.tp;

  TrainingMemory best;
  for (int side = 0; side < 2; ++side) {
    const bool first = side == 0;
    const bool last = side == 1 || p.pp == 1;
    double dense = 0, expert = 0;
    StageParams(p, first || p.pp == 1, last, &dense, &expert);
    const double shard_w = p.zero_stage >= 3 ? 1.0 : 0.0;
    const double shard_g = p.zero_stage >= 2 ? 1.0 : 0.0;
    const double shard_o = p.zero_stage >= 1 ? 1.0 : 0.0;
    auto sharded = [&](double frac_sharded) {
      return frac_sharded > 0 ? dense / group + expert / egroup : dense + expert;
    };
    TrainingMemory t;
    t.weights = Bytes(sharded(shard_w) * opt_.weight_bytes);
    t.gradients = Bytes(sharded(shard_g) * opt_.grad_bytes);
    t.optimizer = Bytes(sharded(shard_o) * opt_.optimizer_bytes);
    // Micro-batches in flight: stage i of a 1F1B pipeline holds pp - i of them; the interleaved
    // schedule adds (pp - 1) / (pp v) on the first stage (Korthikanti et al. 2022, section 4.2.3).
    double in_flight = first ? std::min<double>(static_cast<double>(mbs), p.pp) : 1.0;
    if (first && p.virtual_stages > 1) in_flight *= 1.0 + (p.pp - 1.0) / (p.pp * p.virtual_stages);
    // Recomputed layers keep only their input; one layer is rebuilt at a time in backward.
    const double rc = p.recompute;
    double act = layers * ((1.0 - rc) * layer_full + rc * layer_input) * in_flight;
    if (rc > 0) act += layer_full;
    t.activations = Bytes(act);
    double buffers = 0;
    if (last) buffers += tokens_mb * m.vocab / p.tp * kLogitBytes;
    if (p.zero_stage >= 3) {
      // Two layers gathered at a time (current + prefetch), in the weights' format.
      buffers += 2.0 * (dense + expert) / std::max(1.0, layers) * opt_.weight_bytes;
    }
    t.buffers = Bytes(buffers);
    t.reserve = opt_.runtime_reserve;
    t.capacity = hw_.hbm_capacity;
    t.usable = hw_.hbm_capacity * opt_.usable_memory_fraction;
    t.total = t.weights + t.gradients + t.optimizer + t.activations + t.buffers + t.reserve;
    if (side == 0 || t.total > best.total) best = t;
  }
  return best;
}

Status TrainingModel::MemoryError(const TrainingPlan& p, const TrainingMemory& t) const {
  std::ostringstream os;
  os << model_.name << " training does not fit on " << hw_.name << " with " << p.ToString() << ": "
     << Gb(t.total) << " per chip needed (weights " << Gb(t.weights) << ", gradients "
     << Gb(t.gradients) << ", optimizer " << Gb(t.optimizer) << ", activations "
     << Gb(t.activations) << ", buffers " << Gb(t.buffers) << ", reserve " << Gb(t.reserve)
     << ") > " << Gb(t.usable) << " usable of " << Gb(t.capacity)
     << ": raise tp or pp, use a higher ZeRO stage, turn recomputation on, or lower the "
        "micro-batch";
  return Status::Error(os.str());
}

TrainingModel::StageWork TrainingModel::Stage(const TrainingPlan& p, const TrainingWorkload& w,
                                              bool last) const {
  const ModelConfig& m = model_;
  StageWork s;
  const double t = p.tp;
  const double tokens = 1.0 * p.micro_batch * static_cast<double>(w.seq_len) /
                        p.cp;  // per micro-batch per chip group
  const double seq = static_cast<double>(w.seq_len);
  const double layers = p.virtual_stages * CeilDiv(m.layers, 1.0 * p.pp * p.virtual_stages);
  const double moe_frac = m.layers > 0 ? 1.0 * m.MoeLayerCount() / m.layers : 0.0;
  const double moe_layers = layers * moe_frac;
  const double dense_layers = layers - moe_layers;
  double sliding_frac = 0;
  for (bool sl : m.sliding_layer) sliding_frac += sl ? 1.0 : 0.0;
  sliding_frac /= std::max(1, m.layers);

  const FlopsPerSecond gemm_rate(peak_.value() * eff_.gemm_compute);
  const FlopsPerSecond attn_rate(attn_peak_.value() * eff_.attention_compute);
  const BytesPerSecond mem_rate(hw_.hbm_bandwidth.value() * eff_.memory);

  // Matrix products (forward), per chip.
  const double attn_params = layers * m.AttentionParamsPerLayer();
  const double dense_mlp = dense_layers * m.DenseMlpParams();
  const double expert_active = moe_layers * m.moe.top_k * m.ExpertParams() * eff_.moe_imbalance;
  const double shared = moe_layers * (m.SharedExpertParams() + m.RouterParams());
  const double head = last ? 1.0 * m.vocab * m.hidden : 0.0;
  s.gemm_flops = 2.0 * tokens * (attn_params + dense_mlp + expert_active + shared + head) / t;
  const double shape_factor = GemmShapeFactorOfStage(p, tokens, layers, moe_layers, last);

  // Attention (causal, forward), per chip.
  const double d_qk = m.head_dim;
  const double d_v = m.attention == AttentionKind::kMla ? m.mla.v_head_dim : m.head_dim;
  const double full_keys = (seq + 1) / 2;
  const double win_keys =
      m.sliding_window > 0 ? std::min(full_keys, 1.0 * m.sliding_window) : full_keys;
  const double keys = (1.0 - sliding_frac) * full_keys + sliding_frac * win_keys;
  s.attn_flops = 2.0 * tokens * layers * m.heads / t * (d_qk + d_v) * keys;

  // Element-wise passes: each norm, residual add, activation function and rotary embedding reads
  // its inputs and writes its output once (16-bit); the loss reads and writes the logits.
  const double h = m.hidden;
  const double ffn =
      moe_frac > 0
          ? (1.0 - moe_frac) * m.intermediate +
                moe_frac * (m.moe.top_k * m.moe.expert_intermediate + m.moe.shared_intermediate)
          : m.intermediate;
  const double q_width = 1.0 * m.heads * m.head_dim;
  const double kv_width = 1.0 * m.kv_heads * m.head_dim;
  const double elem_per_token_layer =
      kActivationBytes * (10.0 * h + (m.gated_mlp ? 3.0 : 2.0) * ffn + 2.0 * (q_width + kv_width));
  double elem_bytes = tokens * layers * elem_per_token_layer / t;
  if (last) elem_bytes += tokens * m.vocab / t * 4.0 * 3.0;

  s.fwd_gemm = perftco::Flops(s.gemm_flops) / (gemm_rate * shape_factor);
  s.fwd_attn = perftco::Flops(s.attn_flops) / attn_rate;
  const Seconds fwd_elem = Bytes(elem_bytes) / mem_rate;
  s.fwd = s.fwd_gemm + s.fwd_attn + fwd_elem;
  s.bwd_gemm = s.fwd_gemm * 2.0;
  s.bwd_attn = s.fwd_attn * (kAttentionBackwardFactor / kAttentionBackwardEfficiency);
  s.bwd = s.bwd_gemm + s.bwd_attn + fwd_elem * 2.0;
  const double rc = p.recompute;
  s.rc = s.fwd * rc;

  // Tensor parallel with sequence parallelism: per layer an all-gather and a reduce-scatter
  // before and after attention and the MLP, forward and backward (Korthikanti et al. 2022);
  // their cost equals two all-reduces of the layer's activations each way.
  if (p.tp > 1) {
    const Seconds ar = AllReduce(Bytes(tokens * h * kActivationBytes), p.tp, 1);
    const Seconds fwd_comm = ar * (2.0 * layers);
    s.tp = fwd_comm * (2.0 + rc);
    if (opt_.tp_comm_overlap) {
      const auto hidden = [](Seconds comm, Seconds compute) {
        return std::max(Seconds(0), comm - compute);
      };
      s.tp_exposed = hidden(fwd_comm, s.fwd_gemm) + hidden(fwd_comm, s.bwd_gemm) +
                     hidden(fwd_comm, s.fwd_gemm) * rc;
    } else {
      s.tp_exposed = s.tp;
    }
  }

  // Context parallel. Ring: each full-attention layer passes the K and V of its sequence chunk
  // around the ring of cp ranks, hidden behind the attention computation; backward passes K, V
  // and their gradients. All-gather (Llama 3): each full-attention layer gathers the K and V of
  // all cp chunks before attention and reduce-scatters their gradients after the backward pass,
  // both on the critical path.
  if (p.cp > 1) {
    double kv_elems;
    if (m.attention == AttentionKind::kMla) {
      kv_elems = 1.0 * m.heads / t * (d_qk + d_v);
    } else {
      kv_elems = 2.0 * std::max(1.0, m.kv_heads / t) * m.head_dim;
    }
    const Bytes chunk(tokens * kv_elems * kActivationBytes);
    const double full_layers = layers * (1.0 - sliding_frac);
    if (opt_.cp_method == ContextParallelMethod::kAllGather) {
      const Bytes gathered = chunk * static_cast<double>(p.cp);
      const Seconds fwd_comm = AllGather(gathered, p.cp, p.tp) * full_layers;
      const Seconds bwd_comm = ReduceScatter(gathered, p.cp, p.tp) * full_layers;
      s.cp = fwd_comm * (1.0 + rc) + bwd_comm;
      s.cp_exposed = s.cp;
    } else {
      const bool crosses = p.tp * p.cp > hw_.scale_up.domain_chips;
      const Seconds hop = Placed(p.tp).PointToPoint(chunk, crosses);
      const Seconds fwd_comm = hop * ((p.cp - 1.0) * full_layers);
      const Seconds bwd_comm = fwd_comm * 2.0;
      s.cp = fwd_comm * (1.0 + rc) + bwd_comm;
      const Seconds attn_fwd_full = s.fwd_attn * (1.0 - sliding_frac);
      const Seconds attn_bwd_full = s.bwd_attn * (1.0 - sliding_frac);
      s.cp_exposed = std::max(Seconds(0), fwd_comm - attn_fwd_full) * (1.0 + rc) +
                     std::max(Seconds(0), bwd_comm - attn_bwd_full);
    }
  }

  // Expert parallel: dispatch and combine all-to-all per MoE layer, forward and backward (the
  // backward pass sends the gradients of both, in 16-bit).
  if (p.ep > 1 && moe_layers > 0) {
    const double routed = tokens / t;  // sequence parallel: each tp rank routes its share
    const int stride = p.tp * p.cp;
    const Seconds dispatch = ExpertAllToAll(routed, opt_.dispatch_bytes, p.ep, stride);
    const Seconds combine = ExpertAllToAll(routed, kActivationBytes, p.ep, stride);
    const Seconds fwd_comm = (dispatch + combine) * moe_layers;
    const Seconds bwd_comm = combine * (2.0 * moe_layers);
    s.ep = fwd_comm * (1.0 + rc) + bwd_comm;
    if (opt_.ep_comm_overlap) {
      const Seconds fwd_moe = s.fwd * (moe_layers / layers);
      const Seconds bwd_moe = s.bwd * (moe_layers / layers);
      s.ep_exposed = std::max(Seconds(0), fwd_comm - fwd_moe) * (1.0 + rc) +
                     std::max(Seconds(0), bwd_comm - bwd_moe);
    } else {
      s.ep_exposed = s.ep;
    }
  }

  // Pipeline: activations forward and their gradients backward at each chunk boundary.
  if (p.pp > 1) {
    const bool crosses = p.tp * p.cp * p.dp >= hw_.scale_up.domain_chips;
    const CollectiveModel placed = Placed(p.tp * p.cp * p.dp);
    const Seconds hop = placed.PointToPoint(Bytes(tokens * h * kActivationBytes / t), crosses);
    s.pp = hop * (2.0 * p.virtual_stages);
  }
  return s;
}

double TrainingModel::GemmShapeFactorOfStage(const TrainingPlan& p, double tokens, double layers,
                                             double moe_layers, bool last) const {
  // The stage's matrix products with their shapes (forward; the backward's data- and
  // weight-gradient products are taken at the same factor), combined by their FLOPs:
  // time = sum(flops_i / factor_i), so factor = sum(flops_i) / sum(flops_i / factor_i).
  const ModelConfig& m = model_;
  const int units = ComputeUnitsOf(hw_.family);
  const double t = p.tp;
  const double h = m.hidden;
  double flops = 0, weighted = 0;
  const auto add = [&](GemmShape s, double count) {
    if (s.n <= 0 || s.k <= 0 || count <= 0) return;
    const double f = s.Flops() * count;
    flops += f;
    weighted += f / GemmShapeFactor(s, units);
  };
  const double qkv = (1.0 * m.heads + 2.0 * m.kv_heads) * m.head_dim;
  const double attn_out = 1.0 * m.heads * m.head_dim;
  add({tokens, qkv / t, h, 1}, layers);
  add({tokens, h, attn_out / t, 1}, layers);
  const double up = m.gated_mlp ? 2.0 : 1.0;
  add({tokens, up * m.intermediate / t, h, 1}, layers - moe_layers);
  add({tokens, h, m.intermediate / t, 1}, layers - moe_layers);
  if (moe_layers > 0 && m.moe.num_experts > 0) {
    // Expert parallel: each rank holds E / ep experts and receives the tokens its ep peers route
    // to them, T k ep / E per expert on average.
    const double experts = std::max(1.0, 1.0 * m.moe.num_experts / p.ep);
    const double per_expert = tokens * m.moe.top_k * p.ep / m.moe.num_experts;
    add({per_expert, up * m.moe.expert_intermediate / t, h, experts}, moe_layers);
    add({per_expert, h, m.moe.expert_intermediate / t, experts}, moe_layers);
  }
  if (last) add({tokens, 1.0 * m.vocab / t, h, 1}, 1.0);
  return weighted > 0 ? flops / weighted : 1.0;
}

Result<TrainingStep> TrainingModel::StepUnchecked(const TrainingPlan& p,
                                                  const TrainingWorkload& w) const {
  PERFTCO_RETURN_IF_ERROR(Validate(p, w));
  const ModelConfig& m = model_;
  TrainingStep st;
  st.plan = p;
  st.micro_batches = MicroBatches(p, w);
  st.global_batch_seqs = st.micro_batches * p.micro_batch * p.dp;
  st.tokens_per_step = static_cast<double>(st.global_batch_seqs) * static_cast<double>(w.seq_len);
  const double mb = static_cast<double>(st.micro_batches);

  const StageWork s = Stage(p, w, /*last=*/true);

  // Data parallelism: gradients reduced over dp x cp ranks (stride tp), expert gradients over
  // the expert-data-parallel ranks; ZeRO decides what is reduced, gathered, and when.
  double dense = 0, expert = 0;
  StageParams(p, p.pp == 1, true, &dense, &expert);
  const int group = p.dp * p.cp;
  const int egroup = std::max(1, group / p.ep);
  const int sites = std::max(1, opt_.sites);
  const int site_group = group / sites;
  const int site_egroup = std::max(1, egroup / sites);
  const Bytes grads_d(dense * opt_.grad_bytes), grads_e(expert * opt_.grad_bytes);
  const Bytes weights_d(dense * opt_.weight_bytes), weights_e(expert * opt_.weight_bytes);
  const int stride_e = p.tp * p.cp * p.ep;
  const Seconds rs =
      ReduceScatter(grads_d, site_group, p.tp) + ReduceScatter(grads_e, site_egroup, stride_e);
  const Seconds ag =
      AllGather(weights_d, site_group, p.tp) + AllGather(weights_e, site_egroup, stride_e);
  const Seconds ar =
      AllReduce(grads_d, site_group, p.tp) + AllReduce(grads_e, site_egroup, stride_e);
  // Between sites: each site holds one model's gradient after its local reduction; a ring
  // all-reduce sends 2 (S-1)/S of it over the site's WAN link.
  Seconds wan;
  if (sites > 1) {
    const double bytes = 2.0 * (sites - 1.0) / sites * m.TotalParams() * opt_.grad_bytes;
    wan = Seconds(bytes / opt_.wan_bandwidth.value()) + opt_.wan_latency * (2.0 * (sites - 1));
  }
  const Seconds window_bwd = s.bwd + s.rc;  // the last micro-batch's backward hides the reduce
  const Seconds window_fwd = s.fwd;         // the next step's first forward hides the gather
  // dp_step_exposed: exposed once per step; dp_mb_exposed: exposed in every micro-batch.
  Seconds dp_time, dp_step_exposed, dp_mb_exposed, local;
  switch (p.zero_stage) {
    case 0:
      dp_time = ar;
      local = ar;
      dp_step_exposed = std::max(Seconds(0), ar - window_bwd);
      break;
    case 1:
      dp_time = rs + ag;
      local = rs;
      dp_step_exposed =
          std::max(Seconds(0), rs - window_bwd) + std::max(Seconds(0), ag - window_fwd);
      break;
    case 2:
      // Gradients reduce-scattered every micro-batch (no full gradient is kept).
      dp_time = rs * mb + ag;
      dp_mb_exposed = std::max(Seconds(0), rs - window_bwd);
      dp_step_exposed = std::max(Seconds(0), ag - window_fwd);
      break;
    default:
      // Weights gathered for forward and again for backward, gradients scattered, per micro-batch.
      dp_time = (ag * 2.0 + rs) * mb;
      dp_mb_exposed = std::max(Seconds(0), ag - s.fwd) + std::max(Seconds(0), ag + rs - window_bwd);
      break;
  }
  // The WAN all-reduce follows the local reduction: with ZeRO 0/1 it uses what is left of the
  // backward window; with ZeRO 2/3 the local reduction happened per micro-batch and the WAN
  // transfer of the accumulated shards is exposed.
  Seconds wan_exposed;
  if (sites > 1) {
    wan_exposed = p.zero_stage <= 1 ? std::max(Seconds(0), local + wan - window_bwd) -
                                          std::max(Seconds(0), local - window_bwd)
                                    : wan;
  }

  const Seconds t_mb =
      s.fwd + s.bwd + s.rc + s.tp_exposed + s.cp_exposed + s.ep_exposed + s.pp + dp_mb_exposed;
  const double fill = p.pp > 1 ? (p.pp - 1.0) / p.virtual_stages : 0.0;
  const Seconds pipeline = t_mb * (mb + fill);

  // Adam update of the parameters this chip owns: read the gradient, read and write fp32 master,
  // m and v, write the 16-bit weights; memory-bound.
  const double owned =
      p.zero_stage >= 1 ? dense / site_group + expert / site_egroup : dense + expert;
  const double update_bytes =
      owned * (opt_.grad_bytes + 2.0 * opt_.optimizer_bytes + opt_.weight_bytes);
  st.optimizer = Bytes(update_bytes) / BytesPerSecond(hw_.hbm_bandwidth.value() * eff_.memory);
  st.overhead = eff_.step_overhead;

  st.step_time = pipeline + dp_step_exposed + wan_exposed + st.optimizer + st.overhead;
  st.forward = s.fwd * mb;
  st.backward = s.bwd * mb;
  st.recompute = s.rc * mb;
  st.bubble = t_mb * fill;
  st.bubble_fraction = PipelineBubbleFraction(p.pp, st.micro_batches, p.virtual_stages);
  if (p.tp > 1) st.comm.push_back({"tp", s.tp * mb, s.tp_exposed * mb});
  if (p.cp > 1) st.comm.push_back({"cp", s.cp * mb, s.cp_exposed * mb});
  if (p.ep > 1 && s.ep.value() > 0) st.comm.push_back({"ep", s.ep * mb, s.ep_exposed * mb});
  if (p.pp > 1) st.comm.push_back({"pp", s.pp * mb, s.pp * mb});  // the fill is in the bubble
  if (group > 1) st.comm.push_back({"dp", dp_time, dp_step_exposed + dp_mb_exposed * mb});
  if (sites > 1) st.comm.push_back({"wan", wan, wan_exposed});

  // FLOPs per token: the model's (forward and backward of causal attention and the matrix
  // products) for MFU, and what runs (recomputation included) for HFU.
  const TrainingFlops f = Flops(w.seq_len);
  st.model_flops_per_token = f.forward_per_token * 3.0;
  st.hardware_flops_per_token = f.forward_per_token * (3.0 + p.recompute);
  st.tokens_per_s = st.tokens_per_step / st.step_time.value();
  const double chips = p.Chips();
  st.mfu = st.tokens_per_s * st.model_flops_per_token.value() / chips / peak_.value();
  st.hfu = st.tokens_per_s * st.hardware_flops_per_token.value() / chips / peak_.value();
  st.memory = Memory(p, w);
  return st;
}

Result<TrainingStep> TrainingModel::Step(const TrainingPlan& p, const TrainingWorkload& w) const {
  PERFTCO_ASSIGN_OR_RETURN(TrainingStep st, StepUnchecked(p, w));
  if (!st.memory.Fits()) return MemoryError(p, st.memory);
  return st;
}

}  // namespace perftco
