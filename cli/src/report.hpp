#pragma once
// Report: everything sipflow says on stderr — errors with their frame, and
// the one-line summary of what was read, skipped and counted.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline.hpp"
#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/decode/extractor.hpp"

namespace sipflow::cli {

class Report {
 public:
  explicit Report(bool quiet) : quiet_(quiet) {}

  /// One input could not be used (printed at once).
  void input_error(const std::string& message);
  /// A message that could not be parsed (printed at once, one line).
  void unparseable(const decode::MessageMeta& meta, std::string_view bytes, Error error);
  /// Remembers file names so later lines can say which file a frame is in.
  void set_files(std::vector<std::string> files) { files_ = std::move(files); }
  /// The closing summary line (always printed when something was skipped).
  void summary(const RunTotals& totals, const Diagnostics& diag) const;

 private:
  std::string where(const decode::MessageMeta& meta) const;
  bool quiet_;
  std::vector<std::string> files_;
  std::uint64_t unparseable_printed_ = 0;
};

}  // namespace sipflow::cli
