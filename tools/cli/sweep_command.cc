// perftco sweep FILE.yaml: a grid and/or list of points, each estimated, one CSV row per point;
// threads with --jobs; with --out, a checkpoint (OUT.partial) that an interrupted run resumes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "economics_options.h"
#include "perftco/scenario.h"
#include "perftco/sweep.h"

namespace perftco::cli {
namespace {

struct SweepArgs {
  std::string file;
  int jobs = 1;
  std::string out;
  std::string pareto;
  bool force = false;
  uint64_t stop_after = 0;  // tests: stop after this many new points, leaving the checkpoint
};

// FNV-1a of the sweep file's canonical form: a checkpoint resumes only the sweep that wrote it.
std::string Fingerprint(const YAML::Node& root) {
  YAML::Emitter e;
  e << root;
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : std::string(e.c_str())) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The rows of a checkpoint written by the same sweep; none when there is none or it is another's.
std::vector<SweepRow> ReadCheckpoint(const std::string& path, const std::string& fingerprint) {
  std::vector<SweepRow> rows;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line != "perftco sweep checkpoint " + fingerprint) return rows;
  while (std::getline(in, line)) {
    // A line cut short by a kill does not parse and is dropped (and evaluated again).
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("i") || !j.contains("cells")) continue;
    SweepRow r;
    r.index = j["i"].get<uint64_t>();
    r.ok = j.value("ok", false);
    r.cells = j["cells"].get<std::vector<std::string>>();
    rows.push_back(std::move(r));
  }
  return rows;
}

Status RunSweepCommand(CliContext* ctx, const SweepArgs& a) {
  if (a.jobs < 1) return Status::Error("--jobs must be at least 1");
  if (a.stop_after > 0 && a.out.empty()) return Status::Error("--stop-after needs --out");
  PERFTCO_ASSIGN_OR_RETURN(YAML::Node root, LoadScenarioYaml(a.file));
  if (ScenarioKind(root) != "sweep") {
    return Status::Error(a.file + ": not a sweep (kind: sweep); run other scenarios with perftco run");
  }
  PERFTCO_ASSIGN_OR_RETURN(SweepSpec spec, ParseSweep(root, a.file, a.force));
  if (!a.pareto.empty()) {
    // Check the option before any work: the CSV of no rows fails the same way.
    PERFTCO_RETURN_IF_ERROR(SweepCsv(spec, {}, a.pareto).status());
  }
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData data, LoadEconomics(ctx));
  PERFTCO_RETURN_IF_ERROR(ValidateEconomicsOptions(spec.economics));

  std::vector<SweepRow> done;
  std::ofstream checkpoint;
  const std::string partial = a.out + ".partial";
  const std::string fingerprint = Fingerprint(root);
  if (!a.out.empty()) {
    done = ReadCheckpoint(partial, fingerprint);
    std::ofstream fresh(partial, std::ios::trunc);  // rewritten whole: no torn line survives
    fresh << "perftco sweep checkpoint " << fingerprint << "\n";
    for (const SweepRow& r : done) {
      fresh << nlohmann::json{{"i", r.index}, {"ok", r.ok}, {"cells", r.cells}}.dump() << "\n";
    }
    fresh.close();
    checkpoint.open(partial, std::ios::app);
    if (!checkpoint) return Status::Error("cannot write the checkpoint " + partial);
  }
  const auto on_row = [&](const SweepRow& r) {
    if (!checkpoint.is_open()) return;
    checkpoint << nlohmann::json{{"i", r.index}, {"ok", r.ok}, {"cells", r.cells}}.dump() << "\n";
    checkpoint.flush();
  };
  const std::vector<SweepRow> rows =
      RunSweep(*catalog, *table, data, spec, a.jobs, std::move(done), on_row, a.stop_after);
  if (a.stop_after > 0) {
    for (const SweepRow& r : rows) {
      if (r.cells.empty()) {
        std::printf("stopped after %llu new points; rerun to resume from %s\n",
                    static_cast<unsigned long long>(a.stop_after), partial.c_str());
        return Status::Ok();
      }
    }
  }
  PERFTCO_ASSIGN_OR_RETURN(std::string csv, SweepCsv(spec, rows, a.pareto));
  if (a.out.empty()) {
    std::fputs(csv.c_str(), stdout);
    return Status::Ok();
  }
  PERFTCO_RETURN_IF_ERROR(WriteFileAtomically(a.out, csv));
  checkpoint.close();
  std::error_code ec;
  std::filesystem::remove(partial, ec);
  int ok = 0;
  for (const SweepRow& r : rows) ok += r.ok;
  std::printf("%s: %zu points (%d served, %zu with a reason in 'status') written to %s\n",
              spec.name.c_str(), rows.size(), ok, rows.size() - ok, a.out.c_str());
  return Status::Ok();
}

}  // namespace

void AddSweepCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<SweepArgs>();
  sub->add_option("file", a->file, "a sweep file (kind: sweep)")->required();
  sub->add_option("--jobs,-j", a->jobs, "threads; the output does not depend on them")
      ->capture_default_str();
  sub->add_option("--out,-o", a->out,
                  "write the CSV here (atomically); an interrupted run resumes from OUT.partial");
  sub->add_option("--pareto", a->pareto,
                  "mark the non-dominated rows of two result columns, x,y (maximised; a leading "
                  "'-' minimises), e.g. tok_s_per_user,tok_s_per_chip");
  sub->add_flag("--force", a->force, "run a sweep of more than 10 million points");
  sub->add_option("--stop-after", a->stop_after,
                  "stop after this many new points, leaving OUT.partial (to test resuming)")
      ->group("");
  sub->callback([ctx, a] { ctx->status = RunSweepCommand(ctx, *a); });
}

}  // namespace perftco::cli
