#!/usr/bin/env bash
# Bad input gets one line on stderr naming the problem, a non-zero exit, and no stdout.
# Good input prints what the issue promises. Usage: tests/cli_test.sh path/to/perftco
set -u
bin="$1"
source "$(dirname "$0")/cli_lib.sh"

E=(estimate --model llama-3.1-70b --hardware h100-sxm --chips 8 --tp 8 --precision fp8)
expect_error "unknown model" "did you mean" estimate --model llama-3.1-7b --hardware h100-sxm
expect_error "unknown hardware" "h100" estimate --model llama-3.1-8b --hardware h10
expect_error "tp not dividing heads" "does not divide" estimate --model llama-3.1-70b --hardware h100-sxm --tp 3
expect_error "more chips than the domain" "scale-up domain" estimate --model llama-3.1-70b --hardware h100-sxm --chips 16
expect_error "zero isl" "must be positive" "${E[@]}" --isl 0
expect_error "negative osl" "must be positive" "${E[@]}" --osl -5
expect_error "bad batch list" "positive integers" "${E[@]}" --batch 1,x,3
expect_error "model too large" "does not fit" estimate --model llama-3.1-405b --hardware h100-sxm --chips 8
expect_error "malformed config" "malformed JSON" estimate --model tests/data/bad_models/broken.json --hardware h100-sxm
expect_error "malformed hardware file" "missing_bandwidth.yaml" --data-dir tests/data/bad_hw list hardware
expect_error "bad precision" "unknown precision" "${E[@]}" --kv-precision fp7
expect_error "missing scenario" "cannot open scenario" run no/such/file.yaml
expect_error "unknown scenario key" "did you mean 'tpot_slo_ms'" run tests/data/bad_scenario_key.yaml

expect_error "validate missing data" "no measured data" validate --data /no/such/file.csv
expect_error "validate malformed data" "bad_value.csv:3" validate --data tests/data/measured/bad_value.csv
expect_error "calibrate folds" "--folds" calibrate --folds 1 --dry-run
expect_error "calibrate holdout" "unknown hold-out scheme 'chip'" calibrate --holdout kfold,chip --dry-run
expect_error "calibrate holdout evals" "--holdout-evals" calibrate --holdout-evals 3 --dry-run
expect_error "model with linear attention" "not modelled" estimate --model qwen3.5-397b-a17b --hardware b200 --chips 8 --precision fp8

