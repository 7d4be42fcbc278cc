#include "perftco/sweep.h"

#include <algorithm>
#include <atomic>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <thread>

#include "perftco/cost_model.h"
#include "perftco/estimate.h"
#include "perftco/scenario.h"
#include "perftco/serving_plan.h"
#include "perftco/setup.h"
#include "perftco/simulate.h"
#include "perftco/token_cost.h"
#include "perftco/workload.h"
#include "perftco/yaml_fields.h"

namespace perftco {
namespace {

// A number as the CSV shows it: 6 significant digits, the same on every machine and run.
std::string Num(double v) {
  std::ostringstream os;
  os << std::setprecision(6) << v;
  return os.str();
}

std::string NodeText(const YAML::Node& n) {
  if (!n) return "";
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

Status CheckFields(const YAML::Node& node, const std::string& where, SweepMode mode) {
  if (!node.IsMap()) return Status::Error(where + " must be a map of fields");
  return CheckYamlKeys(node, SweepFields(mode), where);
}

uint64_t GridSize(const SweepSpec& s) {
  uint64_t n = 1;
  for (const auto& [name, values] : s.grid) n *= values.size();
  return n;
}

}  // namespace

const std::vector<std::string>& SweepFields(SweepMode mode) {
  static const std::vector<std::string> kEstimate = [] {
    std::vector<std::string> f = ScenarioSetupKeys();
    for (const char* k : {"isl", "osl", "batch", "tpot_slo_ms"}) f.push_back(k);
    return f;
  }();
  static const std::vector<std::string> kSimulate = [] {
    std::vector<std::string> f;
    for (const std::string& k : SimulateScenarioKeys()) {
      if (k == "kind" || k == "name" || k == "description" || k == "disagg" ||
          k == "ttft_p99_limit_ms" || k == "tpot_p99_limit_ms" || k == "limits_from") {
        continue;
      }
      f.push_back(k);
    }
    return f;
  }();
  return mode == SweepMode::kSimulate ? kSimulate : kEstimate;
}

const std::vector<std::string>& SweepResultColumns(SweepMode mode) {
  // Both modes end with the six money cells of Money().
  static const auto with_money = [](std::vector<std::string> c) {
    for (const char* m :
         {"usd_per_m_out_owned", "usd_per_m_out_rented", "usd_per_m_out_owned_low",
          "usd_per_m_out_owned_high", "usd_per_m_out_rented_low", "usd_per_m_out_rented_high"}) {
      c.push_back(m);
    }
    return c;
  };
  static const std::vector<std::string> kEstimate = with_money(
      {"status", "plan", "served_batch", "ttft_ms", "tpot_ms", "tok_s_per_user", "tok_s_per_chip"});
  static const std::vector<std::string> kSimulate =
      with_money({"status", "plan", "req_s", "tok_s_per_chip", "ttft_p50_ms", "ttft_p99_ms",
                  "tpot_p50_ms", "tpot_p99_ms"});
  return mode == SweepMode::kSimulate ? kSimulate : kEstimate;
}

namespace {
Result<SweepSpec> ReadSweep(const YAML::Node& root, const std::string& path, bool force) {
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
      root, {"kind", "name", "description", "mode", "base", "grid", "list", "economics"}, path));
  SweepSpec s;
  if (root["mode"]) {
    const std::string mode = root["mode"].as<std::string>("");
    if (mode == "simulate") {
      s.mode = SweepMode::kSimulate;
    } else if (mode != "estimate") {
      return Status::Error(path + ": mode '" + mode + "' is not estimate or simulate");
    }
  }
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "name", path, &s.name));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "description", path, &s.description));
  s.base = root["base"] ? YAML::Clone(root["base"]) : YAML::Node(YAML::NodeType::Map);
  PERFTCO_RETURN_IF_ERROR(CheckFields(s.base, path + ": base", s.mode));
  if (root["grid"]) {
    PERFTCO_RETURN_IF_ERROR(CheckFields(root["grid"], path + ": grid", s.mode));
    for (const auto& axis : root["grid"]) {
      const std::string name = axis.first.as<std::string>();
      const std::string where = path + ": grid: " + name;
      if (!axis.second.IsSequence() || axis.second.size() == 0) {
        return Status::Error(where + " must list at least one value, e.g. " + name + ": [a, b]");
      }
      std::vector<YAML::Node> values;
      for (const auto& v : axis.second) values.push_back(YAML::Clone(v));
      s.grid.emplace_back(name, std::move(values));
      s.columns.push_back(name);
    }
  }
  if (root["list"]) {
    if (!root["list"].IsSequence() || root["list"].size() == 0) {
      return Status::Error(path + ": list must be a non-empty sequence of maps of fields");
    }
    for (size_t i = 0; i < root["list"].size(); ++i) {
      const YAML::Node entry = YAML::Clone(root["list"][i]);
      PERFTCO_RETURN_IF_ERROR(
          CheckFields(entry, path + ": list[" + std::to_string(i) + "]", s.mode));
      for (const auto& kv : entry) {
        const std::string key = kv.first.as<std::string>();
        if (std::find(s.columns.begin(), s.columns.end(), key) == s.columns.end()) {
          s.columns.push_back(key);
        }
      }
      s.list.push_back(entry);
    }
  }
  if (s.grid.empty() && s.list.empty()) {
    return Status::Error(path + ": a sweep needs a 'grid' of fields to vary or a 'list' of points");
  }
  if (root["economics"]) {
    PERFTCO_RETURN_IF_ERROR(
        ParseEconomicsOptions(root["economics"], path + ": economics", &s.economics));
  }
  // Points: the grid's combinations times the list's entries, checked for overflow.
  const long double points = [&] {
    long double n = 1;
    for (const auto& [name, values] : s.grid) n *= static_cast<long double>(values.size());
    return n * static_cast<long double>(std::max<size_t>(1, s.list.size()));
  }();
  if (points > static_cast<long double>(kMaxSweepPointsWithoutForce) && !force) {
    std::ostringstream os;
    os << std::setprecision(3) << static_cast<double>(points);
    return Status::Error(path + ": the sweep has " + os.str() + " points, more than " +
                         std::to_string(kMaxSweepPointsWithoutForce) +
                         ": narrow the grid, or pass --force to run it anyway");
  }
  if (points > 1.8e19L) return Status::Error(path + ": the sweep has too many points to count");
  s.points = GridSize(s) * std::max<size_t>(1, s.list.size());
  return s;
}
}  // namespace

