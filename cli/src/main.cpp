// sipflow: SIP traffic analyzer and call-flow visualizer — command line.

#include <csignal>
#include <cstdio>
#include <exception>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "sipflow/capture/frame.hpp"

namespace {

// The one piece of global state: a signal handler can reach nothing else.
// Lock-free atomics are async-signal-safe.
std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop.store(true);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns so the loop sees the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

constexpr const char* kDescription =
    "sipflow reads SIP traffic from capture files (pcap, pcapng) or a live interface, "
    "and shows every SIP message, the calls they make up, response-code statistics and "
    "ladder diagrams.";

constexpr const char* kFooter = R"(
INPUT
  FILE may be a pcap (microsecond or nanosecond) or pcapng file, or - for standard
  input. Several files are read in order as one capture (e.g. tcpdump -C rotations).
  -i IFACE captures live until Ctrl-C or SIGTERM, then prints what it saw and the
  kernel's drop counters. SIP is recognised by content on any UDP port.

EXAMPLES
  sipflow messages call.pcap                 one line per SIP message
  sipflow messages --json call.pcap | jq .   JSON Lines, one object per message
  sudo sipflow messages -i eth0 -f 'port 5060'

EXIT STATUS
  0   success (damaged packets are counted in the summary, not fatal)
  1   stats --fail-on: a threshold was breached
  2   an input could not be opened or is not a capture file
  64  bad command line
  70  internal error (a bug; please report it)
)";

void add_common_options(CLI::App& cmd, sipflow::cli::CommonOptions& o) {
  cmd.add_option("files", o.input.files, "Capture files to read (pcap, pcapng, - for stdin)")
      ->type_name("FILE");
  cmd.add_option("-i,--interface", o.input.interface, "Capture live on IFACE (e.g. eth0, any)")
      ->type_name("IFACE");
  cmd.add_option("-f,--filter", o.input.filter,
                 "BPF capture filter for live capture, e.g. 'udp port 5060'")
      ->type_name("EXPR");
  cmd.add_option("-s,--snaplen", o.input.snaplen, "Bytes to keep per live packet")
      ->capture_default_str()
      ->check(CLI::Range(64, 262144));
  cmd.add_flag("--no-promisc", o.input.no_promiscuous,
               "Do not put the interface into promiscuous mode");
  cmd.add_flag("--no-immediate", o.input.no_immediate,
               "Let the kernel batch packets (less CPU, more latency)");
  cmd.add_option("--color", o.color, "Colour output: auto (on a terminal), always, never")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, sipflow::cli::ColorMode>{
              {"auto", sipflow::cli::ColorMode::Auto},
              {"always", sipflow::cli::ColorMode::Always},
              {"never", sipflow::cli::ColorMode::Never}},
          CLI::ignore_case))
      ->type_name("WHEN");
  cmd.add_flag("--ascii", o.ascii, "Pure ASCII output (no box-drawing or arrows)");
  cmd.add_flag("-q,--quiet", o.quiet, "No summary line unless something was skipped");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sipflow::cli;
  CLI::App app{kDescription, "sipflow"};
  app.footer(kFooter);
  app.set_version_flag("-V,--version", fmt::format("sipflow {}", SIPFLOW_VERSION));
  app.require_subcommand(1);
  app.get_formatter()->column_width(34);

  CommonOptions messages_opts;
  auto* messages = app.add_subcommand("messages",
                                      "List every SIP message: frame, time, src -> dst, transport, "
                                      "method or status, Call-ID, CSeq");
  add_common_options(*messages, messages_opts);
  messages->add_flag("--json", messages_opts.json,
                     "JSON Lines: one object per message (keys: frame, ts, src, dst, transport, "
                     "method | status+reason, call_id, cseq, ...)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  auto check_input = [](const CommonOptions& o) {
    if (o.input.files.empty() && o.input.interface.empty()) {
      throw CLI::ValidationError("no input: give capture FILEs or -i IFACE (see --help)");
    }
  };

  install_signal_handlers();
  try {
    if (messages->parsed()) {
      check_input(messages_opts);
      return run_messages(messages_opts, g_stop);
    }
  } catch (const CLI::ValidationError& e) {
    fmt::print(stderr, "sipflow: {}\n", e.what());
    return kExitUsage;
  } catch (const sipflow::capture::InputError& e) {
    fmt::print(stderr, "sipflow: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "sipflow: internal error: {} (please report this)\n", e.what());
    return kExitInternal;
  }
  return kExitUsage;
}