expect_ok "validate summary" "throughput metrics" validate --summary-only
expect_ok "validate json" '"median_abs_pct_error"' validate --json
expect_ok "validate unmodelled listed" "not in the catalog" validate --data tests/data/measured/minimal.csv
expect_ok "validate every issue-12 column" "n-disagg-chips" validate --data tests/data/measured/new_columns.csv
expect_error "validate pool tp without workers" "prefill_tp is given without prefill_workers" validate --data tests/data/measured/bad_pool.csv
expect_error "validate negative latency limit" "must be positive" validate --data tests/data/measured/bad_limit.csv
T=(train --model llama-3.1-70b --hardware h100-sxm --chips 64)
expect_error "train unknown model" "did you mean" train --model llama-3.1-7b --hardware h100-sxm --chips 8
expect_error "train no chips" "--chips must be" train --model llama-3.1-8b --hardware h100-sxm
expect_error "train bad recompute" "--recompute takes" "${T[@]}" --recompute maybe
expect_error "train tp not dividing heads" "does not divide" train --model llama-3.1-70b --hardware h100-sxm --chips 48 --tp 3
expect_error "train zero stage" "ZeRO stage 5" "${T[@]}" --zero 5
expect_error "train bad schedule" "unknown pipeline schedule" "${T[@]}" --schedule gpipe
expect_error "train does not fit" "no plan on 8 chips fits" train --model llama-3.1-405b --hardware h100-sxm --chips 8
expect_error "train sites without wan" "--wan-gbps" "${T[@]}" --sites 2
expect_error "train negative tokens" "--tokens must be" "${T[@]}" --tokens -5
expect_error "train zero batch" "--global-batch-tokens" "${T[@]}" --global-batch-tokens 0
expect_error "train absurd batch" "beyond the model" "${T[@]}" --global-batch-tokens 1e30
expect_error "train batch below dp" "exceeds the global batch" "${T[@]}" --dp 64 --global-batch-tokens 8192
expect_error "train two budgets" "not both" train --budget-flops 1e24 --budget-usd 1e6 --hardware h100-sxm
expect_error "train usd budget needs hardware" "needs --hardware" train --budget-usd 1e6
expect_error "train negative budget" "must be positive" train --budget-flops -1
expect_error "train fp4 precision" "bf16, fp16 or fp8" "${T[@]}" --precision fp4
expect_error "train bad scale-up" "must be positive" "${T[@]}" --scale-up-gb-per-s 0
expect_error "rl bad pass rate" "pass rate must be between" rl --model llama-3.1-8b --hardware h100-sxm --chips 8 --pass-rate 1.5
expect_error "rl grpo one sample" "at least 2 samples" rl --model llama-3.1-8b --hardware h100-sxm --chips 8 --samples 1
expect_error "rl async shared" "--pools split" rl --model llama-3.1-8b --hardware h100-sxm --chips 8 --pipeline async
expect_error "rl unknown pools" "unknown pool layout" rl --model llama-3.1-8b --hardware h100-sxm --pools both
expect_error "rl unknown keep" "unknown keep rule" rl --model llama-3.1-8b --hardware h100-sxm --keep some
expect_error "rl no price" "--usd-per-chip-hour" rl --model llama-3.1-8b --hardware mi300x --chips 8
expect_error "rl split with chips" "--rollout-chips" rl --model llama-3.1-8b --hardware h100-sxm --pools split --chips 8
expect_error "rl mean above cap" "below the mean length" rl --model llama-3.1-8b --hardware h100-sxm --rollout-tokens 1e9
expect_error "rl nothing kept" "no rollout was kept" rl --model llama-3.1-8b --hardware h100-sxm --chips 8 --pass-rate 0
expect_error "rl negative verify" "must not be negative" rl --model llama-3.1-8b --hardware h100-sxm --chips 8 --verify-s -1
expect_error "unknown training scenario key" "did you mean 'samples_per_prompt'" run tests/data/bad_rl_scenario.yaml

expect_ok "train table" "MFU" "${T[@]}" --tokens 1e12
expect_ok "train explicit plan" "dp4-tp8-pp2-zero1-mb1" "${T[@]}" --tp 8 --pp 2 --cp 1 --zero 1 --micro-batch 1 --recompute off --schedule 1f1b
expect_ok "train budget flops" "compute-optimal" train --budget-flops 3.8e25
expect_ok "train budget usd with model" "llama-3.1-70b" "${T[@]}" --budget-usd 1e6
expect_ok "train multi-site" "wan" "${T[@]}" --sites 2 --wan-gbps 400 --dp 4 --tp 8 --pp 2
expect_ok "train no price" "give --usd-per-chip-hour" train --model llama-3.1-8b --hardware mi300x --chips 8
expect_ok "rl defaults" "critical path" rl --model llama-3.1-8b --hardware h100-sxm
expect_ok "rl split async" "async pipeline" rl --model llama-3.1-8b --hardware h100-sxm --pools split --pipeline async --rollout-chips 8 --train-chips 8
for key in step_time_s mfu tokens_per_s chip_hours usd plan memory_gb_per_chip reliability; do
  expect_ok "train json key $key" "\"$key\"" "${T[@]}" --tokens 1e12 --json
done
for key in step_time_s split generation verification training sync usd_per_kept_token; do
  expect_ok "rl json key $key" "\"$key\"" rl --model llama-3.1-8b --hardware h100-sxm --chips 8 --json
done

