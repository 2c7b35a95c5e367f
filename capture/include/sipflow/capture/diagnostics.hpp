#pragma once
// Diagnostics: named counters for everything a run skipped or found odd.
//
// Library code never prints. Each stage counts what it could not use under a
// stable snake_case name ("truncated_frame", "bad_content_length"), with the
// first frame it happened in; the CLI shows the totals in the run's summary.

#include <cstdint>
#include <string_view>
#include <vector>

namespace sipflow {

/// How a counted event should be read by a user.
enum class Severity : std::uint8_t {
  Info,     ///< expected and harmless (CRLF keep-alives, non-SIP datagrams)
  Warning,  ///< odd input that was still used (a message breaking an RFC rule)
  Skipped,  ///< input that was dropped because it was damaged or unsupported
  Limit,    ///< a configured limit was hit; data was dropped on purpose
};

class Diagnostics {
 public:
  struct Entry {
    std::string_view name;  ///< stable snake_case name (static storage)
    Severity severity = Severity::Info;
    std::uint64_t count = 0;
    std::uint64_t first_frame = 0;  ///< 0 when not tied to a frame
  };

  /// Counts one occurrence of `name`. `name` must have static storage.
  void count(std::string_view name, Severity severity, std::uint64_t frame = 0,
             std::uint64_t n = 1);
  void info(std::string_view name, std::uint64_t frame = 0) { count(name, Severity::Info, frame); }
  void warning(std::string_view name, std::uint64_t frame = 0) {
    count(name, Severity::Warning, frame);
  }
  void skipped(std::string_view name, std::uint64_t frame = 0) {
    count(name, Severity::Skipped, frame);
  }
  void limit(std::string_view name, std::uint64_t frame = 0) {
    count(name, Severity::Limit, frame);
  }

  /// The count recorded for `name` (0 if never seen).
  std::uint64_t get(std::string_view name) const noexcept;
  /// All entries, sorted by severity then name (deterministic for output).
  std::vector<Entry> sorted() const;
  /// Sum of the counts of one severity.
  std::uint64_t total(Severity severity) const noexcept;
  /// Adds every count of `other` to this.
  void merge(const Diagnostics& other);

 private:
  Entry& find_or_add(std::string_view name, Severity severity);
  std::vector<Entry> entries_;  // few distinct names; a linear scan is cheapest
};

}  // namespace sipflow