Result<SweepSpec> ParseSweep(const YAML::Node& root, const std::string& path, bool force) {
  return GuardYaml(path, [&] { return ReadSweep(root, path, force); });
}

YAML::Node SweepPoint(const SweepSpec& spec, uint64_t index) {
  YAML::Node n = YAML::Clone(spec.base);
  const uint64_t entries = std::max<size_t>(1, spec.list.size());
  uint64_t combo = index / entries;
  for (size_t a = spec.grid.size(); a-- > 0;) {
    const auto& [name, values] = spec.grid[a];
    n[name] = YAML::Clone(values[combo % values.size()]);
    combo /= values.size();
  }
  if (!spec.list.empty()) {
    for (const auto& kv : spec.list[index % entries]) {
      n[kv.first.as<std::string>()] = YAML::Clone(kv.second);
    }
  }
  return n;
}

namespace {

std::string Usd(const std::optional<Dollars>& d) { return d ? Num(d->value()) : ""; }

// $ per million output tokens of throughput `t` on `hw`, owned and rented, then their ranges
// over the family's 80% throughput band and the sourced price ranges: the six money cells
// ("" where unknown).
Result<std::vector<std::string>> Money(const EconomicsData& economics, const EfficiencyTable& table,
                                       const SweepSpec& spec, const Hardware& hw,
                                       const Throughput& t) {
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip, EvaluateChip(hw, economics, spec.economics));
  const TokenEconomics money = TokenCosts(chip, t, spec.economics.margin);
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomicsRange range,
                           EvaluateChipRange(hw, economics, spec.economics));
  const ErrorBand& band = table.BandsFor(hw.family).throughput;
  const TokenCostRange r =
      TokenCostsOverRange(range, t, band.known() ? band.low : 1.0, band.known() ? band.high : 1.0,
                          spec.economics.margin);
  return std::vector<std::string>{Usd(money.owned_per_million_output),
                                  Usd(money.rented_per_million_output),
                                  Usd(r.owned_low),
                                  Usd(r.owned_high),
                                  Usd(r.rented_low),
                                  Usd(r.rented_high)};
}