expect_ok "list hardware" "gb200" list hardware
expect_ok "list missing prices and power" "rental price" list hardware --missing
expect_error "missing of models" "--missing applies to" list models --missing
expect_ok "list models" "deepseek-v3" list models
expect_ok "show hardware" "hbm_bandwidth" show mi300x
expect_ok "show model" "MLA" show deepseek-r1
expect_ok "estimate table" "tok/s/chip" "${E[@]}" --batch 1,8,64,256
expect_ok "estimate json keys" '"output_tokens_per_s_per_chip"' "${E[@]}" --batch 64 --json
expect_ok "estimate json points" '"points"' "${E[@]}" --batch 1,64 --json
expect_ok "estimate slo" "largest batch within TPOT" "${E[@]}" --tpot-slo-ms 30
expect_ok "config.json by path" "mixtral" estimate --model data/models/mixtral-8x7b.json --hardware h100-sxm --chips 2

for key in weights_bytes_per_chip kv_bytes_per_token max_batch batch ttft_s tpot_s \
           request_latency_s output_tokens_per_s output_tokens_per_s_per_chip; do
  expect_ok "json key $key" "\"$key\"" "${E[@]}" --batch 32 --json
done

# perftco simulate
S=(simulate --model llama-3.1-8b --hardware h100-sxm --tp 1 --rate 20 --requests 300)
expect_ok "simulate table" "TTFT" "${S[@]}"
expect_ok "simulate preset list in help" "reasoning" simulate --help
for key in requests duration_s throughput_output_tokens_per_s ttft_s tpot_s preemptions \
           goodput_requests_per_s mean p50 p99; do
  expect_ok "simulate json key $key" "\"$key\"" "${S[@]}" --json
done
expect_ok "simulate scenario file" "serving-chat-poisson" simulate --scenario scenarios/serving-chat-poisson.yaml --requests 100
expect_ok "simulate scenario with overrides" "\"requests\": 50" simulate --scenario scenarios/serving-reasoning-poisson.yaml --requests 50 --json
expect_ok "run a simulate scenario" "TPOT" run scenarios/serving-chat-poisson.yaml
expect_ok "vidur trace" "200 requests" simulate --model llama-3.1-8b --hardware h100-sxm --workload tests/data/traces/vidur_small.csv
expect_ok "trace scenario, path relative to it" "200 requests" run tests/data/trace_scenario.yaml
expect_ok "closed loop" "closed loop of 4 users" simulate --model llama-3.1-8b --hardware h100-sxm --arrival closed --users 4 --requests 40
expect_ok "disaggregated" "KV moved" simulate --model llama-3.1-8b --hardware h100-sxm --tp 1 --replicas 3 --prefill-replicas 1 --rate 10 --requests 100
D=(simulate --model llama-3.1-70b --hardware h100-sxm --precision fp8 --rate 2 --requests 60)
expect_ok "disaggregated pools of their own layout" "1 prefill x tp4 + 1 decode x tp8" "${D[@]}" --disagg prefill=1x4,decode=1x8
expect_ok "disaggregated pools in json" '"decode_plan": "tp8' "${D[@]}" --disagg prefill=1x4,decode=1x8 --json
expect_ok "disaggregated pools from a scenario" "2 prefill x tp1 + 1 decode x tp2" simulate --scenario tests/data/disagg_simulate.yaml
expect_error "disagg with --tp" "drop --tp" "${D[@]}" --disagg prefill=1x4,decode=1x8 --tp 4
expect_error "disagg chips disagree" "is not the 12 chips" "${D[@]}" --disagg prefill=1x4,decode=1x8 --chips 8
expect_error "disagg bad pool" "must be WxT" "${D[@]}" --disagg prefill=4,decode=1x8
expect_error "disagg pool that does not fit" "prefill pool:" simulate --model llama-3.1-405b --hardware h100-sxm --precision fp8 --rate 1 --disagg prefill=1x1,decode=1x8
L=(simulate --model llama-3.1-8b --hardware h100-sxm --requests 200 --input-len fixed:1000 --output-len fixed:200)
expect_ok "latency-bounded with published limits" "latency-bounded (p99 TTFT <= 500 ms, p99 TPOT <= 30 ms)" "${L[@]}" --limits-from interactive
expect_ok "latency-bounded in json" '"rate_search"' "${L[@]}" --ttft-p99-limit-ms 2000 --tpot-p99-limit-ms 100 --json
expect_error "limit below the unloaded latency" "below what the system reaches unloaded" "${L[@]}" --ttft-p99-limit-ms 1
expect_error "negative latency limit" "must be positive" "${L[@]}" --tpot-p99-limit-ms -5
expect_error "no published limits" "no published server latency limits for gpt-j-6b" simulate --model gpt-j-6b --hardware h100-sxm --limits-from server
expect_error "limits on a closed loop" "open-loop --arrival" "${L[@]}" --limits-from server --arrival closed --users 4
expect_error "unknown limits source" "use server or interactive" "${L[@]}" --limits-from offline
expect_ok "gamma arrivals, swap, static" "by swap" simulate --model llama-3.1-8b --hardware h100-sxm --mem-fraction 0.3 --workload reasoning --arrival gamma --burstiness 2 --rate 1 --requests 60 --preemption swap
expect_ok "agentic with prefix caching" "prefix cache" simulate --model llama-3.1-8b --hardware h100-sxm --tp 1 --replicas 2 --workload agentic --rate 0.5 --requests 100 --prefix-caching --router prefix-affinity

