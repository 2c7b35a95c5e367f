// End-to-end: the reassembly limits and decoding ports set on the command
// line reach the decoder, and every hit is counted in the run's summary.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "pcap_edit.hpp"
#include "run_cli.hpp"

namespace sipflow::test {
namespace {

std::size_t message_count(const std::vector<std::string>& args) {
  auto r = run(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return lines(r.out).size();
}

std::vector<std::string> messages_args(const std::string& path,
                                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> a = {sipflow(), "messages", "--json"};
  a.insert(a.end(), extra.begin(), extra.end());
  a.push_back(path);
  return a;
}

TEST(Limits, FragmentsPerDatagramAreCappedAndCounted) {
  const auto path = sample("fragmented_udp.pcap");
  std::size_t all = message_count(messages_args(path));
  ASSERT_GT(all, 0u);
  auto r = run(messages_args(path, {"--max-fragments", "2"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(lines(r.out).size(), all);  // the datagrams of 3+ fragments are lost...
  EXPECT_NE(r.err.find("fragment_limit="), std::string::npos) << r.err;  // ...and counted
}

TEST(Limits, HepPortsAreConfigurable) {
  // HEPv2 has no magic: it is only tried on the HEP ports.
  const auto path = sample("hep_sip_v2.pcap");
  std::size_t all = message_count(messages_args(path));
  ASSERT_GT(all, 0u);
  EXPECT_EQ(message_count(messages_args(path, {"--hep-port", "1"})), 0u);
  EXPECT_EQ(message_count(messages_args(path, {"--hep-port", "1,9060"})), all);
}

TEST(Limits, OutOfOrderTcpBytesOverTheFlowLimitAreDroppedAndCounted) {
  const auto path = sample("tcp_call.pcap");
  auto records = read_records(path);
  std::size_t all = message_count(messages_args(path));
  ASSERT_GT(all, 2u);
  // Move the second client segment carrying a message in front of the first:
  // it must be held until the hole before it is filled.
  std::vector<std::size_t> client;
  std::uint16_t client_port = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto v = tcp_view(records[i]);
    if (!v || v->payload_len == 0) continue;
    if (client_port == 0) client_port = v->sport;
    if (v->sport == client_port) client.push_back(i);
  }
  ASSERT_GE(client.size(), 2u);
  ASSERT_GT(tcp_view(records[client[1]])->payload_len, 256u);
  auto edited = records;
  Record moved = edited[client[1]];
  edited.erase(edited.begin() + static_cast<std::ptrdiff_t>(client[1]));
  edited.insert(edited.begin() + static_cast<std::ptrdiff_t>(client[0]), moved);
  auto dir =
      std::filesystem::temp_directory_path() / ("sipflow_limits_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto out = dir / "reordered.pcap";
  write_pcap(out, edited);

  // Held within the default limit: nothing is lost.
  EXPECT_EQ(message_count(messages_args(out.string())), all);
  // Over a 256-byte limit the held segment is dropped and counted.
  auto r = run(messages_args(out.string(), {"--max-flow-bytes", "256"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(lines(r.out).size(), all);
  EXPECT_NE(r.err.find("tcp_reassembly_limit="), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(Limits, OutOfRangeLimitIsABadCommandLine) {
  auto r = run(messages_args(sample("udp_call.pcap"), {"--max-fragments", "1"}));
  EXPECT_EQ(r.exit_code, 64) << r.err;
}

}  // namespace
}  // namespace sipflow::test