// A simulate point: the point's fields as a `kind: simulate` scenario, one aggregated run.
Status SimulatePoint(const Catalog& catalog, const EfficiencyTable& table,
                     const EconomicsData& economics, const SweepSpec& spec, YAML::Node n,
                     const std::string& where, SweepRow* row) {
  n["kind"] = "simulate";
  PERFTCO_ASSIGN_OR_RETURN(SimulateOptions o, ParseSimulateScenario(n, where));
  PERFTCO_RETURN_IF_ERROR(ApplyReplicas(o.replicas, &o.setup));
  PERFTCO_ASSIGN_OR_RETURN(std::shared_ptr<Setup> setup, BuildSetup(catalog, table, o.setup));
  const CostModel& cost = *setup->cost;
  PERFTCO_ASSIGN_OR_RETURN(std::unique_ptr<RequestSource> source,
                           MakeRequestSource(o.workload, LimitsFor(cost)));
  PERFTCO_ASSIGN_OR_RETURN(SimulationSummary sim, RunSimulation(cost, o.serving, *source));
  Throughput t;
  t.chips = std::max(1, sim.chips);
  t.output_tokens_per_s_per_chip = sim.output_tokens_per_s_per_chip;
  t.input_tokens_per_s_per_chip = sim.throughput_input_tokens_per_s / t.chips;
  PERFTCO_ASSIGN_OR_RETURN(std::vector<std::string> money,
                           Money(economics, table, spec, setup->hardware, t));
  row->cells.insert(
      row->cells.end(),
      {"ok", cost.plan().ToString(), Num(sim.requests_per_s), Num(sim.output_tokens_per_s_per_chip),
       Num(sim.ttft.p50.value() * 1e3), Num(sim.ttft.p99.value() * 1e3),
       Num(sim.tpot.p50.value() * 1e3), Num(sim.tpot.p99.value() * 1e3)});
  row->cells.insert(row->cells.end(), money.begin(), money.end());
  row->ok = true;
  return Status::Ok();
}

}  // namespace

SweepRow EvaluateSweepPoint(const Catalog& catalog, const EfficiencyTable& table,
                            const EconomicsData& economics, const SweepSpec& spec, uint64_t index) {
  SweepRow row;
  row.index = index;
  const YAML::Node n = SweepPoint(spec, index);
  for (const std::string& c : spec.columns) row.cells.push_back(NodeText(n[c]));
  const auto fail = [&](const Status& st) {
    row.cells.resize(spec.columns.size());
    row.cells.push_back("error: " + st.message());
    row.cells.resize(spec.columns.size() + SweepResultColumns(spec.mode).size());
    row.ok = false;
    return row;
  };
  const std::string where = "point " + std::to_string(index);
  if (spec.mode == SweepMode::kSimulate) {
    Status st = SimulatePoint(catalog, table, economics, spec, YAML::Clone(n), where, &row);
    return st.ok() ? row : fail(st);
  }
  SetupOptions o;
  if (Status st = ParseSetupKeys(n, where, &o); !st.ok()) return fail(st);
  int64_t isl = 1000, osl = 1000, batch = 0;
  double tpot_ms = 0;
  if (Status st = ReadYamlField(n, "isl", where, &isl); !st.ok()) return fail(st);
  if (Status st = ReadYamlField(n, "osl", where, &osl); !st.ok()) return fail(st);
  if (Status st = ReadYamlField(n, "batch", where, &batch); !st.ok()) return fail(st);
  if (Status st = ReadYamlField(n, "tpot_slo_ms", where, &tpot_ms); !st.ok()) return fail(st);
  if (isl <= 0 || osl <= 0 || batch < 0 || tpot_ms < 0) {
    return fail(Status::Error(where + ": isl and osl must be positive, batch and tpot_slo_ms "
                                      "not negative"));
  }
  auto setup = BuildSetup(catalog, table, o);
  if (!setup.ok()) return fail(setup.status());
  const CostModel& cost = *(*setup)->cost;
  if (tpot_ms > 0) {
    auto b = LargestBatchForTpot(cost, isl, osl, Milliseconds(tpot_ms));
    if (!b.ok()) return fail(b.status());
    batch = *b;
  } else if (batch == 0) {
    batch = LargestAdmittedBatch(cost, isl + osl);
    if (batch < 1) return fail(Status::Error("no sequence of this length fits in the KV cache"));
  }
  auto point = EstimateBatch(cost, isl, osl, batch);
  if (!point.ok()) return fail(point.status());
  auto money =
      Money(economics, table, spec, (*setup)->hardware, PointThroughput(cost.plan(), *point, isl));
  if (!money.ok()) return fail(money.status());
  row.cells.insert(row.cells.end(),
                   {"ok", cost.plan().ToString(), std::to_string(batch),
                    Num(point->ttft.value() * 1e3), Num(point->tpot.value() * 1e3),
                    Num(point->tokens_per_s_per_user), Num(point->output_tokens_per_s_per_chip)});
  row.cells.insert(row.cells.end(), money->begin(), money->end());
  row.ok = true;
  return row;
}