# Same seed, same bytes; the files appear only when the run succeeds.
out1=$("$bin" "${S[@]}" --json --seed 5)
out2=$("$bin" "${S[@]}" --json --seed 5)
out3=$("$bin" "${S[@]}" --json --seed 6)
if [ "$out1" = "$out2" ] && [ "$out1" != "$out3" ]; then pass=$((pass + 1)); else
  echo "FAIL: simulate --json is not reproducible for a seed"; fail=$((fail + 1)); fi
tmpd=$(mktemp -d)
if "$bin" "${S[@]}" --requests-csv "$tmpd/req.csv" --timeline-csv "$tmpd/tl.csv" >/dev/null &&
   [ "$(wc -l < "$tmpd/req.csv")" -eq 301 ] && head -1 "$tmpd/tl.csv" | grep -q kv_utilization &&
   [ ! -e "$tmpd/req.csv.tmp" ]; then pass=$((pass + 1)); else
  echo "FAIL: --requests-csv / --timeline-csv"; fail=$((fail + 1)); fi
# --trace: Chrome trace-event JSON, same bytes for the same seed; capped with a note on stderr.
if "$bin" "${S[@]}" --trace "$tmpd/t1.json" >/dev/null && "$bin" "${S[@]}" --trace "$tmpd/t2.json" >/dev/null &&
   cmp -s "$tmpd/t1.json" "$tmpd/t2.json" &&
   python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(e["ph"]=="X" for e in d["traceEvents"])' "$tmpd/t1.json" &&
   "$bin" "${S[@]}" --trace "$tmpd/t3.json" --trace-max-events 50 2>&1 >/dev/null | grep -q "reached --trace-max-events 50 at" &&
   python3 -c 'import json,sys; assert "truncated_at_s" in json.load(open(sys.argv[1]))["otherData"]' "$tmpd/t3.json"; then
  pass=$((pass + 1)); else echo "FAIL: simulate --trace"; fail=$((fail + 1)); fi
expect_error "trace sampling below 1" "--trace-every must be at least 1" "${S[@]}" --trace "$tmpd/bad_t.json" --trace-every 0

T=(simulate --model llama-3.1-8b --hardware h100-sxm --requests-csv "$tmpd/bad.csv" --timeline-csv "$tmpd/bad_tl.csv" --trace "$tmpd/bad_trace.json" --workload)
expect_error "malformed trace line" "malformed.csv:52: expected 3" "${T[@]}" tests/data/traces/malformed.csv
expect_error "negative arrival time" "negative_time.csv:2: negative arrival" "${T[@]}" tests/data/traces/negative_time.csv
expect_error "negative length" "negative_length.csv:3: input and output tokens must be at least 1" "${T[@]}" tests/data/traces/negative_length.csv
expect_error "request longer than the context" "exceeds the 131072-token context of llama-3.1-8b" "${T[@]}" tests/data/traces/too_long.csv
if ls "$tmpd"/bad* >/dev/null 2>&1; then
  echo "FAIL: a failed simulate left output files: $(ls "$tmpd")"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
