// End-to-end: `sipflow messages` on every real capture in samples/.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "json_fields.hpp"
#include "run_cli.hpp"
#include "tshark.hpp"

namespace sipflow::test {
namespace {

std::vector<std::string> all_samples() {
  std::vector<std::string> names;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(SIPFLOW_SOURCE_DIR) + "/samples")) {
    auto ext = e.path().extension().string();
    if (ext == ".pcap" || ext == ".pcapng") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// tshark options some captures need to be dissected as SIP.
const std::map<std::string, std::vector<std::string>> kTsharkOptions = {
    {"sipp_custom_port.pcap", {"-d", "udp.port==5080,sip", "-d", "udp.port==5070,sip"}},
    // tshark 4.0 has no HEP dissector; samples/tools/hep.lua hands the payload to SIP.
    {"hep_sip.pcap", {"-X", "lua_script:" SIPFLOW_SOURCE_DIR "/samples/tools/hep.lua"}},
    {"hep_sip_v2.pcap", {"-X", "lua_script:" SIPFLOW_SOURCE_DIR "/samples/tools/hep.lua"}},
    // Segments lost before the capture point and resent later are reassembled
    // in sequence order, as sipflow does (off by default in tshark 4.0).
    {"tcp_lossy.pcap", {"-o", "tcp.reassemble_out_of_order:TRUE"}},
};

// (frame, Call-ID, method or status) for every SIP message, sorted.
using Key = std::tuple<std::string, std::string, std::string>;

std::vector<Key> ours(const std::string& file) {
  auto r = run({sipflow(), "messages", "--json", "-q", sample(file)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<Key> keys;
  for (const auto& line : lines(r.out)) {
    auto what = json_field(line, "method");
    if (!what) what = json_field(line, "status");
    keys.emplace_back(json_field(line, "frame").value_or("?"),
                      json_field(line, "call_id").value_or("?"), what.value_or("?"));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<Key> theirs(const std::string& file) {
  auto it = kTsharkOptions.find(file);
  return tshark_messages(sample(file),
                         it != kTsharkOptions.end() ? it->second : std::vector<std::string>{});
}

class Sample : public ::testing::TestWithParam<std::string> {};

// SIP over TLS cannot be read without keys: those captures must give no
// messages (tshark without the key log agrees) but name the conversation.
bool encrypted(const std::string& file) {
  return file.starts_with("tls");
}

TEST_P(Sample, MessagesJsonMatchesGolden) {
  auto r = run({sipflow(), "messages", "--json", sample(GetParam())});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (encrypted(GetParam())) {
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find("tls_conversation=1"), std::string::npos) << r.err;
    return;
  }
  EXPECT_FALSE(r.out.empty());
  EXPECT_TRUE(matches_golden(GetParam() + ".messages.jsonl", r.out));
}

TEST_P(Sample, MessagesAgreeWithTsharkMessageForMessage) {
  if (!have_command("tshark")) GTEST_SKIP() << "tshark not installed";
  auto a = ours(GetParam());
  auto b = theirs(GetParam());
  EXPECT_EQ(b.empty(), encrypted(GetParam()));
  EXPECT_EQ(a, b);
}

TEST_P(Sample, TextOutputHasOneLinePerMessage) {
  auto json = run({sipflow(), "messages", "--json", "-q", sample(GetParam())});
  auto text = run({sipflow(), "messages", "--color", "never", "-q", sample(GetParam())});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_EQ(lines(text.out).size(), lines(json.out).size());
}

INSTANTIATE_TEST_SUITE_P(Samples, Sample, ::testing::ValuesIn(all_samples()), [](const auto& p) {
  std::string n = p.param;
  std::replace_if(
      n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return n;
});

}  // namespace
}  // namespace sipflow::test
