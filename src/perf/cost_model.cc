#include "perftco/cost_model.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <utility>

namespace perftco {
namespace {

// Activations move between kernels in 16-bit formats, whatever the GEMM input format.
constexpr double kActivationBytes = 2.0;
// Embedding and LM-head tables stay 16-bit in fp8/fp4 checkpoints (ModelOpt, Quark and the
// DeepSeek/gpt-oss releases quantise only the transformer blocks' linear layers).
constexpr double kEmbeddingBytes = 2.0;

std::string Gb(Bytes b) {
  std::ostringstream os;
  os.precision(b.value() < 10e9 ? 2 : 0);
  os << std::fixed << b.value() / kGiga << " GB";
  return os.str();
}

}  // namespace

void BatchShape::AddPrefillChunk(int64_t before, int64_t chunk, bool final_chunk) {
  prefill_tokens += chunk;
  ++prefill_seqs;
  if (final_chunk) ++prefill_final_seqs;
  const double c = static_cast<double>(chunk);
  prefill_attn_pairs += c * static_cast<double>(before) + c * (c + 1.0) / 2.0;
  prefill_ctx_sum += static_cast<double>(before + chunk);
}

CostModel::CostModel(const ModelConfig& model, const Hardware& hw, const ParallelPlan& plan,
                     const Precisions& precisions, const Efficiency& eff,
                     const EngineMemory& engine, const SpeculativeDecoding& spec)
    : CostModel(std::make_shared<const ModelConfig>(model), std::make_shared<const Hardware>(hw),
                plan, precisions, eff, engine, spec) {}

CostModel::CostModel(std::shared_ptr<const ModelConfig> model_ptr,
                     std::shared_ptr<const Hardware> hw_ptr, const ParallelPlan& plan,
                     const Precisions& precisions, const Efficiency& eff,
                     const EngineMemory& engine, const SpeculativeDecoding& spec)
    : model_(std::move(model_ptr)),
      hw_(std::move(hw_ptr)),
      plan_(plan),
      prec_(precisions),
      eff_(eff),
      engine_(engine),
      collectives_(*hw_, eff, engine.in_network_reduction),
      spec_(spec) {
  const ModelConfig& model = *model_;
  const Hardware& hw = *hw_;
  const Precision compute = hw.ComputePrecision(precisions.weights, precisions.activations);
  double gemm_eff = eff.gemm_compute;
  if (compute == Precision::kFp8 || compute == Precision::kInt8) gemm_eff = eff.gemm_compute_fp8;
  if (compute == Precision::kFp4 || compute == Precision::kInt4) gemm_eff = eff.gemm_compute_fp4;
  gemm_rate_ = hw.Peak(compute) * gemm_eff;
  wide_gemm_rate_ = hw.Peak(Precision::kBf16) * eff.gemm_compute;
  attention_rate_ = hw.Peak(Precision::kBf16) * eff.attention_compute;
  compute_units_ = ComputeUnitsOf(hw.family);

  // The heaviest pipeline stage (by parameters) sets the pace and the memory per chip.
  const int layers = std::max(1, model.layers);
  const int pp = std::clamp(plan.pp, 1, layers);
  const double moe_layer_params = plan.ExpertSlots(model.moe.num_experts) * model.ExpertParams() +
                                  model.SharedExpertParams() + model.RouterParams();
  double heaviest = -1.0;
  int first = 0;
  for (int count : StageLayerCounts(layers, pp)) {
    double params = 0, moe = 0, sliding = 0;
    for (int l = first; l < first + count && l < model.layers; ++l) {
      const bool is_moe = l < static_cast<int>(model.moe_layer.size()) && model.moe_layer[l];
      params +=
          model.AttentionParamsPerLayer() + (is_moe ? moe_layer_params : model.DenseMlpParams());
      moe += is_moe ? 1.0 : 0.0;
      const bool is_sliding = model.sliding_window > 0 &&
                              l < static_cast<int>(model.sliding_layer.size()) &&
                              model.sliding_layer[l];
      sliding += is_sliding ? 1.0 : 0.0;
    }
    if (params > heaviest) {
      heaviest = params;
      stage_layers_ = count;
      stage_moe_layers_ = moe;
      stage_sliding_layers_ = sliding;
    }
    first += count;
  }

  // Speculative decoding: the draft is costed as a model of its own, without host overheads
  // (its passes run inside the engine step that already pays them).
  if (spec_.enabled()) {
    verify_tokens_ = spec_.tokens + 1;
    Efficiency draft_eff = eff;
    draft_eff.step_overhead = Seconds(0);
    draft_eff.seq_overhead = Seconds(0);
    ParallelPlan draft_plan = plan;
    draft_plan.pp = 1;
    draft_plan.micro_batches = 0;
    draft_plan.replicas = 1;
    if (spec_.kind == DraftKind::kDraftModel && spec_.draft_model) {
      // A separate model: tensor-parallel over the largest divisor of tp that divides its heads.
      draft_plan.tp = std::gcd(plan.tp, std::max(1, spec_.draft_model->heads));
      draft_plan.ep = 1;
      draft_plan.dp_attention = false;
      draft_ = std::make_shared<const CostModel>(spec_.draft_model, hw_, draft_plan, precisions,
                                                 draft_eff, engine);
    } else {
      draft_ =
          std::make_shared<const CostModel>(std::make_shared<const ModelConfig>(DraftHeadConfig(
                                                model, std::max(1, spec_.draft_layers))),
                                            hw_, draft_plan, precisions, draft_eff, engine);
    }
  }
}

OpCost CostModel::Roofline(const char* name, OpClass cls, Flops flops, Bytes bytes,
                           FlopsPerSecond achieved) const {
  OpCost op;
  op.name = name;
  op.op_class = cls;
  op.flops = flops;
  op.bytes = bytes;
  const Seconds tc = flops / achieved;
  const Seconds tm = bytes / BytesPerSecond(hw_->hbm_bandwidth.value() * eff_.memory);
  op.compute_bound = tc > tm;
  op.time = std::max(tc, tm);
  return op;
}

FlopsPerSecond CostModel::Shaped(FlopsPerSecond rate, const GemmShape& shape) const {
  if (compute_units_ <= 0 || shape.m <= 0 || shape.n <= 0 || shape.k <= 0) return rate;
  return rate * GemmShapeFactor(shape, compute_units_);
}

StepCost CostModel::Stage(const BatchShape& s, double share, bool with_breakdown) const {
  const ModelConfig& m = *model_;
  const double tp = plan_.tp;
  const bool dpa = plan_.dp_attention;
  const double w = BytesPerElement(prec_.weights);
  const double kvb = BytesPerElement(prec_.kv);
  const double a = kActivationBytes;
  const double h = m.hidden;
  // This micro-batch's part of the step. With speculation every decode sequence carries its
  // drafted tokens plus one through the model (MODELING-NOTES: verification is a short prefill).
  const double q = verify_tokens_;
  const double prefill_tokens = static_cast<double>(s.prefill_tokens) * share;
  const double prefill_seqs = static_cast<double>(s.prefill_seqs) * share;
  const double decode_seqs = static_cast<double>(s.decode_seqs) * share;
  const double decode_tokens = decode_seqs * q;
  const double tokens = prefill_tokens + decode_tokens;

  // Layers of the heaviest stage, by kind.
  const double layers = stage_layers_;
  const double moe_layers = stage_moe_layers_;
  const double dense_layers = layers - moe_layers;
  const double sliding_frac = layers > 0 ? stage_sliding_layers_ / layers : 0.0;

  StepCost cost;
  auto add = [&](OpCost op, double times) {
    op.flops = op.flops * times;
    op.bytes = op.bytes * times;
    op.time = op.time * times;
    cost.flops += op.flops;
    cost.bytes += op.bytes;
    if (op.op_class == OpClass::kCommunication) {
      cost.comm_time += op.time;
    } else if (op.compute_bound) {
      cost.compute_time += op.time;
    } else {
      cost.memory_time += op.time;
    }
    cost.time += op.time;
    if (with_breakdown && op.time.value() > 0) cost.ops.push_back(std::move(op));
  };

  // Attention: with dp_attention a chip runs all heads for 1/tp of the sequences.
  const double attn_share = dpa ? 1.0 / tp : 1.0;  // fraction of the batch on this chip
  const double head_share = plan_.HeadsPerChip(m.heads) / m.heads;  // of the heads, on this chip
  const double attn_tokens = tokens * attn_share;
  const double p_attn = m.AttentionParamsPerLayer() * head_share;
  add(Roofline("attention projections", OpClass::kGemm, Flops(2.0 * attn_tokens * p_attn),
               Bytes(p_attn * w + attn_tokens * 4.0 * h * a),
               Shaped(gemm_rate_, {attn_tokens, p_attn / h, h})),
      layers);

  // KV elements one chip stores per token per layer.
  double kv_elems = m.KvElementsPerTokenPerLayer();
  if (m.attention == AttentionKind::kGqa && !dpa) {
    kv_elems = 2.0 * m.head_dim * plan_.KvHeadsPerChip(m.kv_heads);
  }
  const double heads = m.heads * head_share;
  for (int sliding = 0; sliding <= 1; ++sliding) {
    const double frac = sliding ? sliding_frac : 1.0 - sliding_frac;
    if (frac <= 0.0) continue;
    const double win = m.sliding_window;
    double dec_ctx = s.decode_ctx_sum * share * attn_share;
    double pairs = s.prefill_attn_pairs * share * attn_share;
    double pre_ctx = s.prefill_ctx_sum * share * attn_share;
    if (sliding) {
      dec_ctx = std::min(dec_ctx, decode_seqs * attn_share * win);
      pairs = std::min(pairs, prefill_tokens * attn_share * win);
      pre_ctx = std::min(pre_ctx, (prefill_tokens + prefill_seqs * win) * attn_share);
    }
    double dec_flops_per_key;
    double pre_flops_per_pair;
    if (m.attention == AttentionKind::kMla) {
      // Absorbed decode: scores over latent + rope, values over the latent, per head.
      dec_flops_per_key = 2.0 * heads * (2.0 * m.mla.kv_lora_rank + m.mla.qk_rope_head_dim);
      // Prefill in the expanded form: QK over qk_nope + rope, PV over v_head_dim.
      pre_flops_per_pair = 2.0 * heads * (m.head_dim + m.mla.v_head_dim);
    } else {
      dec_flops_per_key = 4.0 * heads * m.head_dim;
      pre_flops_per_pair = 4.0 * heads * m.head_dim;
    }
    const double layer_count = layers * frac;
    if (s.prefill_tokens > 0) {
      add(Roofline("attention prefill", OpClass::kAttention, Flops(pre_flops_per_pair * pairs),
                   Bytes(pre_ctx * kv_elems * kvb + prefill_tokens * attn_share * 2.0 * h * a),
                   attention_rate_),
          layer_count);
    }
    if (s.decode_seqs > 0) {
      // Each decode sequence reads its KV once for its q query tokens.
      add(Roofline("attention decode", OpClass::kAttention, Flops(dec_flops_per_key * dec_ctx * q),
                   Bytes(dec_ctx * kv_elems * kvb + decode_tokens * attn_share * 2.0 * h * a),
                   attention_rate_),
          layer_count);
    }
  }

  // Feed-forward: dense layers, then routed + shared experts.
  if (dense_layers > 0) {
    const double p = m.DenseMlpParams() / tp;
    add(Roofline("mlp", OpClass::kGemm, Flops(2.0 * tokens * p),
                 Bytes(p * w + tokens * (2.0 * h + 2.0 * m.intermediate / tp) * a),
                 Shaped(gemm_rate_, {tokens, p / h, h})),
        dense_layers);
  }
  if (moe_layers > 0) {
    const double e = m.moe.num_experts;
    const double k = m.moe.top_k;
    const double assignments = tokens * k;
    // Expected distinct experts touched under uniform routing (MODELING-NOTES 5).
    const double touched = e * (1.0 - std::pow(1.0 - k / e, tokens));
    const double pe = m.ExpertParams();
    // A grouped GEMM over the experts this chip holds that tokens reach: each expert sharded
    // tp / ep ways, fed its share of the assignments.
    const GemmShape grouped{assignments / std::max(1.0, touched), pe * plan_.ep / tp / h, h,
                            std::max(1.0, touched / plan_.ep)};
    add(Roofline("moe experts", OpClass::kGemm,
                 Flops(2.0 * assignments * pe / tp * eff_.moe_imbalance),
                 Bytes(touched * pe / tp * w + assignments / plan_.ep * 2.0 * h * a),
                 Shaped(gemm_rate_, grouped)),
        moe_layers);
    const double ps = m.SharedExpertParams() / tp + m.RouterParams();
    add(Roofline("moe shared + router", OpClass::kGemm, Flops(2.0 * tokens * ps),
                 Bytes(ps * w + tokens * 2.0 * h * a), Shaped(gemm_rate_, {tokens, ps / h, h})),
        moe_layers);
  }

  // Norms, residual adds, rotary, activation functions: memory-bound passes over the hidden state.
  add(Roofline("norms + elementwise", OpClass::kMemory, Flops(10.0 * attn_tokens * h),
               Bytes(attn_tokens * 6.0 * h * a), hw_->Peak(Precision::kBf16)),
      layers);

  // Communication inside the replica.
  Seconds moe_a2a;  // the expert all-to-all of the whole stage
  if (plan_.tp > 1) {
    const Bytes act(tokens * h * a);
    OpCost comm;
    comm.op_class = OpClass::kCommunication;
    if (!dpa) {
      comm.name = "tp all-reduce x2";
      comm.time = collectives_.AllReduce(act, plan_.tp) * 2.0;
      add(comm, layers);
    } else {
      // Dense layers gather the tokens of all ranks and scatter them back.
      comm.name = "dp-attention gather/scatter";
      comm.time = collectives_.AllReduce(act, plan_.tp);
      add(comm, dense_layers);
      // Routed tokens: dispatch to and combine from the expert ranks. The busiest rank receives
      // moe_imbalance times the mean and sets the pace (as it does for the expert GEMMs).
      // Dispatch carries the activations in their GEMM format (fp8 where the experts run fp8,
      // DeepSeek-V3 report sec. 3.3.2), combine returns bf16 partial sums.
      const double dispatch_bytes = std::min(a, BytesPerElement(prec_.activations));
      const double copies = tokens / tp * eff_.moe_imbalance * h;
      comm.name = "ep all-to-all x2";
      const double remote = RemoteDomainsPerToken();
      comm.time = collectives_.ExpertAllToAll(Bytes(copies * dispatch_bytes), plan_.tp, m.moe.top_k,
                                              remote) +
                  collectives_.ExpertAllToAll(Bytes(copies * a), plan_.tp, m.moe.top_k, remote);
      moe_a2a = comm.time * moe_layers;
      add(comm, moe_layers);
    }
  }

  // Embedding lookup and LM head (the head only for tokens that produce logits).
  const double logits_tokens = decode_tokens + static_cast<double>(s.prefill_final_seqs) * share;
  const double head = static_cast<double>(m.vocab) * h / tp;
  add(Roofline("embedding + lm head", OpClass::kGemm, Flops(2.0 * logits_tokens * head),
               Bytes(head * kEmbeddingBytes + tokens * h * a),
               Shaped(wide_gemm_rate_, {logits_tokens, head / h, h})),
      1.0);
  // Two-batch overlap (SGLang --enable-two-batch-overlap, DeepSeek's DualPipe idea for serving):
  // the batch runs as two halves, one's expert all-to-all under the other's compute, so the
  // all-to-all costs only what the work beside it cannot hide.
  if (engine_.moe_comm_overlap && moe_a2a.value() > 0) {
    cost.overlapped_comm = std::min(cost.compute_time + cost.memory_time, moe_a2a);
    cost.time -= cost.overlapped_comm;
  }
  return cost;
}

double CostModel::RemoteDomainsPerToken() const {
  const int domain = std::max(1, hw_->scale_up.domain_chips);
  const int domains = (plan_.tp + domain - 1) / domain;
  if (domains <= 1) return 0.0;
  // Experts lie in contiguous blocks, one block per domain. A token picks top_k distinct experts
  // (or, group-limited, topk_groups distinct groups, each group inside one domain when the
  // domains divide the groups); a domain is missed with the hypergeometric probability
  // C(n - n/D, k) / C(n, k) of drawing all k picks from the other domains' n - n/D.
  const MoeConfig& moe = model_->moe;
  const bool grouped = moe.topk_groups > 0 && moe.groups % domains == 0;
  const double n = grouped ? moe.groups : moe.num_experts;
  const int k = grouped ? moe.topk_groups : moe.top_k;
  const double per_domain = n / domains;
  double miss = 1.0;
  for (int i = 0; i < k; ++i) miss *= std::max(0.0, n - per_domain - i) / (n - i);
  return (1.0 - miss) * (domains - 1);
}

Seconds CostModel::DraftTime(const BatchShape& shape) const {
  if (!draft_) return Seconds(0);
  Seconds t;
  if (shape.prefill_tokens > 0) {
    // The draft also reads every prompt (its own KV, or the hidden states it drafts from).
    BatchShape prefill = shape;
    prefill.decode_seqs = 0;
    prefill.decode_ctx_sum = 0;
    t += draft_->Step(prefill).time;
  }
  if (shape.decode_seqs > 0) {
    // k sequential draft passes, one token per sequence each.
    BatchShape decode;
    decode.decode_seqs = shape.decode_seqs;
    decode.decode_ctx_sum = shape.decode_ctx_sum;
    t += draft_->Step(decode).time * static_cast<double>(spec_.tokens);
  }
  return t;
}

StepCost CostModel::Step(const BatchShape& shape, bool with_breakdown) const {
  if (shape.Tokens() == 0) return StepCost{};
  StepCost cost;
  if (plan_.pp == 1) {
    cost = Stage(shape, 1.0, with_breakdown);
    cost.stage_time = cost.time;
  } else {
    // m micro-batches (never more than the sequences) flow through pp stages. A stage spends
    // t_s on each; between stages the micro-batch's hidden states hop to the next stage's
    // chips, over the scale-up links or, where the replica leaves a domain, over the NICs.
    const int pp = plan_.pp;
    const int64_t seqs = std::max<int64_t>(1, shape.decode_seqs + shape.prefill_seqs);
    const int m = static_cast<int>(std::min<int64_t>(plan_.MicroBatches(), seqs));
    const double share = 1.0 / m;
    const StepCost stage = Stage(shape, share, with_breakdown);
    const double micro_tokens = (static_cast<double>(shape.prefill_tokens) +
                                 static_cast<double>(shape.decode_seqs) * verify_tokens_) *
                                share;
    const Bytes handoff(micro_tokens * model_->hidden * kActivationBytes);
    const int domain = std::max(1, hw_->scale_up.domain_chips);
    const int stages_per_domain = std::max(1, domain / plan_.tp);
    const int crossing = (pp + stages_per_domain - 1) / stages_per_domain - 1;
    const int inside = pp - 1 - crossing;
    const Seconds hops = collectives_.PointToPoint(handoff, false) * static_cast<double>(inside) +
                         collectives_.PointToPoint(handoff, true) * static_cast<double>(crossing);
    const Seconds t_s = stage.time;
    // Steady state: stage 0 takes a new micro-batch every t_s, but a micro-batch's next step
    // cannot start before it has come back (its round trip: pp stages and the hops).
    const Seconds busy = t_s * static_cast<double>(m);
    const Seconds round_trip = t_s * static_cast<double>(pp) + hops;
    // Alone: the last micro-batch enters after (m - 1) t_s and needs a round trip to leave.
    const Seconds alone = t_s * static_cast<double>(m - 1) + round_trip;
    cost = stage;
    const double times = m;
    cost.compute_time = stage.compute_time * times;
    cost.memory_time = stage.memory_time * times;
    cost.comm_time = stage.comm_time * times + hops * (times / pp);
    cost.flops = stage.flops * times;
    cost.bytes = stage.bytes * times;
    for (OpCost& op : cost.ops) {
      op.flops = op.flops * times;
      op.bytes = op.bytes * times;
      op.time = op.time * times;
    }
    if (with_breakdown && hops.value() > 0) {
      OpCost hop;
      hop.name = "pipeline p2p";
      hop.op_class = OpClass::kCommunication;
      hop.time = hops * (times / pp);
      cost.ops.push_back(hop);
    }
    cost.stage_time = t_s;
    cost.micro_batches = m;
    cost.time = std::max(busy, round_trip);
    cost.latency = alone;
    cost.bubble = alone.value() > 0 ? 1.0 - busy / alone : 0.0;
  }
  if (spec_.enabled()) {
    cost.draft_time = DraftTime(shape);
    cost.tokens_per_decode_seq = spec_.TokensPerStep();
    cost.time += cost.draft_time;
    cost.latency += cost.draft_time;
  }
  // Host-side work per step: a fixed part and a part per sequence in the batch (sampling,
  // scheduler bookkeeping, detokenisation), which is what caps small models at large batches.
  // With attention data parallelism every tp rank runs a scheduler of its own over its share of
  // the sequences (SGLang's and vLLM's data-parallel attention launch one engine core per rank),
  // so the per-sequence part runs tp-way in parallel.
  const double host_ranks = plan_.dp_attention ? plan_.tp : 1.0;
  cost.overhead = eff_.step_overhead +
                  eff_.seq_overhead *
                      (static_cast<double>(shape.decode_seqs + shape.prefill_seqs) / host_ranks);
  cost.time += cost.overhead;
  if (plan_.pp == 1)
    cost.latency = cost.time;
  else
    cost.latency += cost.overhead;
  return cost;
}

Bytes CostModel::ModelWeightBytesPerChip() const {
  const ModelConfig& m = *model_;
  const double tp = plan_.tp;
  const double w = BytesPerElement(prec_.weights);
  const double layers = stage_layers_;
  const double moe_layers = stage_moe_layers_;
  const double attn =
      layers * m.AttentionParamsPerLayer() * plan_.HeadsPerChip(m.heads) / std::max(1, m.heads);
  const double dense = (layers - moe_layers) * m.DenseMlpParams() / tp;
  const double moe = moe_layers * (plan_.ExpertSlots(m.moe.num_experts) * m.ExpertParams() / tp +
                                   m.SharedExpertParams() / tp + m.RouterParams());
  // The first stage holds the embedding, the last the LM head; with pp == 1 one chip has both.
  const double tables = (plan_.pp == 1 ? m.EmbeddingParams() + m.LmHeadParams()
                                       : std::max(m.EmbeddingParams(), m.LmHeadParams())) /
                        tp;
  const double table_bytes = std::max(w, kEmbeddingBytes);
  return Bytes((attn + dense + moe) * w + tables * table_bytes);
}

Bytes CostModel::DraftWeightBytesPerChip() const {
  if (!draft_) return Bytes(0);
  if (spec_.kind == DraftKind::kDraftModel) return draft_->ModelWeightBytesPerChip();
  // A draft head shares the model's embedding and LM head: only its layers are extra.
  const ModelConfig& d = draft_->model();
  const double table_bytes = std::max(BytesPerElement(prec_.weights), kEmbeddingBytes);
  const double tables = (d.EmbeddingParams() + d.LmHeadParams()) / plan_.tp * table_bytes;
  return draft_->ModelWeightBytesPerChip() - Bytes(tables);
}

Bytes CostModel::WeightBytesPerChip() const {
  return ModelWeightBytesPerChip() + DraftWeightBytesPerChip();
}

Bytes CostModel::KvBytesPerSequencePerChip(int64_t context) const {
  const ModelConfig& m = *model_;
  const int64_t block = std::max(1, engine_.block_size);
  const double tokens = static_cast<double>((context + block - 1) / block * block);
  double kv_elems = m.KvElementsPerTokenPerLayer();
  if (m.attention == AttentionKind::kGqa && !plan_.dp_attention) {
    kv_elems = 2.0 * m.head_dim * plan_.KvHeadsPerChip(m.kv_heads);
  }
  // The heaviest stage's layers: full attention over every token, sliding windows over at most
  // the window (plus a partly filled block).
  const double full = stage_layers_ - stage_sliding_layers_;
  const double window = std::min(tokens, static_cast<double>(m.sliding_window + block));
  const double sum = (full * tokens + stage_sliding_layers_ * window) * kv_elems;
  Bytes kv(sum * BytesPerElement(prec_.kv));
  if (draft_) kv += draft_->KvBytesPerSequencePerChip(context);
  return kv;
}

MemoryBudget CostModel::Memory() const {
  const ModelConfig& m = *model_;
  MemoryBudget b;
  b.hbm = hw_->hbm_capacity;
  b.usable = hw_->hbm_capacity * engine_.usable_fraction;
  b.weights = WeightBytesPerChip();
  b.draft_weights = DraftWeightBytesPerChip();
  // Peak activation workspace of the largest step (vLLM profiles it with a dummy forward of
  // max_num_batched_tokens): hidden states, the FFN intermediate on this chip, 16-bit.
  const double ffn = std::max<double>(m.intermediate, m.moe.top_k * m.moe.expert_intermediate);
  b.activations = Bytes(static_cast<double>(engine_.max_batched_tokens) *
                        (4.0 * m.hidden + 2.0 * ffn / plan_.tp) * kActivationBytes);
  b.runtime_reserve = engine_.runtime_reserve;
  if (engine_.fraction_of_free) {
    b.usable = b.hbm;
    b.kv_capacity =
        (b.hbm - b.weights - b.activations - b.runtime_reserve) * engine_.usable_fraction;
  } else {
    b.kv_capacity = b.usable - b.weights - b.activations - b.runtime_reserve;
  }
  b.kv_bytes_per_token =
      Bytes(m.layers * m.KvElementsPerTokenPerLayer() * BytesPerElement(prec_.kv));
  b.kv_bytes_per_token_per_chip =
      KvBytesPerSequencePerChip(engine_.block_size) / static_cast<double>(engine_.block_size);
  const double replicas_of_kv = plan_.dp_attention ? plan_.tp : 1.0;
  b.kv_token_capacity =
      b.kv_capacity.value() <= 0
          ? 0
          : static_cast<int64_t>(b.kv_capacity / b.kv_bytes_per_token_per_chip * replicas_of_kv);
  return b;
}

int64_t CostModel::MaxSequences(int64_t context) const {
  const MemoryBudget b = Memory();
  if (b.kv_capacity.value() <= 0) return 0;
  const double per_seq = KvBytesPerSequencePerChip(std::max<int64_t>(1, context)).value();
  const double per_chip = std::floor(b.kv_capacity.value() / per_seq);
  const auto by_kv = static_cast<int64_t>(per_chip * (plan_.dp_attention ? plan_.tp : 1));
  return engine_.max_num_seqs > 0 ? std::min(by_kv, engine_.max_num_seqs) : by_kv;
}

Status CostModel::Fits() const {
  const MemoryBudget b = Memory();
  if (b.kv_capacity.value() > KvBytesPerSequencePerChip(engine_.block_size).value()) {
    return Status::Ok();
  }
  const int chips = plan_.ChipsPerReplica();
  std::ostringstream os;
  os << model_->name << " does not fit: it needs " << Gb(b.weights) << " of weights per chip at "
     << PrecisionName(prec_.weights) << " (" << plan_.ToString() << ", " << Gb(b.weights * chips)
     << " in all) plus " << Gb(b.activations + b.runtime_reserve)
     << " of activations and reserve, but one " << hw_->name << " has " << Gb(b.usable)
     << " usable of " << Gb(b.hbm) << " (" << chips << " x " << hw_->name << " = "
     << Gb(b.usable * chips) << "): use fp8 or fp4 weights, more chips (raise tp or pp), or "
     << "hardware with more memory";
  return Status::Error(os.str());
}

Flops CostModel::ForwardFlopsPerToken(int64_t context) const {
  const ModelConfig& m = *model_;
  const double linear = 2.0 * (m.ActiveParams() - m.EmbeddingParams());
  double per_key;
  if (m.attention == AttentionKind::kMla) {
    per_key = 2.0 * m.heads * (2.0 * m.mla.kv_lora_rank + m.mla.qk_rope_head_dim);
  } else {
    per_key = 4.0 * m.heads * m.head_dim;
  }
  double attn = 0.0;
  for (int l = 0; l < m.layers; ++l) {
    const bool sliding = m.sliding_window > 0 && m.sliding_layer[l];
    attn += per_key * (sliding ? std::min<double>(context, m.sliding_window) : context);
  }
  return Flops(linear + attn);
}

}  // namespace perftco