expect_error "unknown simulate scenario key" "unknown key 'schedular': did you mean 'scheduler'" simulate --scenario tests/data/bad_simulate_key.yaml
expect_error "unknown simulate key via run" "did you mean 'scheduler'" run tests/data/bad_simulate_key.yaml
expect_error "unknown scheduler" "did you mean 'vllm-v1'" "${S[@]}" --scheduler vllm-v2
expect_error "unknown router" "did you mean 'least-kv'" "${S[@]}" --router least-kb
expect_error "unknown workload" "did you mean 'reasoning'" "${S[@]}" --workload reasoming
expect_error "fixed lengths beyond the context" "exceed the 131072-token context" "${S[@]}" --input-len fixed:200000
expect_error "no rate" "--rate must be positive" simulate --model llama-3.1-8b --hardware h100-sxm
expect_error "no model" "give --model and --hardware" simulate --rate 3
expect_error "replicas without tp" "--replicas needs --tp" simulate --model llama-3.1-8b --hardware h100-sxm --replicas 2 --rate 3
expect_error "no decode replica" "leaves no decode replica" "${S[@]}" --prefill-replicas 1
expect_error "negative SLO" "must not be negative" "${S[@]}" --slo-ttft-ms -5
expect_error "negative token budget" "--token-budget must be positive" "${S[@]}" --token-budget -1
expect_error "swap without host link" "host-link" simulate --model llama-3.1-8b --hardware tpu-v5p --rate 3 --preemption swap
rm -rf "$tmpd"

# Absurd sizes are refused at once (include/perftco/limits.h), not worked on for hours.
expect_error "1e15 requests" "more than the 100000000 requests" simulate --model llama-3.1-8b --hardware h100-sxm --rate 10 --requests 1000000000000000
expect_error "1e9 chips to plan" "more than the 4194304 chips" plan --model llama-3.1-8b --hardware h100-sxm --chips 1000000000
expect_error "1e9 chips to train" "more than the 4194304 chips" train --model llama-3.1-8b --hardware h100-sxm --chips 1000000000
expect_error "1e12-token sequences" "tokens per sequence" train --model llama-3.1-8b --hardware h100-sxm --chips 64 --seq-len 1000000000000
expect_error "a config with 3e9 layers" "beyond any model" estimate --model tests/data/bad_models/huge_layers.json --hardware h100-sxm
expect_error "a number beyond double" "malformed JSON" estimate --model tests/data/bad_models/number_overflow.json --hardware h100-sxm
expect_error "an osl beyond int64 sums" "at most 1000000000 tokens" estimate --model llama-3.1-8b --hardware h100-pcie --isl 1000 --osl 1888888888888888888
expect_error "a trace token count beyond int64" "is not an integer of at most" simulate --model llama-3.1-8b --hardware h100-sxm --workload tests/data/traces/huge_count.csv
# A file of the wrong shape (a map where a number belongs) is one line, not an abort (fuzzing).
expect_error "scenario of the wrong shape" "bad_scenario_shape.yaml" run tests/data/bad_scenario_shape.yaml

# SIGINT during a run: exit 130, one message, no output file and no temp file left.
sigdir=$(mktemp -d)
"$bin" simulate --model llama-3.1-8b --hardware h100-sxm --rate 400 --requests 20000000 \
  --requests-csv "$sigdir/requests.csv" >/dev/null 2>"$sigdir/err" &
sim=$!
sleep 1
kill -INT $sim
wait $sim
rc=$?
if [ $rc -eq 130 ] && [ -z "$(ls -A "$sigdir" | grep -v '^err$')" ] &&
   grep -q "interrupted" "$sigdir/err"; then
  pass=$((pass + 1))
else
  echo "FAIL: SIGINT: exit $rc, left: $(ls "$sigdir"), stderr: $(cat "$sigdir/err")"
  fail=$((fail + 1))
fi
rm -rf "$sigdir"

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
