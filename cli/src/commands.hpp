#pragma once
// The subcommands. Each lives in its own <name>_command.cpp and is listed
// once in main.cpp.

#include <atomic>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "call_options.hpp"
#include "output.hpp"
#include "pipeline.hpp"

namespace sipflow::cli {

/// Options every subcommand takes.
struct CommonOptions {
  InputOptions input;
  ColorMode color = ColorMode::Auto;
  bool json = false;
  bool ascii = false;
  bool quiet = false;
};

/// Exit statuses (documented in docs/EXIT_CODES.md and --help).
enum ExitCode : int {
  kExitOk = 0,
  kExitThreshold = 1,  ///< stats --fail-on: a threshold was breached
  kExitBadInput = 2,   ///< an input could not be opened or is not a capture
  kExitNoMatch = 3,    ///< flow: no call matched the selection
  kExitUsage = 64,     ///< bad command line
  kExitInternal = 70,  ///< a bug: please report it
};

/// A subcommand: registers its options, then runs when chosen.
class Command {
 public:
  virtual ~Command() = default;
  /// Adds the subcommand and its options to `app`; returns it.
  virtual CLI::App* add_to(CLI::App& app) = 0;
  /// Runs it; returns the exit status. Throws CLI::ValidationError for bad
  /// option values and capture::InputError when no input can be used.
  virtual int run(const std::atomic<bool>& stop) = 0;
};

std::unique_ptr<Command> make_messages_command();
std::unique_ptr<Command> make_calls_command();
std::unique_ptr<Command> make_stats_command();
std::unique_ptr<Command> make_flow_command();

/// Adds the input and output options every subcommand shares ("--json" excluded).
void add_common_options(CLI::App& cmd, CommonOptions& o);
/// Throws CLI::ValidationError when neither files nor -i were given.
void require_input(const CommonOptions& o);

}  // namespace sipflow::cli
