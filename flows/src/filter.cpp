#include "sipflow/flows/filter.hpp"

#include <charconv>
#include <cstdint>
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

// --host: an IP address matches that address exactly (10.0.0.1 is not
// 10.0.0.12), "ip:port" / "[v6]:port" that endpoint; anything else is a
// substring of "ip:port" ("10.0.0.", ":5080").
bool host_matches(std::string_view host, const Endpoint& a, const Endpoint& b) {
  if (auto ip = IpAddress::parse(host)) return a.ip == *ip || b.ip == *ip;
  std::size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < host.size()) {
    std::string_view addr = host.substr(0, colon);
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']')
      addr = addr.substr(1, addr.size() - 2);
    std::uint16_t port = 0;
    std::string_view p = host.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    auto ip = IpAddress::parse(addr);
    if (ip && ec == std::errc{} && end == p.data() + p.size()) {
      Endpoint e{*ip, port};
      return a == e || b == e;
    }
  }
  return a.to_string().find(host) != std::string::npos ||
         b.to_string().find(host) != std::string::npos;
}

// "25" of ".25" → 250000000; digits past nanoseconds are dropped.
std::int64_t fraction_ns(std::string_view digits) {
  std::int64_t ns = 0, scale = 100'000'000;
  for (char c : digits) {
    ns += (c - '0') * scale;
    scale /= 10;
  }
  return ns;
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
  text = decode::trim(text);
  if (text.ends_with(',')) return Error{"bad_status_filter", 0};  // "486,": a term is missing
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
    // Seconds and fraction apart: a double has no room for nanoseconds at
    // this magnitude (1700000000.25 would be ...249999872 ns).
    std::size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view frac =
        dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    std::int64_t s = 0;
    auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), s);
    if (whole.empty() || ec != std::errc{} || p != whole.data() + whole.size() ||
        s > INT64_MAX / 1'000'000'000 || frac.find('.') != std::string_view::npos ||
        (dot != std::string_view::npos && frac.empty())) {
      return Error{"bad_time", 0};
    }
    return Timestamp{s * 1'000'000'000 + fraction_ns(frac)};
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
      std::size_t n = 0;
      while (n < rest.size() && decode::is(rest[n], decode::kDigit))
        ++n;
      frac_ns = fraction_ns(rest.substr(0, n));
      rest.remove_prefix(n);
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
  if (!host.empty() && !host_matches(host, c.caller, c.callee)) return false;
  if (since && c.start < *since) return false;
  if (until && !(c.start < *until)) return false;
  return true;
}

}  // namespace sipflow::flows
