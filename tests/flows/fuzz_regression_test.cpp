// Bugs the fuzzers and their stress inputs found in flows (fuzz/README.md).
// Each test loads its input from tests/fuzz_regressions/<target>/<name>
// (correlator_fuzz layout: segments split by 0x1E, the first holds options,
// the others a meta byte and one SIP message) and checks the result.

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "exact_buffer.hpp"
#include "sipflow/flows/correlator.hpp"

namespace sipflow::flows {
namespace {

std::string load(const std::string& name) {
  std::string path = std::string(SIPFLOW_SOURCE_DIR) + "/tests/fuzz_regressions/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), {}};
}

// The SIP messages of a correlator_fuzz input, without options and meta bytes.
std::vector<std::string> messages_of(std::string_view input) {
  std::vector<std::string> out;
  bool options = true;
  while (!input.empty()) {
    std::size_t sep = input.find('\x1e');
    std::string_view seg = input.substr(0, sep);
    input = sep == std::string_view::npos ? std::string_view{} : input.substr(sep + 1);
    if (!options && seg.size() > 1) out.emplace_back(seg.substr(1));
    options = false;
  }
  return out;
}

struct Groups final : CallSink {
  std::vector<std::string> groups;
  void on_call(Call& c) override { groups.push_back(c.group); }
};

// Feeds each message at the time `time_of(i)` (ns), then finishes.
template <class TimeOf>
std::vector<std::string> groups_of(const std::vector<std::string>& msgs, TimeOf time_of) {
  Diagnostics diag;
  Groups sink;
  Correlator correlator({}, diag, sink);
  decode::MessageMeta meta;
  meta.src = Endpoint{IpAddress::v4(0x0A000001), 5060};
  meta.dst = Endpoint{IpAddress::v4(0x0A000002), 5060};
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    test::ExactBuffer buf(msgs[i]);
    auto m = decode::SipMessage::parse(buf.view());
    EXPECT_TRUE(m) << msgs[i];
    if (!m) continue;
    meta.frame = i + 1;
    meta.ts = Timestamp{time_of(i)};
    correlator.on_message(meta, *m);
  }
  correlator.finish();
  return sink.groups;
}

// Legs with the same start time (a capture written without timestamps):
// the group was named after the last leg linked instead of the first.
TEST(LinkerFuzzRegression, LegsAtTheSameTimeAreNamedAfterTheFirst) {
  auto msgs = messages_of(load("correlator_fuzz/linked_legs_same_time"));
  ASSERT_EQ(msgs.size(), 3u);
  auto groups =
      groups_of(msgs, [](std::size_t) { return std::int64_t{1'700'000'000} * 1'000'000'000; });
  EXPECT_EQ(groups, (std::vector<std::string>{"c0", "c0", "c0"}));
}

// The same legs many times over, each starting before the last (a capture
// whose times go backwards): every link moved the whole group to the
// newcomer, O(legs^2) shared_ptr moves. The group must still be named after
// the leg that started first. (Run time is watched by the stress inputs of
// fuzz/README.md: 8,000 such legs went from 65 s to 21 s under ASan.)
TEST(LinkerFuzzRegression, LegsStartingEarlierNameTheMergedGroup) {
  std::string leg = messages_of(load("correlator_fuzz/linked_legs_same_time")).front();
  const std::size_t kLegs = LinkOptions{}.max_legs;  // as many as one group holds
  std::vector<std::string> msgs;
  for (std::size_t i = 0; i < kLegs; ++i) {
    std::string m = leg;
    for (std::size_t at = m.find("c0"); at != std::string::npos; at = m.find("c0", at + 1))
      m.replace(at, 2, "c" + std::to_string(i));
    msgs.push_back(std::move(m));
  }
  constexpr std::int64_t kT0 = std::int64_t{1'700'000'000} * 1'000'000'000;
  auto groups =
      groups_of(msgs, [](std::size_t i) { return kT0 - static_cast<std::int64_t>(i) * 1000; });
  ASSERT_EQ(groups.size(), kLegs);
  for (const auto& g : groups)
    ASSERT_EQ(g, "c" + std::to_string(kLegs - 1));  // the leg that started first
  auto same = groups_of(msgs, [](std::size_t) { return kT0; });
  for (const auto& g : same)
    ASSERT_EQ(g, "c0");  // a tie: the leg seen first
}

}  // namespace
}  // namespace sipflow::flows
