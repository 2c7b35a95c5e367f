#include "sipflow/decode/grammar.hpp"

#include <charconv>

#include "sipflow/decode/chars.hpp"

namespace sipflow::decode {
namespace {

constexpr Error fail(std::string_view code, std::size_t offset = 0) {
  return Error{code, static_cast<std::uint32_t>(offset)};
}

bool has_whitespace(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return true;
  }
  return false;
}

bool valid_scheme(std::string_view s) {
  if (s.empty() || !is(s[0], kAlpha)) return false;
  for (char c : s) {
    if (!is(c, kAlpha) && !is(c, kDigit) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// host = hostname / IPv4address (IPv6 references are handled by the caller).
bool valid_host(std::string_view h) {
  if (h.empty()) return false;
  for (char c : h) {
    if (!is(c, kAlpha) && !is(c, kDigit) && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

bool valid_ipv6_reference(std::string_view h) {
  if (h.empty()) return false;
  for (char c : h) {
    if (!is(c, kHex) && c != ':' && c != '.') return false;
  }
  return true;
}

// hostport = host [ ":" port ]; IPv6 in brackets.
bool split_hostport(std::string_view hp, std::string_view& host, std::uint16_t& port, bool& v6) {
  std::string_view port_text;
  v6 = false;
  if (!hp.empty() && hp[0] == '[') {
    std::size_t close = hp.find(']');
    if (close == std::string_view::npos) return false;
    host = hp.substr(1, close - 1);
    if (!valid_ipv6_reference(host)) return false;
    v6 = true;
    std::string_view after = hp.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return false;
      port_text = after.substr(1);
      if (port_text.empty()) return false;
    }
  } else {
    std::size_t colon = hp.find(':');
    host = hp.substr(0, colon);
    if (!valid_host(host)) return false;
    if (colon != std::string_view::npos) {
      port_text = hp.substr(colon + 1);
      if (port_text.empty()) return false;
    }
  }
  port = 0;
  if (!port_text.empty()) {
    auto n = parse_number(port_text, 65535);
    if (!n || port_text.size() > 5) return false;
    port = static_cast<std::uint16_t>(*n);
  }
  return true;
}

std::string_view unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

// Finds the closing quote of a quoted-string starting at s[0] == '"'.
std::size_t closing_quote(std::string_view s) {
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i;
    }
  }
  return std::string_view::npos;
}

// Reads a token at the front of `s`, consuming it.
std::string_view take_token(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && is(s[n], kToken))
    ++n;
  std::string_view t = s.substr(0, n);
  s.remove_prefix(n);
  return t;
}

void skip_lws(std::string_view& s) {
  while (!s.empty() && (is(s[0], kSpace) || s[0] == '\r' || s[0] == '\n'))
    s.remove_prefix(1);
}

}  // namespace

std::string unescape_quoted_pairs(std::string_view inside) {
  std::string out;
  out.reserve(inside.size());
  for (std::size_t i = 0; i < inside.size(); ++i) {
    if (inside[i] == '\\' && i + 1 < inside.size()) ++i;
    out.push_back(inside[i]);
  }
  return out;
}

bool Uri::is_sip() const noexcept {
  return iequals(scheme, "sip") || iequals(scheme, "sips");
}
bool Uri::is_tel() const noexcept {
  return iequals(scheme, "tel");
}

bool Via::rfc3261_branch() const noexcept {
  return branch.starts_with("z9hG4bK");
}

bool MediaType::is(std::string_view t, std::string_view s) const noexcept {
  return iequals(type, t) && iequals(subtype, s);
}

std::optional<std::uint64_t> parse_number(std::string_view text, std::uint64_t max) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || p != text.data() + text.size() || n > max) return std::nullopt;
  return n;
}

Result<Uri> parse_uri(std::string_view text) {
  Uri u;
  u.text = trim(text);
  std::string_view t = u.text;
  if (has_whitespace(t)) return fail("bad_uri");
  std::size_t colon = t.find(':');
  if (colon == std::string_view::npos || !valid_scheme(t.substr(0, colon))) return fail("bad_uri");
  u.scheme = t.substr(0, colon);
  std::string_view rest = t.substr(colon + 1);
  if (u.is_tel()) {
    std::size_t semi = rest.find(';');
    u.user = rest.substr(0, semi);
    if (semi != std::string_view::npos) u.params = rest.substr(semi);
    if (u.user.empty()) return fail("bad_uri");
    return u;
  }
  if (!u.is_sip()) {
    u.opaque = rest;
    if (rest.empty()) return fail("bad_uri");
    return u;
  }
  // sip:[user[:password]@]host[:port][;params][?headers]. '@' cannot appear
  // unescaped after the userinfo, so the first one ends it.
  std::string_view hostpart = rest;
  std::size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    std::size_t pw = userinfo.find(':');
    u.user = userinfo.substr(0, pw);
    if (pw != std::string_view::npos) u.password = userinfo.substr(pw + 1);
    if (u.user.empty()) return fail("bad_uri");
    hostpart = rest.substr(at + 1);
  }
  std::size_t q = hostpart.find('?');
  if (q != std::string_view::npos) {
    u.headers = hostpart.substr(q + 1);
    hostpart = hostpart.substr(0, q);
  }
  std::size_t semi = hostpart.find(';');
  if (semi != std::string_view::npos) {
    u.params = hostpart.substr(semi);
    hostpart = hostpart.substr(0, semi);
  }
  if (!split_hostport(hostpart, u.host, u.port, u.ipv6_host)) return fail("bad_uri");
  return u;
}

