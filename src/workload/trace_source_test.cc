#include "workload/trace_source.h"

#include <gtest/gtest.h>

#include <fstream>

namespace perftco::workload {
namespace {

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::vector<Request> ReadAll(const std::string& path, WorkloadLimits l = WorkloadLimits(),
                             std::string* error = nullptr) {
  std::vector<Request> out;
  auto src = TraceSource::Open(path, 0, l);
  if (!src.ok()) {
    if (error) *error = src.status().message();
    return out;
  }
  while (true) {
    auto t = (*src)->PeekTime();
    if (!t.ok()) {
      if (error) *error = t.status().message();
      return out;
    }
    if (!t->has_value()) return out;
    out.push_back((*src)->Pop());
  }
}

TEST(TraceSource, ReadsPerftcoVidurAzureAndJsonlLayouts) {
  auto native = ReadAll(Write("native.csv",
                              "arrival_s,input_tokens,output_tokens,session_id\n"
                              "0.0,100,20,alice\n0.5,150,30,\n1.25,80,10,alice\n"));
  ASSERT_EQ(native.size(), 3u);
  EXPECT_EQ(native[1].input_tokens, 150);
  EXPECT_EQ(native[1].session, 0u);
  EXPECT_EQ(native[0].session, native[2].session);
  EXPECT_NE(native[0].session, 0u);
  EXPECT_DOUBLE_EQ(native[2].arrival.value(), 1.25);

  auto vidur = ReadAll(Write("vidur.csv",
                             "arrived_at,num_prefill_tokens,num_decode_tokens\n"
                             "0.1,512,64\n0.2,1024,128\n"));
  ASSERT_EQ(vidur.size(), 2u);
  EXPECT_EQ(vidur[1].output_tokens, 128);

  auto azure = ReadAll(Write("azure.csv",
                             "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                             "2023-11-16 18:15:46.6805900,374,44\n"
                             "2023-11-16 18:15:50.9951690,396,109\n"
                             "2023-11-16 18:16:01.0000000,879,20\n"));
  ASSERT_EQ(azure.size(), 3u);
  EXPECT_DOUBLE_EQ(azure[0].arrival.value(), 0.0);  // relative to the first row
  EXPECT_NEAR(azure[1].arrival.value(), 4.314579, 1e-6);
  EXPECT_NEAR(azure[2].arrival.value(), 14.31941, 1e-5);

  auto jsonl = ReadAll(Write("t.jsonl",
                             "{\"arrival_s\": 0, \"input_tokens\": 10, \"output_tokens\": 5}\n"
                             "{\"arrived_at\": 2, \"num_prefill_tokens\": 7, "
                             "\"num_decode_tokens\": 3, \"prefix_id\": \"sys\", "
                             "\"prefix_tokens\": 4}\n"));
  ASSERT_EQ(jsonl.size(), 2u);
  EXPECT_EQ(jsonl[1].input_tokens, 7);
  EXPECT_NE(jsonl[1].prefix_id, 0u);
  EXPECT_EQ(jsonl[1].prefix_tokens, 4);
}

TEST(TraceSource, BadLinesNameTheFileAndTheLine) {
  auto error = [](const std::string& name, const std::string& text, WorkloadLimits l = {}) {
    std::string e;
    ReadAll(Write(name, text), l, &e);
    return e;
  };
  const std::string h = "arrival_s,input_tokens,output_tokens\n";
  EXPECT_NE(error("a.csv", h + "0,1,1\n1,2\n").find("a.csv:3: expected 3"), std::string::npos);
  EXPECT_NE(error("b.csv", h + "0,x,1\n").find("b.csv:2: input tokens 'x'"), std::string::npos);
  EXPECT_NE(error("c.csv", h + "-1,5,5\n").find("c.csv:2: negative arrival"), std::string::npos);
  EXPECT_NE(error("d.csv", h + "0,-5,5\n").find("d.csv:2: input and output tokens must be"),
            std::string::npos);
  EXPECT_NE(error("e.csv", h + "2,5,5\n1,5,5\n").find("e.csv:3: arrival 1"), std::string::npos);
  WorkloadLimits l;
  l.max_context = 100;
  l.model_name = "tiny";
  EXPECT_NE(error("f.csv", h + "0,90,20\n", l)
                .find("f.csv:2: a request of 90 + 20 tokens "
                      "exceeds the 100-token context of tiny"),
            std::string::npos);
  EXPECT_NE(error("g.csv", "when,in,out\n").find("g.csv:1"), std::string::npos);
  EXPECT_NE(error("h.jsonl", "{\"arrival_s\": 0, \"input_tokens\": 3}\n").find("h.jsonl:1"),
            std::string::npos);
  EXPECT_NE(error("i.jsonl", "{\"arrival_s\": 0,\n").find("i.jsonl:1: malformed JSON"),
            std::string::npos);
  std::string e;
  ReadAll("/no/such/trace.csv", {}, &e);
  EXPECT_NE(e.find("cannot open trace"), std::string::npos);
}

TEST(TraceSource, StopsAfterTheRequestsAskedWithoutReadingFurther) {
  const std::string path = Write("long.csv",
                                 "arrival_s,input_tokens,output_tokens\n0,1,1\n1,1,1\n2,1,1\n"
                                 "this line is never read\n");
  auto src = TraceSource::Open(path, 3, WorkloadLimits());
  ASSERT_TRUE(src.ok());
  int n = 0;
  while ((*src)->PeekTime()->has_value()) {
    (*src)->Pop();
    ++n;
  }
  EXPECT_EQ(n, 3);
}

TEST(ParseDateTime, AcceptsTheAzureFormat) {
  EXPECT_DOUBLE_EQ(*ParseDateTime("1970-01-02 00:00:01"), 86401.0);
  EXPECT_DOUBLE_EQ(*ParseDateTime("2000-03-01T00:00:00Z"), 951868800.0);
  EXPECT_FALSE(ParseDateTime("yesterday").has_value());
  EXPECT_FALSE(ParseDateTime("2023-13-01 00:00:00").has_value());
}

}  // namespace
}  // namespace perftco::workload
