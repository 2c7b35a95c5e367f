#include <map>

#include "commands.hpp"

namespace sipflow::cli {

void add_common_options(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("files", o.input.files, "Capture files to read (pcap, pcapng, - for stdin)")
      ->type_name("FILE");
  const char* live = "Live capture";
  cmd.add_option("-i,--interface", o.input.interface, "Capture live on IFACE (e.g. eth0, any)")
      ->type_name("IFACE")
      ->group(live);
  cmd.add_option("-f,--filter", o.input.filter,
                 "BPF capture filter for live capture, e.g. 'udp port 5060'")
      ->type_name("EXPR")
      ->group(live);
  cmd.add_option("-s,--snaplen", o.input.snaplen, "Bytes to keep per live packet")
      ->check(CLI::Range(64, 262144))
      ->option_text("BYTES (default 262144)")
      ->group(live);
  cmd.add_flag("--no-promisc", o.input.no_promiscuous,
               "Do not put the interface into promiscuous mode")
      ->group(live);
  cmd.add_option("--hep-listen", o.input.hep_listen,
                 "Collect HEP (HOMER) datagrams sent to this socket, e.g. udp:127.0.0.1:9060")
      ->type_name("udp:HOST:PORT")
      ->group(live);
  cmd.add_option("-Z,--user", o.input.drop_to_user,
                 "After opening the interface, drop root and run as USER (like tcpdump -Z)")
      ->type_name("USER")
      ->group(live);
  cmd.add_flag("--no-immediate", o.input.no_immediate,
               "Let the kernel batch packets (less CPU, more latency)")
      ->group(live);
  cmd.add_flag("--validate", o.input.validate,
               "Check every message against RFC 3261 rules and count what breaks them "
               "(always on for messages)");
  const char* limits = "Limits";
  cmd.add_option("--max-message-bytes", o.input.max_message_bytes,
                 "Reject SIP messages larger than this (counted as unparseable_sip)")
      ->check(CLI::Range(std::size_t{512}, std::size_t{64} << 20))
      ->option_text("N (default 1048576)")
      ->group(limits);
  cmd.add_option("--max-headers", o.input.max_headers, "Reject SIP messages with more header lines")
      ->check(CLI::Range(std::size_t{8}, std::size_t{65536}))
      ->option_text("N (default 512)")
      ->group(limits);
  capture::DecoderOptions& d = o.input.decoder;
  cmd.add_option("--max-flow-bytes", d.tcp.max_held_per_direction,
                 "Out-of-order TCP bytes held per connection direction while a segment is "
                 "missing (counted as tcp_reassembly_limit)")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 30))
      ->option_text("N (default 1048576)")
      ->group(limits);
  cmd.add_option("--max-reassembly-bytes", d.fragments.max_pending_bytes,
                 "Bytes held for reassembly in total: IP fragments, and again out-of-order "
                 "TCP and SCTP data (the oldest is dropped and counted)")
      ->check(CLI::Range(std::size_t{65536}, std::size_t{1} << 34))
      ->option_text("N (default 67108864)")
      ->group(limits);
  cmd.add_option("--max-fragments", d.fragments.max_fragments,
                 "Fragments per IP datagram (more are counted as fragment_limit)")
      ->check(CLI::Range(2, 65535))
      ->option_text("N (default 256)")
      ->group(limits);
  cmd.add_option("--max-connections", d.tcp.max_connections,
                 "TCP connections tracked at once (more are counted as tcp_connection_limit)")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 24))
      ->option_text("N (default 1048576)")
      ->group(limits);
  const char* ports = "Ports";
  cmd.add_option("--hep-port", d.hep_ports,
                 "UDP ports whose datagrams are decapsulated as HEP v1/v2/v3 (HEPv3 is also "
                 "found on any port by its magic)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->option_text("PORT[,PORT...] (default 9060)")
      ->group(ports);
  cmd.add_option("--vxlan-port", d.vxlan_ports, "UDP ports decapsulated as VXLAN")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->option_text("PORT[,PORT...] (default 4789)")
      ->group(ports);
  cmd.add_option("--tls-port", d.tls_ports,
                 "TCP ports counted as TLS even when the handshake was not captured")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->option_text("PORT[,PORT...] (default 5061)")
      ->group(ports);
  const char* out = "Output";
  cmd.add_option("--color", o.color, "Colour: auto (on a terminal), always, never")
      ->transform(
          CLI::CheckedTransformer(std::map<std::string, ColorMode>{{"auto", ColorMode::Auto},
                                                                   {"always", ColorMode::Always},
                                                                   {"never", ColorMode::Never}},
                                  CLI::ignore_case))
      ->option_text("WHEN")
      ->group(out);
  cmd.add_flag("--ascii", o.ascii, "Pure ASCII output (no box-drawing characters or arrows)")
      ->group(out);
  cmd.add_flag("-q,--quiet", o.quiet, "No summary line on stderr unless something was skipped")
      ->group(out);
}

void require_input(const CommonOptions& o) {
  if (o.input.files.empty() && o.input.interface.empty() && o.input.hep_listen.empty()) {
    throw CLI::ValidationError(
        "no input: give capture FILEs, -i IFACE or --hep-listen (see --help)");
  }
}

}  // namespace sipflow::cli
