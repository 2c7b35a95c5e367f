#include "sipflow/render/ladder_json.hpp"

#include <gtest/gtest.h>

#include "json_value.hpp"

namespace sipflow::render {
namespace {

using test::JsonValue;

flows::Ladder two_rows() {
  flows::Ladder l;
  l.title = "INVITE a → b · completed 200";
  l.legs = {{"abc@host", l.title}};
  l.columns = {{"A", {"10.0.0.1:5060"}, "UA \"one\""}, {"10.0.0.2:5060", {"10.0.0.2:5060"}, ""}};
  flows::LadderRow invite;
  invite.from = 0;
  invite.to = 1;
  invite.ts = Timestamp{1'700'000'000'123'456'000};
  invite.label = "INVITE (SDP offer)";
  invite.sdp = "PCMU 10.0.0.1:4000";
  invite.frame = 7;
  invite.raw = "INVITE sip:b@x SIP/2.0\r\nCall-ID: abc@host\r\n\r\n";
  flows::LadderRow again = invite;
  again.frame = 9;
  again.offset = again.delta = 0.5;
  again.repeat = flows::Repeat::Retransmission;
  again.sdp.clear();
  l.rows = {invite, again};
  return l;
}

TEST(LadderJson, RowsCarryRepeatSdpAndTheirTime) {
  JsonValue v = JsonValue::parse(render_ladder_json(two_rows(), false));
  const auto& rows = v["rows"].array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["frame"].u64(), 7u);
  EXPECT_DOUBLE_EQ(rows[0]["ts"].number(), 1700000000.123456);
  EXPECT_EQ(rows[0]["sdp"].str(), "PCMU 10.0.0.1:4000");
  EXPECT_EQ(rows[0].find("repeat"), nullptr);  // a first sending has none
  EXPECT_EQ(rows[0].find("raw"), nullptr);     // only with --full
  EXPECT_EQ(rows[1]["repeat"].str(), "retransmission");
  EXPECT_EQ(rows[1].find("sdp"), nullptr);  // no SDP, no key
  EXPECT_DOUBLE_EQ(rows[1]["delta"].number(), 0.5);
  EXPECT_EQ(rows[1]["label"].str(), "INVITE (SDP offer)");
  EXPECT_EQ(rows[1]["kind"].str(), "request");
  EXPECT_EQ(v["columns"].array()[0]["agent"].str(), "UA \"one\"");
  EXPECT_EQ(v["title"].str(), "INVITE a → b · completed 200");
}

TEST(LadderJson, FullAddsEveryMessageVerbatim) {
  JsonValue v = JsonValue::parse(render_ladder_json(two_rows(), true));
  for (const auto& row : v["rows"].array())
    EXPECT_EQ(row["raw"].str(), "INVITE sip:b@x SIP/2.0\r\nCall-ID: abc@host\r\n\r\n");
}

}  // namespace
}  // namespace sipflow::render
