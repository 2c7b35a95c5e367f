#include "sipflow/flows/fail_on.hpp"

#include <gtest/gtest.h>

namespace sipflow::flows {
namespace {

// A report with a few counts: 2 INVITEs, one 200, one 503 (retransmitted
// once), one 404; SER 0.5; SRD p95 of 1.5 s.
StatsReport sample_report() {
  StatsReport r;
  r.methods.push_back({"INVITE", false, {2, 1, 0}});
  r.methods.push_back({"ACK", false, {1, 0, 0}});
  r.codes.push_back({200, "OK", {1, 0, 0}});
  r.codes.push_back({404, "Not Found", {1, 0, 0}});
  r.codes.push_back({503, "Service Unavailable", {1, 1, 0}});
  r.requests = 3;
  r.responses = 3;
  r.retransmissions = 2;
  r.messages = 8;
  r.failures.push_back({"INVITE", 503, "Service Unavailable", false, 1});
  r.sessions.invite_attempts = 2;
  r.sessions.ser = 0.5;
  r.srd.count = 4;
  r.srd.p95 = 1.5;
  return r;
}

bool breached(std::string_view expr, const StatsReport& r = sample_report()) {
  auto c = parse_fail_on(expr);
  EXPECT_TRUE(c) << expr << ": " << (c ? "" : c.error().code);
  if (!c) return false;
  auto v = evaluate(*c, r);
  EXPECT_EQ(v.size(), 1u);
  return v.front().breached;
}

TEST(FailOn, ParsesACommaSeparatedList) {
  auto c = parse_fail_on("5xx>0, ser<0.95 ,code:503>10,4xx>=5,method:INVITE<1");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 5u);
  EXPECT_EQ((*c)[0].kind, MetricKind::StatusRange);
  EXPECT_EQ((*c)[0].lo, 500);
  EXPECT_EQ((*c)[0].hi, 599);
  EXPECT_EQ((*c)[0].op, CompareOp::Gt);
  EXPECT_EQ((*c)[1].kind, MetricKind::Ratio);
  EXPECT_EQ((*c)[1].text, "ser<0.95");
  EXPECT_DOUBLE_EQ((*c)[1].threshold, 0.95);
  EXPECT_EQ((*c)[2].lo, 503);
  EXPECT_EQ((*c)[2].hi, 503);
  EXPECT_EQ((*c)[3].op, CompareOp::Ge);
  EXPECT_EQ((*c)[4].kind, MetricKind::Method);
  EXPECT_EQ((*c)[4].name, "INVITE");
}

TEST(FailOn, EveryOperator) {
  EXPECT_TRUE(breached("5xx>0"));
  EXPECT_FALSE(breached("5xx>1"));
  EXPECT_TRUE(breached("5xx>=1"));
  EXPECT_TRUE(breached("5xx<2"));
  EXPECT_FALSE(breached("5xx<1"));
  EXPECT_TRUE(breached("5xx<=1"));
  EXPECT_TRUE(breached("5xx==1"));
  EXPECT_FALSE(breached("5xx!=1"));
}

TEST(FailOn, CountsAreFirstSightings) {
  EXPECT_FALSE(breached("code:503>1"));  // the retransmitted 503 is one response
  EXPECT_TRUE(breached("method:INVITE==2"));
  EXPECT_TRUE(breached("method:invite==2"));  // case-insensitive
  EXPECT_TRUE(breached("method:BYE<1"));      // absent: 0
  EXPECT_TRUE(breached("retransmissions==2"));
  EXPECT_TRUE(breached("code:4xx==1"));
  EXPECT_TRUE(breached("2xx==1"));
  EXPECT_TRUE(breached("failures==1"));
  EXPECT_TRUE(breached("unparseable==0"));
  EXPECT_TRUE(breached("messages>=8"));
}

TEST(FailOn, RatiosAndDelays) {
  EXPECT_TRUE(breached("ser<0.95"));
  EXPECT_FALSE(breached("ser<0.5"));
  EXPECT_TRUE(breached("srd.p95>1"));
  EXPECT_FALSE(breached("srd.p95>2"));
  EXPECT_TRUE(breached("srd.count==4"));
}

TEST(FailOn, UndefinedValuesNeverBreach) {
  auto c = parse_fail_on("seer<0.9,sdd.max>1,ira>0");
  ASSERT_TRUE(c);
  auto r = sample_report();
  auto v = evaluate(*c, r);
  ASSERT_EQ(v.size(), 3u);
  for (const auto& x : v) {
    EXPECT_FALSE(x.value);
    EXPECT_FALSE(x.breached);
  }
  EXPECT_EQ(describe(v[0]), "seer<0.9: seer is undefined (no finished INVITE attempts)");
  EXPECT_EQ(describe(v[1]), "sdd.max>1: sdd.max is undefined (no samples)");
}

TEST(FailOn, DescribeGivesTheValue) {
  auto c = parse_fail_on("5xx>0,ser<0.95,code:503>0");
  ASSERT_TRUE(c);
  auto r = sample_report();
  auto v = evaluate(*c, r);
  EXPECT_EQ(describe(v[0]), "5xx>0: 5xx is 1");
  EXPECT_EQ(describe(v[1]), "ser<0.95: ser is 0.5");
  EXPECT_EQ(describe(v[2]), "code:503>0: code:503 is 1");
}

TEST(FailOn, BadExpressionsAreErrorsWithAnOffset) {
  struct Case {
    std::string_view expr, code;
    std::uint32_t offset;
  };
  for (const auto& [expr, code, offset] : std::initializer_list<Case>{
           {"", "fail_on_empty", 0},
           {"5xx>0,", "fail_on_empty", 6},
           {"5xx>0,,ser<1", "fail_on_empty", 6},
           {"5xx", "fail_on_no_operator", 0},
           {"5xx=>1", "fail_on_no_operator", 3},
           {"bogus>1", "fail_on_unknown_metric", 0},
           {"5xx>0, nope<1", "fail_on_unknown_metric", 7},
           {"7xx>0", "fail_on_bad_code", 0},
           {"code:99>0", "fail_on_bad_code", 5},
           {"code:5x>0", "fail_on_bad_code", 5},
           {"method:IN VITE>0", "fail_on_bad_method", 7},
           {"5xx>abc", "fail_on_bad_number", 4},
           {"5xx>", "fail_on_bad_number", 4},
           {"5xx>-1", "fail_on_bad_number", 4},
           {"5xx>1x", "fail_on_bad_number", 4},
           {"ser<95", "fail_on_ratio_range", 4},
           {"srd.p42>1", "fail_on_unknown_metric", 0},
       }) {
    auto c = parse_fail_on(expr);
    ASSERT_FALSE(c) << expr;
    EXPECT_EQ(c.error().code, code) << expr;
    EXPECT_EQ(c.error().offset, offset) << expr;
    EXPECT_FALSE(describe_fail_on_error(c.error().code).empty());
  }
}

}  // namespace
}  // namespace sipflow::flows
