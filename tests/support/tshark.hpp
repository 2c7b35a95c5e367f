#pragma once
// tshark as a test oracle: the options some samples need, and the output of
// `tshark -q -z sip,stat` read back into numbers.

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "run_cli.hpp"

namespace sipflow::test {

/// tshark options some captures need to be dissected as SIP (the same list
/// as tests/e2e/messages_test.cpp; keep them in step).
inline const std::map<std::string, std::vector<std::string>>& tshark_options() {
  static const std::map<std::string, std::vector<std::string>> kOptions = {
      {"sipp_custom_port.pcap", {"-d", "udp.port==5080,sip", "-d", "udp.port==5070,sip"}},
      // tshark 4.0 has no HEP dissector; samples/tools/hep.lua hands the payload to SIP.
      {"hep_sip.pcap", {"-X", "lua_script:" SIPFLOW_SOURCE_DIR "/samples/tools/hep.lua"}},
      {"hep_sip_v2.pcap", {"-X", "lua_script:" SIPFLOW_SOURCE_DIR "/samples/tools/hep.lua"}},
      // Segments lost before the capture point and resent later are reassembled
      // in sequence order, as sipflow does (off by default in tshark 4.0).
      {"tcp_lossy.pcap", {"-o", "tcp.reassemble_out_of_order:TRUE"}},
  };
  return kOptions;
}

/// What `tshark -z sip,stat` counts. Its per-method and per-code numbers
/// include the packets it calls "resent".
struct TsharkSipStat {
  std::uint64_t messages = 0;
  std::uint64_t resent = 0;
  std::map<std::string, std::uint64_t> methods;
  std::map<int, std::uint64_t> codes;
};

/// Runs `tshark -n -q -z sip,stat` on samples/`file`.
inline TsharkSipStat tshark_sip_stat(const std::string& file) {
  std::vector<std::string> cmd = {"tshark", "-n", "-r", sample(file), "-q", "-z", "sip,stat"};
  auto it = tshark_options().find(file);
  if (it != tshark_options().end()) cmd.insert(cmd.end(), it->second.begin(), it->second.end());
  TsharkSipStat s;
  enum { kNone, kCodes, kMethods } part = kNone;
  for (const auto& raw : lines(run(cmd).out)) {
    std::string line = raw;
    auto number_after = [&](const std::string& prefix) {
      return std::stoull(line.substr(line.find(prefix) + prefix.size()));
    };
    if (line.find("Number of SIP messages:") != std::string::npos) {
      s.messages = number_after("Number of SIP messages:");
    } else if (line.find("Number of resent SIP messages:") != std::string::npos) {
      s.resent = number_after("Number of resent SIP messages:");
    } else if (line.find("SIP Status Codes") != std::string::npos) {
      part = kCodes;
    } else if (line.find("List of SIP Request methods") != std::string::npos) {
      part = kMethods;
    } else if (line.find("Packets") != std::string::npos && line.find(':') != std::string::npos) {
      // "  SIP 486 Busy Here       :     1 Packets" / "  INVITE          :     2 Packets"
      std::uint64_t n = std::stoull(line.substr(line.rfind(':') + 1));
      std::string head = line.substr(0, line.rfind(':'));
      std::size_t b = head.find_first_not_of(' ');
      if (part == kCodes && head.compare(b, 4, "SIP ") == 0) {
        s.codes[std::stoi(head.substr(b + 4, 3))] += n;
      } else if (part == kMethods) {
        std::size_t e = head.find(' ', b);
        s.methods[head.substr(b, e - b)] += n;
      }
    } else if (line.find("Average setup time") != std::string::npos) {
      part = kNone;
    }
  }
  return s;
}

/// (frame, Call-ID, method or status code) of one SIP message.
using TsharkMessage = std::tuple<std::string, std::string, std::string>;

/// Every SIP message tshark dissects in the capture at `path` (run with the
/// extra `options`), sorted.
inline std::vector<TsharkMessage> tshark_messages(const std::string& path,
                                                  const std::vector<std::string>& options = {}) {
  std::vector<std::string> cmd = {"tshark", "-n", "-r", path};
  cmd.insert(cmd.end(), options.begin(), options.end());
  for (const char* a : {"-Y", "sip", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                        "-E", "aggregator=|", "-e", "frame.number", "-e", "sip.Call-ID", "-e",
                        "sip.Method", "-e", "sip.Status-Code"}) {
    cmd.emplace_back(a);
  }
  auto split = [](const std::string& text, char sep) {
    std::vector<std::string> out(1);
    for (char c : text) {
      if (c == sep) {
        out.emplace_back();
      } else {
        out.back().push_back(c);
      }
    }
    return out;
  };
  std::vector<TsharkMessage> keys;
  for (const auto& line : lines(run(cmd).out)) {
    auto cols = split(line, '\t');
    // A frame of message bytes without a start line is listed as SIP
    // "Continuation", with no Call-ID: it is no message.
    if (cols.size() < 4 || (cols[1].empty() && cols[2].empty() && cols[3].empty())) continue;
    // Several messages in one frame come as |-joined lists, in order.
    auto ids = split(cols[1], '|'), methods = split(cols[2], '|'), codes = split(cols[3], '|');
    std::size_t mi = 0, ci = 0;
    for (const auto& id : ids) {
      // A frame lists methods for requests and codes for responses separately;
      // tshark reports both lists in message order, so pair them greedily.
      std::string what;
      if (mi < methods.size() && !methods[mi].empty()) {
        what = methods[mi++];
      } else if (ci < codes.size()) {
        what = codes[ci++];
      }
      keys.emplace_back(cols[0], id, what);
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace sipflow::test
