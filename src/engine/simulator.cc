#include "engine/simulator.h"

#include <algorithm>
#include <cassert>

namespace perftco::engine {

void Simulator::Schedule(Seconds at, Actor* actor, uint64_t tag) {
  assert(actor != nullptr);
  assert(at.value() >= now_ && "an event cannot be scheduled in the past");
  heap_.push_back(Event{std::max(at.value(), now_), next_seq_++, actor, tag});
  std::push_heap(heap_.begin(), heap_.end(), Later);
}

Status Simulator::Run() {
  stopped_ = false;
  while (!heap_.empty() && !stopped_) {
    std::pop_heap(heap_.begin(), heap_.end(), Later);
    const Event e = heap_.back();
    heap_.pop_back();
    now_ = e.time;
    ++events_;
    PERFTCO_RETURN_IF_ERROR(e.actor->OnEvent(*this, e.tag));
    for (EngineObserver* o : observers_) o->AfterEvent(*this);
  }
  return Status::Ok();
}

}  // namespace perftco::engine
