#include "workload/synthetic_source.h"

#include <gtest/gtest.h>

#include <map>

namespace perftco::workload {
namespace {

std::unique_ptr<RequestSource> Make(WorkloadOptions o, WorkloadLimits l = WorkloadLimits()) {
  auto s = MakeRequestSource(o, l);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(SyntheticSource, OpenLoopIssuesEveryRequestInOrderAtTheRate) {
  WorkloadOptions o;
  o.rate = 20;
  o.requests = 20000;
  auto src = Make(o);
  double last = -1;
  for (uint64_t i = 0; i < 20000; ++i) {
    auto t = src->PeekTime();
    ASSERT_TRUE(t.ok() && t->has_value());
    const Request r = src->Pop();
    EXPECT_EQ(r.id, i);
    EXPECT_GE(r.arrival.value(), last);
    EXPECT_GE(r.input_tokens, 1);
    EXPECT_GE(r.output_tokens, 1);
    last = r.arrival.value();
  }
  EXPECT_FALSE(src->PeekTime()->has_value());
  EXPECT_NEAR(20000 / last, 20, 0.5);
}

TEST(SyntheticSource, ClosedLoopKeepsExactlyUsersInFlight) {
  WorkloadOptions o;
  o.arrival = "closed";
  o.users = 3;
  o.think_time = Seconds(0.5);
  o.requests = 10;
  auto src = Make(o);
  std::vector<Request> in_flight;
  while (src->PeekTime()->has_value() && src->PeekTime()->value().value() == 0.0) {
    in_flight.push_back(src->Pop());
  }
  EXPECT_EQ(in_flight.size(), 3u);
  EXPECT_FALSE(src->PeekTime()->has_value());  // everyone waits for a reply
  src->OnFinished(in_flight[1], Seconds(2.0));
  auto t = src->PeekTime();
  ASSERT_TRUE(t->has_value());
  EXPECT_DOUBLE_EQ(t->value().value(), 2.5);  // the reply plus the think time
  src->Pop();
  EXPECT_FALSE(src->PeekTime()->has_value());
}

TEST(SyntheticSource, SessionTurnsResendTheConversationWithASharedSystemPrompt) {
  WorkloadOptions o;
  o.arrival = "closed";
  o.users = 1;
  o.requests = 4;
  o.turns = "fixed:4";
  o.input_len = "fixed:100";
  o.output_len = "fixed:30";
  o.shared_prefix = 500;
  o.think_time = Seconds(1.0);
  auto src = Make(o);
  Request prev = src->Pop();
  EXPECT_EQ(prev.input_tokens, 600);
  EXPECT_EQ(prev.prefix_id, 1u);
  EXPECT_EQ(prev.prefix_tokens, 500);
  EXPECT_NE(prev.session, 0u);
  for (int turn = 2; turn <= 4; ++turn) {
    src->OnFinished(prev, Seconds(10.0 * turn));
    ASSERT_TRUE(src->PeekTime()->has_value());
    const Request r = src->Pop();
    EXPECT_EQ(r.session, prev.session);
    EXPECT_EQ(r.input_tokens, prev.input_tokens + prev.output_tokens + 100);
    EXPECT_DOUBLE_EQ(r.arrival.value(), 10.0 * turn + 1.0);
    prev = r;
  }
  EXPECT_FALSE(src->PeekTime()->has_value());  // four requests asked
}

TEST(SyntheticSource, LengthsStayWithinTheLimitsAndSessionsEndBeforeOverflowing) {
  WorkloadOptions o;
  o.rate = 1;
  o.requests = 2000;
  o.input_len = "lognormal:3000:3000";
  o.output_len = "lognormal:3000:3000";
  WorkloadLimits l;
  l.max_context = 8192;
  l.kv_token_capacity = 6000;
  auto src = Make(o, l);
  for (int i = 0; i < 2000; ++i) {
    const Request r = src->Pop();
    EXPECT_LE(r.input_tokens + r.output_tokens, 6000);
  }
}

TEST(MakeRequestSource, NamesWhatIsWrong) {
  auto err = [](WorkloadOptions o, WorkloadLimits l = WorkloadLimits()) {
    auto s = MakeRequestSource(o, l);
    return s.ok() ? std::string() : s.status().message();
  };
  WorkloadOptions o;
  o.workload = "chatt";
  EXPECT_NE(err(o).find("did you mean 'chat'"), std::string::npos);
  o.workload = "chat";
  EXPECT_NE(err(o).find("--rate must be positive"), std::string::npos);
  o.arrival = "closed";
  EXPECT_NE(err(o).find("--users"), std::string::npos);
  o.arrival = "poisson";
  o.rate = 1;
  o.input_len = "fixed:9000";
  o.output_len = "fixed:1000";
  WorkloadLimits l;
  l.max_context = 8192;
  l.model_name = "tiny";
  EXPECT_NE(err(o, l).find("exceed the 8192-token context of tiny"), std::string::npos);
  o.input_len = "";
  o.output_len = "";
  o.requests = 0;
  EXPECT_NE(err(o).find("--requests"), std::string::npos);
}

}  // namespace
}  // namespace perftco::workload