Result<NameAddr> parse_name_addr(std::string_view text) {
  NameAddr na;
  std::string_view t = trim(text);
  if (t == "*") {
    na.uri.text = t;
    return na;
  }
  std::string_view rest;
  if (!t.empty() && t[0] == '"') {
    std::size_t close = closing_quote(t);
    if (close == std::string_view::npos) return fail("unterminated_quoted_string");
    na.display = t.substr(1, close - 1);
    na.quoted_display = true;
    rest = t.substr(close + 1);
    skip_lws(rest);
    if (rest.empty() || rest[0] != '<') return fail("bad_name_addr");
  } else {
    std::size_t lt = t.find('<');
    if (lt == std::string_view::npos) {
      // addr-spec: parameters after the first ';' belong to the header, so a
      // URI with its own parameters, headers or commas must be in <> (§20).
      std::size_t semi = t.find(';');
      std::string_view uri_text = trim(t.substr(0, semi));
      if (has_whitespace(uri_text) || uri_text.find('?') != std::string_view::npos ||
          uri_text.find(',') != std::string_view::npos) {
        return fail("bad_addr_spec");
      }
      auto uri = parse_uri(uri_text);
      if (!uri) return uri.error();
      na.uri = *uri;
      if (semi != std::string_view::npos) na.params = t.substr(semi);
      na.tag = find_param(na.params, "tag").value_or(std::string_view{});
      return na;
    }
    // display-name = *(token LWS): unquoted, only tokens separated by whitespace.
    std::string_view disp = trim(t.substr(0, lt));
    for (char c : disp) {
      if (!is(c, kToken) && !is(c, kSpace)) return fail("bad_display_name");
    }
    na.display = disp;
    rest = t.substr(lt);
  }
  std::size_t gt = rest.find('>');
  if (gt == std::string_view::npos) return fail("bad_name_addr");
  std::string_view uri_text = rest.substr(1, gt - 1);
  if (uri_text.empty() || has_whitespace(uri_text)) return fail("bad_addr_spec");
  auto uri = parse_uri(uri_text);
  if (!uri) return uri.error();
  na.uri = *uri;
  na.bracketed = true;
  std::string_view after = trim(rest.substr(gt + 1));
  if (!after.empty() && after[0] != ';') return fail("bad_name_addr");
  na.params = after;
  na.tag = find_param(na.params, "tag").value_or(std::string_view{});
  return na;
}

Result<Via> parse_via(std::string_view text) {
  Via v;
  std::string_view s = trim(text);
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, LWS allowed around '/'.
  std::string_view name = take_token(s);
  skip_lws(s);
  if (name.empty() || s.empty() || s[0] != '/') return fail("bad_via");
  s.remove_prefix(1);
  skip_lws(s);
  std::string_view version = take_token(s);
  skip_lws(s);
  if (version.empty() || s.empty() || s[0] != '/') return fail("bad_via");
  s.remove_prefix(1);
  skip_lws(s);
  v.transport = take_token(s);
  if (v.transport.empty() || s.empty() || !(is(s[0], kSpace) || s[0] == '\r' || s[0] == '\n')) {
    return fail("bad_via");
  }
  v.protocol = std::string_view(
      name.data(), static_cast<std::size_t>(version.data() + version.size() - name.data()));
  skip_lws(s);
  // sent-by runs to the first ';' (parameters) — whitespace before it is allowed.
  std::size_t semi = s.find(';');
  std::string_view sent_by = trim(s.substr(0, semi));
  if (semi != std::string_view::npos) v.params = s.substr(semi);
  bool v6 = false;
  if (has_whitespace(sent_by) || !split_hostport(sent_by, v.host, v.port, v6))
    return fail("bad_via");
  // One pass over the parameters for the four that matter.
  ParamList params(v.params);
  while (auto p = params.next()) {
    std::string_view val = p->value.value_or(std::string_view{});
    if (v.branch.empty() && iequals(p->name, "branch")) {
      v.branch = val;
    } else if (v.received.empty() && iequals(p->name, "received")) {
      v.received = val;
    } else if (v.maddr.empty() && iequals(p->name, "maddr")) {
      v.maddr = val;
    } else if (!v.has_rport && iequals(p->name, "rport")) {
      v.has_rport = true;
      v.rport = val;
    }
  }
  return v;
}

