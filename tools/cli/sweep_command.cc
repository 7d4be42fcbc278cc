// perftco sweep FILE.yaml: a grid and/or list of points, each estimated, one CSV row per point;
// threads with --jobs; with --out, a checkpoint (OUT.partial) that an interrupted run resumes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#ifdef PERFTCO_HAVE_MPI
#include <mpi.h>
#endif

#include <cstdlib>

#include "commands.h"
#include "economics_options.h"
#include "perftco/scenario.h"
#include "perftco/sweep.h"
#include "perftco/yaml_fields.h"

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
    try {  // a line edited by hand into the wrong types is dropped too
      r.index = j["i"].get<uint64_t>();
      r.ok = j.value("ok", false);
      r.cells = j["cells"].get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

// Launched by mpirun (OpenMPI, MPICH/PMI): the world size it gives, else 1.
int LaunchedRanks() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    if (const char* v = std::getenv(var)) return std::max(1, std::atoi(v));
  }
  return 1;
}

std::string RowJson(const SweepRow& r) {
  return nlohmann::json{{"i", r.index}, {"ok", r.ok}, {"cells", r.cells}}.dump() + "\n";
}

#ifdef PERFTCO_HAVE_MPI
// The sweep over MPI ranks: rank r evaluates the points with index % ranks == r on its threads,
// rank 0 gathers every row and writes the CSV. No checkpoint (each rank's share is small).
Status RunSweepMpi(const Catalog& catalog, const EfficiencyTable& table, const EconomicsData& data,
                   const SweepSpec& spec, const SweepArgs& a) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(nullptr, nullptr);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const std::vector<SweepRow> mine =
      RunSweep(catalog, table, data, spec, a.jobs, {}, nullptr, 0, rank, ranks);
  std::string text;
  for (const SweepRow& r : mine) {
    if (!r.cells.empty()) text += RowJson(r);
  }
  const int length = static_cast<int>(text.size());
  std::vector<int> lengths(ranks), offsets(ranks);
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (rank == 0) {
    size_t total = 0;
    for (int r = 0; r < ranks; ++r) {
      offsets[r] = static_cast<int>(total);
      total += lengths[r];
    }
    all.resize(total);
  }
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, MPI_COMM_WORLD);
  Status st = Status::Ok();
  if (rank == 0) {
    std::vector<SweepRow> rows;
    std::istringstream in(all);
    std::string line;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      SweepRow r;
      r.index = j["i"].get<uint64_t>();
      r.ok = j["ok"].get<bool>();
      r.cells = j["cells"].get<std::vector<std::string>>();
      rows.push_back(std::move(r));
    }
    // Every point was evaluated by some rank: RunSweep only places them.
    rows = RunSweep(catalog, table, data, spec, 1, std::move(rows), nullptr);
    Result<std::string> csv = SweepCsv(spec, rows, a.pareto);
    if (!csv.ok()) {
      st = csv.status();
    } else if (a.out.empty()) {
      std::fputs(csv->c_str(), stdout);
    } else {
      st = WriteFileAtomically(a.out, *csv);
      if (st.ok()) {
        std::printf("%s: %zu points on %d MPI ranks written to %s\n", spec.name.c_str(),
                    rows.size(), ranks, a.out.c_str());
      }
    }
  }
  MPI_Finalize();
  return st;
}
#endif

Status RunSweepCommand(CliContext* ctx, const SweepArgs& a) {
  if (a.jobs < 1) return Status::Error("--jobs must be at least 1");
  if (a.stop_after > 0 && a.out.empty()) return Status::Error("--stop-after needs --out");
  PERFTCO_ASSIGN_OR_RETURN(YAML::Node root, LoadScenarioYaml(a.file));
  if (ScenarioKind(root) != "sweep") {
    return Status::Error(a.file +
                         ": not a sweep (kind: sweep); run other scenarios with perftco run");
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
  if (LaunchedRanks() > 1) {
#ifdef PERFTCO_HAVE_MPI
    if (a.stop_after > 0) return Status::Error("--stop-after does not combine with mpirun");
    return RunSweepMpi(*catalog, *table, data, spec, a);
#else
    return Status::Error(
        "this perftco was built without MPI: install libopenmpi-dev (scripts/install-deps.sh) "
        "and rebuild, or run the sweep without mpirun (--jobs N uses threads)");
#endif
  }

  std::vector<SweepRow> done;
  std::ofstream checkpoint;
  const std::string partial = a.out + ".partial";
  const std::string fingerprint = Fingerprint(root);
  if (!a.out.empty()) {
    done = ReadCheckpoint(partial, fingerprint);
    std::ofstream fresh(partial, std::ios::trunc);  // rewritten whole: no torn line survives
    fresh << "perftco sweep checkpoint " << fingerprint << "\n";
    for (const SweepRow& r : done) {
      fresh << RowJson(r);
    }
    fresh.close();
    checkpoint.open(partial, std::ios::app);
    if (!checkpoint) return Status::Error("cannot write the checkpoint " + partial);
  }
  const auto on_row = [&](const SweepRow& r) {
    if (!checkpoint.is_open()) return;
    checkpoint << RowJson(r);
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
  sub->callback(
      [ctx, a] { ctx->status = GuardYaml(a->file, [&] { return RunSweepCommand(ctx, *a); }); });
}

}  // namespace perftco::cli
