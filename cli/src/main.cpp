// sipflow: SIP traffic analyzer and call-flow visualizer — command line.

#include <csignal>
#include <cstdio>
#include <exception>
#include <vector>

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
  sipflow calls call.pcap                    a table of calls, outcome and timing
  sipflow calls --status '!2xx' --json *.pcap   failed calls as JSON Lines
  sipflow stats --fail-on '5xx>0,ser<0.95' *.pcap   response-code audit as a CI gate
  sudo sipflow calls -i eth0 -f 'port 5060'  live: calls as they finish

EXIT STATUS
  0   success (damaged packets are counted in the summary, not fatal)
  1   stats --fail-on: a threshold was breached
  2   an input could not be opened or is not a capture file
  3   flow: no call matches the selection
  64  bad command line
  70  internal error (a bug; please report it)
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace sipflow::cli;
  CLI::App app{kDescription, "sipflow"};
  app.footer(kFooter);
  app.set_version_flag("-V,--version", fmt::format("sipflow {}", SIPFLOW_VERSION));
  app.require_subcommand(1);
  app.get_formatter()->column_width(34);

  // Every subcommand, in the order --help lists them.
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_messages_command());
  commands.push_back(make_calls_command());
  commands.push_back(make_stats_command());
  commands.push_back(make_flow_command());

  std::vector<std::pair<CLI::App*, Command*>> subcommands;
  for (auto& c : commands)
    subcommands.emplace_back(c->add_to(app), c.get());

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

  install_signal_handlers();
  try {
    for (auto& [sub, command] : subcommands) {
      if (sub->parsed()) return command->run(g_stop);
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