Result<CSeq> parse_cseq(std::string_view text) {
  std::string_view s = trim(text);
  std::size_t digits = 0;
  while (digits < s.size() && is(s[digits], kDigit))
    ++digits;
  auto n = parse_number(s.substr(0, digits), 0x7FFFFFFFu);  // RFC 3261 §8.1.1.5: < 2**31
  if (!n || digits > 10) return fail("bad_cseq");
  s.remove_prefix(digits);
  if (s.empty() || !is(s[0], kSpace)) return fail("bad_cseq");
  skip_lws(s);
  std::string_view method = take_token(s);
  skip_lws(s);
  if (method.empty() || !s.empty()) return fail("bad_cseq");
  return CSeq{static_cast<std::uint32_t>(*n), method};
}

Result<Reason> parse_reason(std::string_view text) {
  Reason r;
  std::string_view s = first_element(text);
  std::size_t semi = s.find(';');
  r.protocol = trim(s.substr(0, semi));
  if (!is_token(r.protocol)) return fail("bad_reason");
  std::string_view params = semi == std::string_view::npos ? std::string_view{} : s.substr(semi);
  if (auto cause = find_param(params, "cause")) {
    auto n = parse_number(*cause, 9999);
    if (!n) return fail("bad_reason");
    r.cause = static_cast<int>(*n);
  }
  r.text = find_param(params, "text").value_or(std::string_view{});
  return r;
}

Result<MediaType> parse_media_type(std::string_view text) {
  MediaType m;
  std::string_view s = trim(text);
  std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return fail("bad_media_type");
  m.type = trim(s.substr(0, slash));
  std::string_view rest = s.substr(slash + 1);
  std::size_t semi = rest.find(';');
  m.subtype = trim(rest.substr(0, semi));
  if (semi != std::string_view::npos) m.params = rest.substr(semi);
  if (!is_token(m.type) || !is_token(m.subtype)) return fail("bad_media_type");
  return m;
}

std::optional<std::string_view> find_param(std::string_view params, std::string_view name) {
  ParamList list(params);
  while (auto p = list.next()) {
    if (iequals(p->name, name)) return p->value.value_or(std::string_view{});
  }
  return std::nullopt;
}

std::optional<std::string_view> CommaList::next() noexcept {
  // Most values hold one element: without a comma there is nothing to split.
  if (!rest_.empty() && rest_.find(',') == std::string_view::npos) {
    std::string_view item = trim(rest_);
    rest_ = {};
    if (!item.empty()) return item;
    return std::nullopt;
  }
  while (!rest_.empty()) {
    std::size_t i = 0;
    bool quoted = false;
    int angle = 0;
    for (; i < rest_.size(); ++i) {
      char c = rest_[i];
      if (quoted) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '<') {
        ++angle;
      } else if (c == '>' && angle > 0) {
        --angle;
      } else if (c == ',' && angle == 0) {
        break;
      }
    }
    if (i > rest_.size()) i = rest_.size();
    std::string_view item = trim(rest_.substr(0, i));
    rest_.remove_prefix(i < rest_.size() ? i + 1 : rest_.size());
    if (!item.empty()) return item;
  }
  return std::nullopt;
}

std::string_view first_element(std::string_view text) noexcept {
  CommaList list(text);
  return list.next().value_or(std::string_view{});
}

ParamList::ParamList(std::string_view params) noexcept
    : params_(params),
      semi_(params.find(';')),
      quotes_(params.find('"') != std::string_view::npos) {}

std::optional<Param> ParamList::next() noexcept {
  while (semi_ != std::string_view::npos) {
    std::size_t begin = semi_ + 1;
    std::size_t end = begin;
    if (!quotes_) {
      end = params_.find(';', begin);
      if (end == std::string_view::npos) end = params_.size();
    } else {  // the element runs to the next ';' outside quotes
      bool quoted = false;
      for (; end < params_.size(); ++end) {
        char c = params_[end];
        if (c == '\\' && quoted) {
          ++end;
        } else if (c == '"') {
          quoted = !quoted;
        } else if (c == ';' && !quoted) {
          break;
        }
      }
      if (end > params_.size()) end = params_.size();
    }
    semi_ = end < params_.size() ? end : std::string_view::npos;
    std::string_view item = params_.substr(begin, end - begin);
    std::size_t eq = item.find('=');
    std::string_view name = trim(item.substr(0, eq));
    if (name.empty()) continue;
    if (eq == std::string_view::npos) return Param{name, std::nullopt};
    return Param{name, unquote(trim(item.substr(eq + 1)))};
  }
  return std::nullopt;
}

}  // namespace sipflow::decode
