#!/usr/bin/env bash
# perftco plan, parallelism and speculative-decoding options: bad input gets one line on stderr
# naming the problem, a non-zero exit, no stdout and no output file; good input prints what the
# issue promises; every catalog system runs estimate and plan. Usage: tests/plan_cli_test.sh perftco
set -u
bin="$1"
source "$(dirname "$0")/cli_lib.sh"

P=(plan --model llama-3.1-70b --hardware h100-sxm --chips 8 --precision fp8)
expect_error "plan without chips" "--chips" plan --model llama-3.1-70b --hardware h100-sxm
expect_error "plan zero chips" "--chips must be positive" plan --model llama-3.1-70b --hardware h100-sxm --chips 0
expect_error "plan unknown model" "did you mean" plan --model llama-3.1-7b --hardware h100-sxm --chips 8
expect_error "plan unknown hardware" "h100" plan --model llama-3.1-8b --hardware h10 --chips 8
expect_error "plan bad precision list" "unknown precision" "${P[@]:0:7}" --precision fp8,fp7
expect_error "plan empty precision" "empty format" "${P[@]:0:7}" --precision fp8,,fp4
expect_error "plan zero isl" "must be positive" "${P[@]}" --isl 0
expect_error "plan negative slo" "--tpot-slo-ms must be positive" "${P[@]}" --tpot-slo-ms -3
expect_error "plan context too long" "context" "${P[@]}" --osl 200000
expect_error "plan nothing fits" "no layout of llama-3.1-405b fits" plan --model llama-3.1-405b --hardware h100-sxm --chips 8 --precision bf16
expect_error "plan bad acceptance" "probability" "${P[@]}" --spec-tokens 2 --acceptance 1.5
expect_error "plan bad economics" "--margin" "${P[@]}" --margin 2
expect_error "plan csv into a missing directory" "cannot write" "${P[@]}" --csv "$tmp_dir/no/such/dir/p.csv"
[ -e "$tmp_dir/no/such/dir/p.csv" ] && { echo "FAIL: partial csv left behind"; fail=$((fail + 1)); }

expect_ok "plan table" "Pareto front" "${P[@]}" --tpot-slo-ms 40
expect_ok "plan best" "best at TPOT 40.0 ms" "${P[@]}" --tpot-slo-ms 40
expect_ok "plan money" "\$/M output tokens" "${P[@]}" --tpot-slo-ms 40
expect_ok "plan precisions" "fp4" "${P[@]:0:7}" --precision fp8,fp4
expect_ok "plan rejected listed" "rejected layouts" "${P[@]}"
expect_ok "plan xPyD comparison" "prefill/decode disaggregation (xPyD" "${P[@]}" --tpot-slo-ms 40 --ttft-slo-ms 2000
expect_ok "plan xPyD in json" "\"verdict\"" "${P[@]}" --tpot-slo-ms 40 --json
expect_error "plan negative ttft target" "--ttft-slo-ms must be positive" "${P[@]}" --ttft-slo-ms -3
expect_ok "plan target missed" "no layout meets TPOT" "${P[@]}" --tpot-slo-ms 1
expect_ok "plan wide ep across servers" "tp16-ep16-dpattn" plan --model deepseek-r1 --hardware h100-sxm --chips 16 --precision fp8 --all
expect_ok "plan with speculation" "speculative mtp k=1" plan --model deepseek-r1 --hardware h200-sxm --chips 8 --precision fp8 --spec-tokens 1
for key in best layouts pareto rejected curve at_slo economics usd_per_chip_hour; do
  expect_ok "plan json key $key" "\"$key\"" "${P[@]}" --tpot-slo-ms 40 --json
done
expect_ok "plan csv written" "wrote every evaluated point" "${P[@]}" --csv "$tmp_dir/p.csv"
if ! head -1 "$tmp_dir/p.csv" | grep -q "^layout,precision,tp,pp,ep,dp_attention"; then
  echo "FAIL: csv header"; fail=$((fail + 1))
else
  pass=$((pass + 1))
fi
if [ "$(grep -c ',true,' "$tmp_dir/p.csv")" -lt 1 ]; then
  echo "FAIL: csv marks no Pareto point"; fail=$((fail + 1))
else
  pass=$((pass + 1))
fi

E=(estimate --model llama-3.1-70b --hardware h100-sxm --chips 8 --precision fp8)
expect_error "estimate micro-batches without pp" "needs pipeline parallelism" "${E[@]}" --micro-batches 4
expect_error "estimate negative micro-batches" "micro_batches must be at least 1" "${E[@]}" --pp 2 --tp 4 --micro-batches -1
expect_error "estimate unknown spec method" "unknown --spec-method" "${E[@]}" --spec-tokens 2 --spec-method medusa
expect_error "estimate mtp without mtp layers" "no multi-token-prediction" "${E[@]}" --spec-tokens 1 --spec-method mtp
expect_error "estimate acceptance without a method" "needs speculative decoding" "${E[@]}" --acceptance 0.5
expect_error "estimate draft of another tokenizer" "tokenizer" "${E[@]}" --spec-tokens 3 --spec-method draft:mistral-7b
expect_error "estimate ep on a dense model" "mixture-of-experts" "${E[@]}" --ep 2
expect_error "estimate ep not dividing tp" "must divide tp" estimate --model deepseek-r1 --hardware h200-sxm --chips 8 --precision fp8 --ep 3
expect_error "estimate tp across servers without dp-attention" "dp-attention" estimate --model deepseek-r1 --hardware h100-sxm --chips 16 --tp 16 --ep 16 --precision fp8
expect_ok "estimate wide ep across servers" "tp16-ep16-dpattn" estimate --model deepseek-r1 --hardware h100-sxm --chips 16 --tp 16 --ep 16 --dp-attention --precision fp8 --kv-precision fp8 --batch 64
expect_ok "estimate pipeline micro-batches" "tp4-pp2-mb4" "${E[@]}" --tp 4 --pp 2 --micro-batches 4 --batch 64
expect_ok "estimate eagle" "tok/s/user" "${E[@]}" --spec-tokens 3 --spec-method eagle --acceptance 0.8 --batch 1
expect_ok "estimate draft model" "tok/s/user" "${E[@]}" --spec-tokens 4 --spec-method draft:llama-3.2-1b --batch 1

# Every system in the catalog runs estimate and plan on a model it can hold.
systems=$("$bin" list hardware | awk 'NR > 2 {print $1}')
[ -n "$systems" ] || { echo "FAIL: no systems listed"; fail=$((fail + 1)); }
for hw in $systems; do
  expect_ok "estimate on $hw" "tok/s/chip" estimate --model llama-3.1-8b --hardware "$hw" --chips 2 --tp 2 --precision fp8 --batch 1,16
  expect_ok "plan on $hw" "Pareto front" plan --model mixtral-8x7b --hardware "$hw" --chips 8 --precision fp8 --tpot-slo-ms 100
done

# Every catalog system also runs the serving simulator end to end (issue 4, item 5).
for hw in $(ls data/hardware/*.yaml | xargs -n1 basename | sed 's/\.yaml$//'); do
  expect_ok "simulate on $hw" "TTFT" simulate --model mixtral-8x7b --hardware "$hw" --chips 8 \
    --tp 8 --precision fp8 --workload chat --rate 1 --requests 50
done

echo "plan cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
