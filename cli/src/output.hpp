#pragma once
// Output: buffered writing to stdout, colour decisions, time formatting.

#include <cstdio>
#include <string>
#include <string_view>

#include "sipflow/capture/timestamp.hpp"

namespace sipflow::cli {

enum class ColorMode { Auto, Always, Never };

/// Collects output in a buffer and writes it in large blocks.
class Output {
 public:
  explicit Output(std::FILE* f = stdout) : f_(f) { buf_.reserve(kFlushAt * 2); }
  ~Output() { flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  std::string& buffer() noexcept { return buf_; }
  /// Writes the buffer if it is large (call after each record).
  void maybe_flush() {
    if (buf_.size() >= kFlushAt) flush();
  }
  void flush();
  bool is_tty() const;

 private:
  static constexpr std::size_t kFlushAt = 1u << 16;
  std::FILE* f_;
  std::string buf_;
};

/// Columns of the terminal `f` is attached to (or $COLUMNS); 0 when not a terminal.
int terminal_width(std::FILE* f);

/// Whether to colour output written to `f`.
bool use_color(ColorMode mode, std::FILE* f);

/// ANSI SGR sequences, empty when colour is off.
struct Palette {
  explicit Palette(bool on) : on_(on) {}
  std::string_view reset() const { return on_ ? "\x1b[0m" : ""; }
  std::string_view dim() const { return on_ ? "\x1b[2m" : ""; }
  std::string_view bold() const { return on_ ? "\x1b[1m" : ""; }
  std::string_view request() const { return on_ ? "\x1b[36m" : ""; }  // cyan
  std::string_view status(int code) const;                            // by class
  bool on() const { return on_; }

 private:
  bool on_;
};

/// "22:13:20.123456" (UTC).
void append_time_of_day(std::string& out, Timestamp ts);
/// "2023-11-14 22:13:20.123456" (UTC).
void append_date_time(std::string& out, Timestamp ts);
/// "2023-11-14T22:13:20.123456Z" (UTC, RFC 3339).
void append_iso8601(std::string& out, Timestamp ts);

}  // namespace sipflow::cli
