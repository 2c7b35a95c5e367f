#include "sipflow/flows/filter.hpp"

#include <charconv>
#include <ctime>

#include "sipflow/decode/chars.hpp"

namespace sipflow::flows {
namespace {

bool contains_icase(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (decode::iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool digits(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

bool StatusFilter::matches(int status) const noexcept {
  bool any_positive = false, positive_hit = false;
  for (const auto& t : terms) {
    bool in = status >= t.lo && status <= t.hi;
    if (t.negate) {
      if (in) return false;
    } else {
      any_positive = true;
      positive_hit = positive_hit || in;
    }
  }
  return !any_positive || positive_hit;
}

Result<StatusFilter> parse_status_filter(std::string_view text) {
  StatusFilter f;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view item = decode::trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    StatusFilter::Term t;
    if (!item.empty() && item[0] == '!') {
      t.negate = true;
      item.remove_prefix(1);
    }
    int n = 0;
    if (item.size() == 3 && (item[1] == 'x' || item[1] == 'X') &&
        (item[2] == 'x' || item[2] == 'X') && item[0] >= '1' && item[0] <= '6') {
      t.lo = (item[0] - '0') * 100;
      t.hi = t.lo + 99;
    } else if (item.size() == 3 && digits(item, n) && n >= 100 && n <= 699) {
      t.lo = t.hi = n;
    } else if (item == "0" || item == "none") {
      t.lo = t.hi = 0;  // no final response
    } else {
      return Error{"bad_status_filter", 0};
    }
    f.terms.push_back(t);
  }
  if (f.terms.empty()) return Error{"bad_status_filter", 0};
  return f;
}

Result<Timestamp> parse_time(std::string_view text) {
  text = decode::trim(text);
  if (text.empty()) return Error{"bad_time", 0};
  bool numeric = true;
  for (char c : text)
    numeric = numeric && (decode::is(c, decode::kDigit) || c == '.');
  if (numeric) {
    double s = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
    if (ec != std::errc{} || p != text.data() + text.size()) return Error{"bad_time", 0};
    return Timestamp{static_cast<std::int64_t>(s * 1e9)};
  }
  // YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z]
  int y, mo, d, h, mi, sec = 0;
  if (text.size() < 16 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || !digits(text.substr(0, 4), y) ||
      !digits(text.substr(5, 2), mo) || !digits(text.substr(8, 2), d) ||
      !digits(text.substr(11, 2), h) || !digits(text.substr(14, 2), mi)) {
    return Error{"bad_time", 0};
  }
  std::string_view rest = text.substr(16);
  std::int64_t frac_ns = 0;
  if (!rest.empty() && rest[0] == ':') {
    if (rest.size() < 3 || !digits(rest.substr(1, 2), sec)) return Error{"bad_time", 0};
    rest.remove_prefix(3);
    if (!rest.empty() && rest[0] == '.') {
      rest.remove_prefix(1);
      std::int64_t scale = 100'000'000;
      while (!rest.empty() && decode::is(rest[0], decode::kDigit)) {
        frac_ns += (rest[0] - '0') * scale;
        scale /= 10;
        rest.remove_prefix(1);
      }
    }
  }
  if (rest == "Z") rest.remove_prefix(1);
  if (!rest.empty()) return Error{"bad_time", 0};
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  std::time_t t = timegm(&tm);
  return Timestamp{static_cast<std::int64_t>(t) * 1'000'000'000 + frac_ns};
}

bool CallFilter::empty() const noexcept {
  return call_id.empty() && from.empty() && to.empty() && method.empty() && !status &&
         states.empty() && host.empty() && !since && !until;
}

bool CallFilter::matches(const Call& c) const {
  if (!call_id.empty() && c.call_id != call_id && c.call_id.find(call_id) == std::string::npos)
    return false;
  if (!from.empty() && !contains_icase(c.from, from) && !contains_icase(c.from_display, from))
    return false;
  if (!to.empty() && !contains_icase(c.to, to) && !contains_icase(c.to_display, to)) return false;
  if (!method.empty() && !decode::iequals(c.method, method)) return false;
  if (status && !status->matches(c.status)) return false;
  if (!states.empty()) {
    bool any = false;
    for (CallState s : states)
      any = any || s == c.state;
    if (!any) return false;
  }
  if (!host.empty() && c.caller.to_string().find(host) == std::string::npos &&
      c.callee.to_string().find(host) == std::string::npos) {
    return false;
  }
  if (since && c.start < *since) return false;
  if (until && !(c.start < *until)) return false;
  return true;
}

}  // namespace sipflow::flows
