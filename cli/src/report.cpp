#include "report.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "sipflow/render/escape.hpp"

namespace sipflow::cli {
namespace {
constexpr std::uint64_t kMaxUnparseableLines = 100;  // then only counted
}

void Report::input_error(const std::string& message) {
  fmt::print(stderr, "sipflow: error: {}\n", render::terminal_safe(message));
}

std::string Report::where(const decode::MessageMeta& meta) const {
  if (files_.size() > 1 && meta.file < files_.size()) {
    return fmt::format("{} frame {}", render::terminal_safe(files_[meta.file]), meta.frame);
  }
  return fmt::format("frame {}", meta.frame);
}

void Report::unparseable(const decode::MessageMeta& meta, std::string_view bytes, Error error) {
  if (++unparseable_printed_ > kMaxUnparseableLines) return;
  std::string_view first_line = bytes.substr(0, bytes.find('\n'));
  if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
  if (first_line.size() > 80) first_line = first_line.substr(0, 80);
  fmt::print(stderr, "sipflow: {}: unparseable SIP message ({} at byte {}): {}\n", where(meta),
             error.code, error.offset, render::terminal_safe(first_line));
  if (unparseable_printed_ == kMaxUnparseableLines) {
    fmt::print(stderr, "sipflow: further unparseable messages are only counted\n");
  }
}

void Report::summary(const RunTotals& totals, const Diagnostics& diag) const {
  bool problems =
      diag.total(Severity::Skipped) + diag.total(Severity::Limit) + diag.total(Severity::Warning) >
          0 ||
      totals.inputs_failed > 0;
  if (quiet_ && !problems) return;
  std::string line =
      fmt::format("sipflow: {} frames, {} SIP messages", totals.frames, totals.messages);
  static constexpr struct {
    Severity severity;
    std::string_view label;
  } kGroups[] = {{Severity::Limit, "limits hit"},
                 {Severity::Skipped, "skipped"},
                 {Severity::Warning, "warnings"},
                 {Severity::Info, "notes"}};
  auto entries = diag.sorted();
  for (const auto& g : kGroups) {
    std::string part;
    for (const auto& e : entries) {
      if (e.severity != g.severity) continue;
      part += part.empty() ? "" : ", ";
      part += fmt::format("{}={}", e.name, e.count);
      if (g.severity != Severity::Info && e.first_frame != 0) {
        part += fmt::format(" (first in frame {})", e.first_frame);
      }
    }
    if (!part.empty()) line += fmt::format("; {}: {}", g.label, part);
  }
  if (totals.live) {
    line += fmt::format("; capture: {} received, {} dropped by kernel, {} dropped by interface",
                        totals.live->received, totals.live->dropped_by_kernel,
                        totals.live->dropped_by_interface);
  }
  if (totals.interrupted) line += "; interrupted";
  fmt::print(stderr, "{}\n", line);
}

}  // namespace sipflow::cli