std::vector<SweepRow> RunSweep(const Catalog& catalog, const EfficiencyTable& table,
                               const EconomicsData& economics, const SweepSpec& spec, int jobs,
                               std::vector<SweepRow> done,
                               const std::function<void(const SweepRow&)>& on_row, uint64_t limit,
                               uint64_t shard, uint64_t shards) {
  std::vector<SweepRow> rows(spec.points);
  std::vector<char> have(spec.points, 0);
  for (SweepRow& r : done) {
    if (r.index < spec.points && !have[r.index]) {
      have[r.index] = 1;
      rows[r.index] = std::move(r);
    }
  }
  std::atomic<uint64_t> next{0}, started{0};
  std::mutex report;
  const auto work = [&] {
    for (uint64_t i = next++; i < spec.points; i = next++) {
      if (have[i] || (shards > 1 && i % shards != shard)) continue;
      if (limit > 0 && started++ >= limit) return;
      rows[i] = EvaluateSweepPoint(catalog, table, economics, spec, i);
      if (on_row) {
        std::lock_guard<std::mutex> lock(report);
        on_row(rows[i]);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < std::max(1, jobs); ++j) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  return rows;
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    const std::string& c = cells[i];
    if (c.find_first_of(",\"\n\r") == std::string::npos) {
      out += c;
      continue;
    }
    out += '"';
    for (char ch : c) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  }
  return out + "\n";
}

Result<std::string> SweepCsv(const SweepSpec& spec, const std::vector<SweepRow>& rows,
                             const std::string& pareto) {
  std::vector<std::string> header = {"point"};
  header.insert(header.end(), spec.columns.begin(), spec.columns.end());
  const auto& result_columns = SweepResultColumns(spec.mode);
  header.insert(header.end(), result_columns.begin(), result_columns.end());
  std::vector<char> front(rows.size(), 0);
  if (!pareto.empty()) {
    const size_t comma = pareto.find(',');
    if (comma == std::string::npos) {
      return Status::Error("--pareto takes two result columns, x,y (a leading '-' minimises)");
    }
    int col[2];
    double sign[2];
    std::string names[2] = {pareto.substr(0, comma), pareto.substr(comma + 1)};
    for (int k = 0; k < 2; ++k) {
      sign[k] = 1;
      if (!names[k].empty() && names[k][0] == '-') {
        sign[k] = -1;
        names[k] = names[k].substr(1);
      }
      const auto& rc = result_columns;
      auto it = std::find(rc.begin(), rc.end(), names[k]);
      if (it == rc.end() || *it == "status" || *it == "plan") {
        std::string numeric;
        for (const std::string& c : rc) {
          if (c != "status" && c != "plan") numeric += (numeric.empty() ? "" : ", ") + c;
        }
        return Status::Error("--pareto: '" + names[k] + "' is not a numeric result column: use " +
                             numeric);
      }
      col[k] = static_cast<int>(spec.columns.size() + (it - rc.begin()));
    }
    std::vector<std::pair<double, double>> xy;
    std::vector<size_t> which;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!rows[i].ok) continue;
      const std::string& a = rows[i].cells[col[0]];
      const std::string& b = rows[i].cells[col[1]];
      if (a.empty() || b.empty()) continue;
      xy.emplace_back(sign[0] * std::stod(a), sign[1] * std::stod(b));
      which.push_back(i);
    }
    for (size_t k : ParetoFront(xy)) front[which[k]] = 1;
    header.push_back("pareto");
  }
  std::string out = CsvLine(header);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> cells = {std::to_string(rows[i].index)};
    cells.insert(cells.end(), rows[i].cells.begin(), rows[i].cells.end());
    if (!pareto.empty()) cells.push_back(front[i] ? "1" : "0");
    out += CsvLine(cells);
  }
  return out;
}

}  // namespace perftco
