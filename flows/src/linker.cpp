#include "linker.hpp"

#include <algorithm>

#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"

namespace sipflow::flows::detail {
namespace {

// Legs of one call start close together; an SDP address reused minutes
// later by an unrelated call must not join them.
constexpr std::int64_t kSdpLinkWindowNs = 30'000'000'000;

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && decode::is(s[i + 1], decode::kHex) &&
        decode::is(s[i + 2], decode::kHex)) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// "icid-value=abc;orig-ioi=x" → "abc" (RFC 7315 §4.6).
std::string_view icid_of(std::string_view pcv) {
  std::string_view v = decode::trim(pcv);
  while (!v.empty()) {
    std::size_t semi = v.find(';');
    std::string_view item = decode::trim(v.substr(0, semi));
    std::size_t eq = item.find('=');
    if (eq != std::string_view::npos &&
        decode::iequals(decode::trim(item.substr(0, eq)), "icid-value")) {
      std::string_view value = decode::trim(item.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return value;
    }
    if (semi == std::string_view::npos) break;
    v.remove_prefix(semi + 1);
  }
  return {};
}

// Signals one pair of legs can be linked by (a header, icid, replaces,
// refer-to, callid-regex, sdp, with room for extra header names).
constexpr std::size_t kSignals = 8;

}  // namespace

Linker::Linker(const LinkOptions& options, Diagnostics& diag, Lookup lookup)
    : options_(options), diag_(diag), lookup_(std::move(lookup)) {
  if (!options_.callid_regex.empty()) regex_.emplace(options_.callid_regex, std::regex::ECMAScript);
}

void Linker::link(OpenCall& a, OpenCall& b, std::string_view signal) {
  if (&a == &b) return;
  // Both bounds keep a flood of calls that share one token linear: without
  // them every new leg scans the links of the first and joins its group.
  if (a.group != b.group &&
      a.group->open_members.size() + b.group->open_members.size() > options_.max_legs) {
    diag_.limit("link_limit");
    return;
  }
  auto add = [&](OpenCall& x, const OpenCall& y) {
    for (const auto& l : x.call.links) {
      if (l.call_id == y.call.call_id && l.signal == signal) return;
    }
    // A link is recorded per signal: room for every signal to every other leg.
    if (x.call.links.size() >= options_.max_legs * kSignals) {
      diag_.limit("link_limit");
      return;
    }
    x.call.links.push_back(Link{y.call.call_id, std::string(signal)});
  };
  add(a, b);
  add(b, a);
  if (a.group == b.group) return;
  // Merge the later-starting group into the earlier one; its first leg names
  // the group. `a` is the call being correlated now, so on a tie `b`'s group
  // was there first.
  std::shared_ptr<Group> keep = a.group, drop = b.group;
  if (drop->start <= keep->start) std::swap(keep, drop);
  // Move the smaller member list, keeping the name chosen above: moving the
  // larger one (a capture whose times go backwards) costs O(calls) per link,
  // O(calls^2) for a capture of linked calls.
  if (drop->open_members.size() > keep->open_members.size()) {
    drop->id = keep->id;
    drop->start = keep->start;
    std::swap(keep, drop);
  }
  for (OpenCall* m : drop->open_members) {
    m->group = keep;
    keep->open_members.push_back(m);
  }
}

void Linker::claim(OpenCall& c, std::string token, std::string_view signal) {
  auto [it, inserted] = index_.try_emplace(token, Entry{&c, std::string(signal)});
  if (inserted) {
    c.link_tokens.push_back(std::move(token));
    return;
  }
  OpenCall* owner = it->second.owner;
  if (owner == &c) return;
  link(c, *owner, signal);
}

void Linker::reference(OpenCall& c, std::string_view other, std::string_view signal) {
  other = decode::trim(other);
  if (other.empty() || other == c.call.call_id) return;
  if (OpenCall* o = lookup_(other)) link(c, *o, signal);
  // Also when the referenced leg shows up later.
  auto [it, inserted] =
      index_.try_emplace("ref:" + std::string(other), Entry{&c, std::string(signal)});
  if (inserted) c.link_tokens.push_back(it->first);
}

void Linker::on_new_call(OpenCall& c) {
  auto it = index_.find("ref:" + c.call.call_id);
  if (it != index_.end() && it->second.owner != &c) link(c, *it->second.owner, it->second.signal);
  if (regex_) {
    std::smatch m;
    if (std::regex_search(c.call.call_id, m, *regex_) && m.size() > 1 && m[1].length() > 0) {
      claim(c, "re:" + m[1].str(), "callid-regex");
    }
  }
}

void Linker::on_request(OpenCall& c, const decode::SipMessage& m) {
  if (options_.headers) {
    for (const auto& name : options_.header_names) {
      std::string_view v = m.first(name);
      if (!v.empty()) reference(c, v, "header:" + name);
    }
  }
  if (options_.icid) {
    std::string_view icid = icid_of(m.first(decode::HeaderId::PChargingVector));
    if (!icid.empty()) claim(c, "icid:" + std::string(icid), "icid");
  }
  if (options_.replaces) {
    std::string_view rep = m.first(decode::HeaderId::Replaces);
    if (!rep.empty()) reference(c, rep.substr(0, rep.find(';')), "replaces");
    std::string_view refer_to = m.first(decode::HeaderId::ReferTo);
    if (!refer_to.empty()) {
      if (auto na = decode::parse_name_addr(refer_to)) {
        std::string_view h = na->uri.headers;
        while (!h.empty()) {
          std::size_t amp = h.find('&');
          std::string_view item = h.substr(0, amp);
          std::size_t eq = item.find('=');
          if (eq != std::string_view::npos && decode::iequals(item.substr(0, eq), "Replaces")) {
            std::string value = percent_decode(item.substr(eq + 1));
            reference(c, std::string_view(value).substr(0, value.find(';')), "refer-to");
          }
          if (amp == std::string_view::npos) break;
          h.remove_prefix(amp + 1);
        }
      }
    }
  }
}

void Linker::on_media(OpenCall& c, const std::vector<MediaInfo>& media) {
  if (!options_.sdp || c.wait == Wait::Linger) return;
  for (const auto& m : media) {
    if (m.address.empty() || m.address.starts_with("0.0.0.0:")) continue;
    std::string token = "sdp:" + m.address;
    auto it = index_.find(token);
    if (it != index_.end() && it->second.owner != &c) {
      OpenCall* owner = it->second.owner;
      std::int64_t gap = c.call.start.ns - owner->call.start.ns;
      if (owner->wait == Wait::Linger || gap > kSdpLinkWindowNs || gap < -kSdpLinkWindowNs) {
        // A finished or unrelated call used this address before: hand the token over.
        auto& tokens = owner->link_tokens;
        tokens.erase(std::remove(tokens.begin(), tokens.end(), token), tokens.end());
        it->second.owner = &c;
        c.link_tokens.push_back(token);
        continue;
      }
    }
    claim(c, std::move(token), "sdp");
  }
}

void Linker::forget(OpenCall& c) {
  for (const auto& t : c.link_tokens) {
    auto it = index_.find(t);
    if (it != index_.end() && it->second.owner == &c) index_.erase(it);
  }
  c.link_tokens.clear();
  if (c.group) {
    auto& members = c.group->open_members;
    members.erase(std::remove(members.begin(), members.end(), &c), members.end());
  }
}

}  // namespace sipflow::flows::detail
