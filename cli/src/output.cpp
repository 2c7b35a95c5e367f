#include "output.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

namespace sipflow::cli {

void Output::flush() {
  if (!buf_.empty()) {
    std::fwrite(buf_.data(), 1, buf_.size(), f_);
    buf_.clear();
  }
  std::fflush(f_);
}

bool Output::is_tty() const {
  return ::isatty(::fileno(f_)) == 1;
}

int terminal_width(std::FILE* f) {
  if (::isatty(::fileno(f)) != 1) return 0;
  winsize ws{};
  if (::ioctl(::fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* cols = std::getenv("COLUMNS")) return std::atoi(cols);
  return 80;
}

bool use_color(ColorMode mode, std::FILE* f) {
  if (mode == ColorMode::Always) return true;
  if (mode == ColorMode::Never) return false;
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return ::isatty(::fileno(f)) == 1;
}

std::string_view Palette::status(int code) const {
  if (!on_) return "";
  if (code < 200) return "\x1b[33m";  // provisional: yellow
  if (code < 300) return "\x1b[32m";  // success: green
  if (code < 400) return "\x1b[34m";  // redirect: blue
  return "\x1b[31m";                  // failure: red
}

namespace {
void split(Timestamp ts, std::tm& tm, long& micros) {
  std::int64_t us = ts.micros();
  std::int64_t sec = us / 1'000'000;
  micros = static_cast<long>(us % 1'000'000);
  if (micros < 0) {
    micros += 1'000'000;
    --sec;
  }
  std::time_t t = static_cast<std::time_t>(sec);
  gmtime_r(&t, &tm);
}
}  // namespace

void append_time_of_day(std::string& out, Timestamp ts) {
  std::tm tm{};
  long us = 0;
  split(ts, tm, us);
  fmt::format_to(std::back_inserter(out), "{:02}:{:02}:{:02}.{:06}", tm.tm_hour, tm.tm_min,
                 tm.tm_sec, us);
}

void append_date_time(std::string& out, Timestamp ts) {
  std::tm tm{};
  long us = 0;
  split(ts, tm, us);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 us);
}

void append_iso8601(std::string& out, Timestamp ts) {
  std::tm tm{};
  long us = 0;
  split(ts, tm, us);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 us);
}

}  // namespace sipflow::cli
