#include "sipflow/render/stats_report.hpp"

#include <gtest/gtest.h>

#include "json_value.hpp"

namespace sipflow::render {
namespace {

// A report whose packet-derived text is hostile: terminal escapes, quotes,
// commas, newlines, a spreadsheet formula.
flows::StatsReport hostile_report() {
  flows::StatsReport r;
  r.methods.push_back({"INVITE", false, {2, 1, 0}});
  r.methods.push_back({"", true, {5, 0, 0}});
  r.codes.push_back({486, "Busy\x1b[2J Here", {1, 0, 0}});
  r.matrix.push_back({"INVITE", false, 486, 1});
  r.hosts.push_back({"10.0.0.1", false, 2, 0, 0, 1, 1});
  r.agents.push_back({"=HYPERLINK(\"http://x\"),evil\nline", false, 2, 0});
  r.agents.push_back({"", true, 7, 0});
  r.failures.push_back({"INVITE", 486, "Busy\x1b[2J Here", false, 1});
  r.reasons.push_back({"Q.850", 17, "busy \"now\"", false, 1});
  r.warnings.push_back({399, "gw",
                        "\xe2\x80\xae"
                        "reversed",
                        false, 1});
  r.requests = 7;
  r.responses = 1;
  r.retransmissions = 1;
  r.messages = 9;
  r.sessions.invite_attempts = 1;
  r.sessions.failed = 1;
  r.sessions.ser = 0.0;
  r.srd_failed.count = 1;
  r.srd_failed.avg = r.srd_failed.min = r.srd_failed.max = 0.25;
  return r;
}

TEST(StatsJson, IsOneObjectOnOneLine) {
  std::string out;
  append_stats_json(out, hostile_report());
  EXPECT_EQ(out.find('\n'), std::string::npos);
  auto v = test::JsonValue::parse(out);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v["messages"].u64(), 9u);
  EXPECT_EQ(v["codes"].array()[0]["reason"].str(), "Busy\x1b[2J Here");  // escaped, round-trips
  EXPECT_TRUE(v["methods"].array()[1]["method"].is_null());
  EXPECT_TRUE(v["methods"].array()[1]["other"].boolean());
  EXPECT_EQ(v["reasons"].array()[0]["name"].str(), "User busy");
  EXPECT_DOUBLE_EQ(v["sessions"]["ser"].number(), 0.0);
  EXPECT_TRUE(v["sessions"]["seer"].is_null());
  EXPECT_TRUE(v["delays"]["sdd"]["p50"].is_null());
  EXPECT_DOUBLE_EQ(v["delays"]["srd_failed"]["max"].number(), 0.25);
}

TEST(StatsText, PacketTextCannotReachTheTerminal) {
  std::string out;
  append_stats_text(out, hostile_report());
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_NE(out.find("Busy\\e[2J Here"), std::string::npos) << out;
  EXPECT_NE(out.find("(other)"), std::string::npos);
  EXPECT_NE(out.find("User busy"), std::string::npos);
  EXPECT_NE(out.find("Sessions (RFC 6076)"), std::string::npos);
  EXPECT_NE(out.find("SRD failed"), std::string::npos);
}

TEST(StatsText, ColoursComeOnlyFromTheStyle) {
  StatsTextStyle style;
  style.heading = "<H>";
  style.reset = "</>";
  style.status[4] = "<4xx>";
  std::string out;
  append_stats_text(out, hostile_report(), style);
  EXPECT_NE(out.find("<H>Responses by code</>"), std::string::npos) << out;
  EXPECT_NE(out.find("<4xx>486</>"), std::string::npos) << out;
}

TEST(StatsText, ColumnsAreAligned) {
  std::string out;
  append_stats_text(out, hostile_report());
  // "METHOD  COUNT ..." header and rows: the COUNT column ends at the same place.
  auto header = out.find("  METHOD");
  ASSERT_NE(header, std::string::npos);
  auto line_end = out.find('\n', header);
  auto row1 = out.substr(line_end + 1, out.find('\n', line_end + 1) - line_end - 1);
  auto head = out.substr(header, line_end - header);
  EXPECT_EQ(head.find("COUNT") + 5, row1.find(" 2") + 2) << head << "\n" << row1;
}

TEST(StatsCsv, FieldsAreQuotedAndFormulasDefused) {
  std::string out;
  append_stats_csv(out, hostile_report());
  EXPECT_NE(out.find("summary,messages,9\n"), std::string::npos) << out;
  EXPECT_NE(out.find("method,INVITE,2,1,0\n"), std::string::npos);
  EXPECT_NE(out.find("method,,5,0,0\n"), std::string::npos);  // the "other" row
  EXPECT_NE(out.find("agent,\"'=HYPERLINK(\"\"http://x\"\"),evil\\nline\",2,0\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("reason,Q.850,17,User busy,\"busy \"\"now\"\"\",1\n"), std::string::npos);
  EXPECT_NE(out.find("session,ser,0.000000\n"), std::string::npos);
  EXPECT_NE(out.find("session,seer,\n"), std::string::npos);
  EXPECT_NE(out.find("delay,srd_failed,1,0.250000,"), std::string::npos);
  EXPECT_NE(out.find("delay,sdd,0,,,,,,,\n"), std::string::npos);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace sipflow::render
