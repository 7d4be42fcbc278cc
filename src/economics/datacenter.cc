#include "perftco/datacenter.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace perftco {
namespace {

Status CheckServer(const CpuServerSpec& s, const char* role, const char* flag) {
  if (s.cores < 1 || !(s.power.value() > 0)) {
    std::ostringstream os;
    os << role << " server '" << s.name << "' needs positive cores and power (got " << s.cores
       << " cores, " << s.power.value() << " W)";
    return Status::Error(os.str());
  }
  if (!s.per_core_perf) {
    return Status::Error(std::string(role) + " server '" + s.name +
                         "' has no per-core performance (" + s.per_core_unknown + "): give " +
                         flag);
  }
  if (!(*s.per_core_perf > 0)) {
    return Status::Error(std::string(role) + " server per-core performance must be positive");
  }
  return Status::Ok();
}

}  // namespace

int64_t FleetFillingSite(const SiteSpec& site, const CpuServerSpec& server) {
  if (!(server.power.value() > 0) || site.pue < 1) return 0;
  return static_cast<int64_t>(std::floor(site.budget.value() / (server.power.value() * site.pue)));
}

Result<AiSystemSpec> AiSystemOf(const Hardware& hw, const EconomicsData& data,
                                const ChipEconomics& chip, double output_tokens_per_s_per_chip) {
  if (!chip.it_power) {
    std::string why = "no power data";
    for (const auto& m : chip.missing) {
      if (m.rfind("power:", 0) == 0) why = m;
    }
    return Status::Error("the power of " + hw.name + " is unknown: " + why);
  }
  AiSystemSpec ai;
  ai.hardware = hw.name;
  const HardwarePrices* prices = data.prices.Find(hw.name);
  ai.chips_per_system =
      prices && prices->system_kw ? prices->power_chips : std::max(1, hw.scale_up.domain_chips);
  ai.it_power_per_system = *chip.it_power * static_cast<double>(ai.chips_per_system);
  ai.output_tokens_per_s_per_chip = output_tokens_per_s_per_chip;
  if (chip.owned_per_hour) ai.owned_per_chip_hour = chip.owned_per_hour->Total();
  return ai;
}

Result<SitePlan> PlanSite(const SiteSpec& site, const CpuFleet& old_fleet,
                          const CpuServerSpec& replacement, const AiSystemSpec& ai) {
  if (!(site.budget.value() > 0)) return Status::Error("the site's power budget must be positive");
  if (!(site.pue >= 1)) {
    std::ostringstream os;
    os << "pue must be >= 1 (got " << site.pue
       << "): facility power includes the IT power, so PUE cannot be below 1";
    return Status::Error(os.str());
  }
  if (old_fleet.count < 1) return Status::Error("the old CPU fleet needs at least one server");
  PERFTCO_RETURN_IF_ERROR(CheckServer(old_fleet.server, "old", "--old-per-core-perf"));
  PERFTCO_RETURN_IF_ERROR(CheckServer(replacement, "new", "--new-per-core-perf"));
  if (ai.chips_per_system < 1 || !(ai.it_power_per_system.value() > 0)) {
    return Status::Error("the AI system '" + ai.hardware +
                         "' needs a known, positive power per system");
  }
  if (ai.output_tokens_per_s_per_chip < 0) {
    return Status::Error("the AI system's throughput cannot be negative");
  }

  SitePlan p;
  p.old_count = old_fleet.count;
  p.old_it = old_fleet.server.power * static_cast<double>(old_fleet.count);
  p.old_facility = p.old_it * site.pue;
  if (p.old_facility > site.budget) {
    std::ostringstream os;
    os << "the old fleet of " << old_fleet.count << " servers needs "
       << p.old_facility.value() / 1e6 << " MW at PUE " << site.pue << ", more than the "
       << site.budget.value() / 1e6 << " MW budget: lower the server count or raise the budget";
    return Status::Error(os.str());
  }
  const double old_work = static_cast<double>(old_fleet.count) * old_fleet.server.cores *
                          *old_fleet.server.per_core_perf;
  const double new_work_each = replacement.cores * *replacement.per_core_perf;
  // Equal total throughput, rounded up to whole servers (a tiny tolerance keeps exact ratios
  // from rounding up on floating-point noise).
  p.new_count = static_cast<int64_t>(std::ceil(old_work / new_work_each - 1e-9));
  p.per_core_ratio = *replacement.per_core_perf / *old_fleet.server.per_core_perf;
  p.old_servers_per_new =
      new_work_each / (old_fleet.server.cores * *old_fleet.server.per_core_perf);
  p.new_it = replacement.power * static_cast<double>(p.new_count);
  p.new_facility = p.new_it * site.pue;
  if (p.new_facility > site.budget) {
    std::ostringstream os;
    os << "the replacement fleet of " << p.new_count << " " << replacement.name << " servers needs "
       << p.new_facility.value() / 1e6 << " MW, more than the " << site.budget.value() / 1e6
       << " MW budget: choose a more efficient replacement";
    return Status::Error(os.str());
  }
  p.freed_facility = p.old_facility - p.new_facility;
  p.remaining_facility = site.budget - p.old_facility;
  p.ai_budget = site.budget - p.new_facility;

  const Watts per_system = ai.it_power_per_system * site.pue;
  auto fit = [&](Watts w) {
    return w.value() <= 0 ? int64_t{0}
                          : static_cast<int64_t>(std::floor(w.value() / per_system.value()));
  };
  p.systems_in_freed = fit(p.freed_facility);
  p.systems_in_remaining = fit(p.remaining_facility);
  p.systems_total = fit(p.ai_budget);
  p.ai_facility = per_system * static_cast<double>(p.systems_total);
  p.unused_facility = site.budget - p.new_facility - p.ai_facility;
  const double chips = static_cast<double>(p.systems_total) * ai.chips_per_system;
  p.output_tokens_per_s = chips * ai.output_tokens_per_s_per_chip;
  if (ai.owned_per_chip_hour) p.ai_yearly_cost = *ai.owned_per_chip_hour * (chips * kHoursPerYear);
  return p;
}

}  // namespace perftco
