#pragma once
// The subcommands. Each returns the process exit status.

#include <atomic>
#include <string>

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
  kExitUsage = 64,     ///< bad command line
  kExitInternal = 70,  ///< a bug: please report it
};

int run_messages(const CommonOptions& common, const std::atomic<bool>& stop);

}  // namespace sipflow::cli
