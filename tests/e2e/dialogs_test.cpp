// End-to-end: transactions and dialogs of `sipflow calls --json` on the real
// captures in samples/, some cut with pcap_edit to show what a capture that
// misses messages looks like.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json_value.hpp"
#include "pcap_edit.hpp"
#include "run_cli.hpp"
#include "scratch_dir.hpp"

namespace sipflow::test {
namespace {

std::vector<JsonValue> calls_of(const std::string& path) {
  auto r = run({sipflow(), "calls", "--json", "--sort", "start", "-q", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<JsonValue> out;
  for (const auto& line : lines(r.out))
    out.push_back(JsonValue::parse(line));
  return out;
}

class CallDialogs : public ScratchDirTest {
 protected:
  /// `sample` with only the records whose 0-based index satisfies `keep`.
  template <typename Keep>
  std::string cut(const std::string& name, Keep keep) {
    auto records = read_records(sample(name));
    std::vector<Record> kept;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (keep(i)) kept.push_back(records[i]);
    }
    std::string out = path("cut_" + name);
    write_pcap(out, kept);
    return out;
  }
};

TEST_F(CallDialogs, AnsweredCancelEndsTheCallWhenThe487IsNotCaptured) {
  // call_cancel.pcap: INVITE / 100 / 180 / CANCEL / 200 (CANCEL) / 487 / ACK.
  auto records = read_records(sample("call_cancel.pcap"));
  ASSERT_EQ(records.size(), 7u);
  auto calls = calls_of(cut("call_cancel.pcap", [](std::size_t i) { return i < 5; }));
  ASSERT_EQ(calls.size(), 1u);
  const JsonValue& c = calls[0];
  EXPECT_EQ(c["state"].str(), "cancelled");
  EXPECT_EQ(c["status"].u64(), 0u);  // no final response to the INVITE was captured
  EXPECT_NEAR(c["end"].number(), static_cast<double>(records[4].ts_ns) / 1e9, 1e-6);
  ASSERT_EQ(c["dialog_list"].array().size(), 1u);
  EXPECT_EQ(c["dialog_list"].array()[0]["state"].str(), "terminated");
}

TEST(CallDialogStates, ForkedCallEndsTheLosingEarlyDialog) {
  // call_forked.pcap: 180 tag ForkA1, 180 tag ForkB1, 200 ForkB1, ACK, BYE, 200.
  auto calls = calls_of(sample("call_forked.pcap"));
  ASSERT_EQ(calls.size(), 1u);
  const JsonValue& c = calls[0];
  ASSERT_EQ(c["dialog_list"].array().size(), 2u);
  const JsonValue& a = c["dialog_list"].array()[0];
  const JsonValue& b = c["dialog_list"].array()[1];
  EXPECT_NE(a["to_tag"].str().find("ForkA1"), std::string::npos);
  EXPECT_EQ(a["state"].str(), "terminated");  // B's 2xx ended it
  EXPECT_TRUE(a["early"].boolean());
  EXPECT_NE(b["to_tag"].str().find("ForkB1"), std::string::npos);
  EXPECT_EQ(b["state"].str(), "terminated");  // the BYE's 200
  EXPECT_FALSE(b["early"].boolean());
}

TEST_F(CallDialogs, CaptureStartingAtTheReInviteStillHasItsDialog) {
  // call_reinvite.pcap without INVITE / 100 / 180 / 200 / ACK: it begins at
  // the hold re-INVITE, then 200 / ACK / resume re-INVITE / 200 / ACK / BYE / 200.
  auto calls = calls_of(cut("call_reinvite.pcap", [](std::size_t i) { return i >= 5; }));
  ASSERT_EQ(calls.size(), 1u);
  const JsonValue& c = calls[0];
  EXPECT_EQ(c["state"].str(), "completed");
  EXPECT_EQ(c["messages"].u64(), 8u);
  ASSERT_EQ(c["dialog_list"].array().size(), 1u);
  const JsonValue& d = c["dialog_list"].array()[0];
  EXPECT_EQ(d["state"].str(), "terminated");
  EXPECT_FALSE(d["early"].boolean());
  EXPECT_EQ(d["hold_events"].u64(), 1u);
  EXPECT_EQ(d["requests"]["INVITE"].u64(), 2u);
}

TEST(CallDialogRequests, InDialogRequestsAreCountedPerDialog) {
  auto reinvite = calls_of(sample("call_reinvite.pcap"));
  ASSERT_EQ(reinvite.size(), 1u);
  const JsonValue& r = reinvite[0]["dialog_list"].array().at(0)["requests"];
  ASSERT_EQ(r.members().size(), 1u);
  EXPECT_EQ(r["INVITE"].u64(), 2u);  // hold and resume

  auto prack = calls_of(sample("call_prack.pcap"));
  ASSERT_EQ(prack.size(), 1u);
  const JsonValue& p = prack[0]["dialog_list"].array().at(0)["requests"];
  ASSERT_EQ(p.members().size(), 2u);
  EXPECT_EQ(p["PRACK"].u64(), 1u);
  EXPECT_EQ(p["UPDATE"].u64(), 1u);

  auto misc = calls_of(sample("misc_methods.pcap"));
  ASSERT_EQ(misc.size(), 4u);
  ASSERT_EQ(misc[2]["method"].str(), "SUBSCRIBE");
  const JsonValue& n = misc[2]["dialog_list"].array().at(0)["requests"];
  ASSERT_EQ(n.members().size(), 1u);
  EXPECT_EQ(n["NOTIFY"].u64(), 1u);  // sent by the notifier inside the SUBSCRIBE's dialog
}

TEST(CallDialogEarlyMedia, SdpInAReliable183IsEarlyMedia) {
  // call_prack.pcap: 183 (RSeq 1) carries the SDP answer before the 200.
  auto prack = calls_of(sample("call_prack.pcap"));
  ASSERT_EQ(prack.size(), 1u);
  EXPECT_TRUE(prack[0]["dialog_list"].array().at(0)["early_media"].boolean());
  // udp_call.pcap: a 180 without SDP, the answer in the 200.
  auto plain = calls_of(sample("udp_call.pcap"));
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_FALSE(plain[0]["dialog_list"].array().at(0)["early_media"].boolean());
}

}  // namespace
}  // namespace sipflow::test
