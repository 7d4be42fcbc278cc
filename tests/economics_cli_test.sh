#!/usr/bin/env bash
# Economics commands: bad input gets one line on stderr naming the problem, a non-zero exit, no
# stdout; good input prints what the issue promises. Usage: tests/economics_cli_test.sh perftco
set -u
bin="$1"
source "$(dirname "$0")/cli_lib.sh"

E=(estimate --model llama-3.1-70b --hardware h100-sxm --chips 8 --tp 8 --precision fp8 --batch 64)
C=(compare --model llama-3.1-8b --precision fp8 --hardware h100-sxm,trn2 --tpot-slo-ms 50)
D=(datacenter --budget-mw 100 --ai-hardware gb200 --model llama-3.1-70b --precision fp8 --tpot-slo-ms 50)

# Bad input: negative prices, zero years, PUE below 1, unknown systems, bad margins.
expect_error "negative chip price" "--chip-price-usd must be positive" tco --hardware trn2 --chip-price-usd -5000
expect_error "zero rental price" "--rental-usd-per-chip-hour must be positive" tco --hardware h100-sxm --rental-usd-per-chip-hour 0
expect_error "negative system price" "--system-price-usd-per-chip must be positive" "${E[@]}" --system-price-usd-per-chip -1
expect_error "zero depreciation years" "--depreciation-years must be in (0, 100]" tco --hardware h100-sxm --depreciation-years 0
expect_error "zero facility life" "--facility-life-years must be in (0, 100]" "${C[@]}" --facility-life-years 0
expect_error "PUE below 1" "PUE cannot be below 1" tco --hardware h100-sxm --pue 0.9
expect_error "PUE below 1 in datacenter" "PUE cannot be below 1" "${D[@]}" --pue 0.5
expect_error "negative electricity price" "--electricity-usd-per-kwh must be >= 0" "${E[@]}" --electricity-usd-per-kwh -0.1
expect_error "margin of 1" "--margin must be in [0, 1)" "${E[@]}" --margin 1
expect_error "negative margin" "--margin must be in [0, 1)" "${C[@]}" --margin -0.2
expect_error "unknown system in tco" "did you mean" tco --hardware h10
expect_error "unknown system in compare" "h10" compare --model llama-3.1-8b --hardware h100-sxm,h10 --tpot-slo-ms 50
expect_error "unknown system in a chip flag" "trn3" "${C[@]}" --chip-price-usd trn3=5000
expect_error "unknown AI system" "did you mean" datacenter --budget-mw 100 --ai-hardware gb20 --model llama-3.1-8b --tpot-slo-ms 50
expect_error "unknown CPU server" "did you mean" "${D[@]}" --new-server epyc-7743-2p
expect_error "unknown per-core performance" "--new-per-core-perf" "${D[@]}" --new-server epyc-9965-1p
expect_error "fleet over budget" "more than the 1 MW budget" datacenter --budget-mw 1 --old-count 100000 --ai-hardware gb200 --model llama-3.1-8b --tpot-slo-ms 50
expect_error "zero budget" "--budget-mw must be positive" datacenter --budget-mw 0 --ai-hardware gb200 --model llama-3.1-8b --tpot-slo-ms 50
expect_error "zero watts per server" "needs positive cores and power" "${D[@]}" --new-watts 0
expect_error "bad chip flag text" "takes a number" "${C[@]}" --chip-price-usd cheap
expect_error "json and csv" "not both" "${C[@]}" --json --csv
expect_error "zero TPOT target" "--tpot-slo-ms must be positive" compare --model llama-3.1-8b --hardware h100-sxm --tpot-slo-ms 0
expect_error "unknown economics scenario key" "did you mean 'depreciation_years'" run tests/data/bad_economics_key.yaml
expect_error "unknown scenario kind" "model-size-cost" run tests/data/bad_scenario_kind.yaml

# Good input.
expect_ok "tco table" "total (owned)" tco --hardware h100-sxm
expect_ok "tco json" '"usd_per_chip_hour"' tco --hardware h100-sxm --json
expect_ok "tco json parts" '"usd_per_chip_hour_parts"' tco --hardware h100-sxm --json
expect_ok "tco unknown is reported" "missing purchase price" tco --hardware trn2
expect_ok "tco override makes it known" "total (owned)" tco --hardware trn2 --chip-price-usd 5000
expect_ok "estimate json money" '"usd_per_million_output_tokens"' "${E[@]}" --json
expect_ok "estimate json energy" '"joules_per_output_token"' "${E[@]}" --json
expect_ok "estimate json per MW" '"output_tokens_per_s_per_mw"' "${E[@]}" --json
expect_ok "estimate table money" '$/M out owned' "${E[@]}" --margin 0.6
expect_ok "estimate margin column" "60% margin" "${E[@]}" --margin 0.6
expect_ok "compare table" "tok/s per MW" "${C[@]}"
expect_ok "compare json" '"systems"' "${C[@]}" --json
expect_ok "compare csv" "rank,hardware,plan" "${C[@]}" --csv
expect_ok "compare per-system price" "trn2" "${C[@]}" --chip-price-usd trn2=5000
expect_ok "datacenter table" "power balance" "${D[@]}"
expect_ok "datacenter json" '"freed_mw"' "${D[@]}" --json
expect_ok "datacenter assumed per-core" "power balance" "${D[@]}" --new-server epyc-9965-1p --new-per-core-perf 78.3

S=(sensitivity --model llama-3.1-8b --hardware h100-sxm --batch 8)
expect_ok "sensitivity table" "HBM bandwidth" "${S[@]}"
expect_ok "sensitivity json" '"elasticities"' "${S[@]}" --json
expect_error "sensitivity step" "step must be between 0 and 1" "${S[@]}" --step 0
expect_error "sensitivity negative batch" "--batch must be positive" sensitivity --model llama-3.1-8b --hardware h100-sxm --batch -4
expect_error "sensitivity unknown model" "did you mean" sensitivity --model llama-3.1-8 --hardware h100-sxm

echo "economics cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
