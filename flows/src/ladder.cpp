#include "sipflow/flows/ladder.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"
#include "sipflow/decode/sip_message.hpp"

namespace sipflow::flows {
namespace {

struct Pending {
  const MessageRecord* msg;
  std::size_t leg;
};

// Union-find over column keys, for --merge-elements.
class Elements {
 public:
  std::size_t id(const std::string& key) {
    auto [it, inserted] = ids_.try_emplace(key, parent_.size());
    if (inserted) parent_.push_back(parent_.size());
    return it->second;
  }
  std::size_t find(std::size_t x) {
    while (parent_[x] != x)
      x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void unite(const std::string& a, const std::string& b) {
    std::size_t ra = find(id(a)), rb = find(id(b));
    if (ra != rb) parent_[std::max(ra, rb)] = std::min(ra, rb);  // the first-seen key leads
  }

 private:
  std::unordered_map<std::string, std::size_t> ids_;
  std::vector<std::size_t> parent_;
};

std::string column_key(const Endpoint& e, bool by_host) {
  return by_host ? e.ip.to_string() : e.to_string();
}

// "host:port" of a Via sent-by or a URI, when the host is an IP literal.
std::optional<Endpoint> literal_endpoint(std::string_view host, std::uint16_t port) {
  auto ip = IpAddress::parse(host);
  if (!ip) return std::nullopt;
  return Endpoint{*ip, port ? port : std::uint16_t{5060}};
}

// `fork` > 0 numbers the dialog of a response when an INVITE forked.
std::string label_of(const MessageRecord& m, std::size_t fork) {
  std::string label = m.request ? m.method : std::to_string(m.status);
  if (m.request && m.method == "INVITE" && !m.to_tag.empty()) label = "re-INVITE";
  if (!m.request && !m.reason.empty()) label += " " + m.reason;
  if (fork > 0) label += " [fork " + std::to_string(fork) + "]";
  if (m.sdp == SdpRole::Offer) label += " (SDP offer)";
  if (m.sdp == SdpRole::Answer) label += " (SDP answer)";
  return label;
}

ArrowKind kind_of(const MessageRecord& m) {
  if (m.request) return ArrowKind::Request;
  if (m.status < 200) return ArrowKind::Provisional;
  if (m.status < 300) return ArrowKind::Success;
  if (m.status < 400) return ArrowKind::Redirect;
  if (m.status < 500) return ArrowKind::ClientError;
  if (m.status < 600) return ArrowKind::ServerError;
  return ArrowKind::GlobalError;
}

std::string user_of(const std::string& uri) {
  auto u = decode::parse_uri(uri);
  if (u && !u->user.empty()) return std::string(u->user);
  if (u && !u->host.empty()) return std::string(u->host);
  return uri;
}

// Total arrow length of an ordering: what the column order minimises.
std::size_t cost(const std::vector<std::size_t>& pos,
                 const std::vector<std::pair<std::size_t, std::size_t>>& edges) {
  std::size_t c = 0;
  for (auto [a, b] : edges)
    c += pos[a] > pos[b] ? pos[a] - pos[b] : pos[b] - pos[a];
  return c;
}

}  // namespace

std::string_view to_string(ArrowKind k) noexcept {
  switch (k) {
    case ArrowKind::Request:
      return "request";
    case ArrowKind::Provisional:
      return "provisional";
    case ArrowKind::Success:
      return "success";
    case ArrowKind::Redirect:
      return "redirect";
    case ArrowKind::ClientError:
      return "client_error";
    case ArrowKind::ServerError:
      return "server_error";
    case ArrowKind::GlobalError:
      return "global_error";
  }
  return "request";
}

Result<std::pair<std::string, std::string>> parse_alias(std::string_view text) {
  std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) return Error{"bad_alias", 0};
  std::string_view addr = decode::trim(text.substr(0, eq));
  std::string_view name = decode::trim(text.substr(eq + 1));
  if (addr.empty() || name.empty()) return Error{"bad_alias", 0};
  return std::pair{std::string(addr), std::string(name)};
}

Result<std::map<std::string, std::string>> parse_alias_file(std::string_view text) {
  std::map<std::string, std::string> out;
  std::uint32_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    line = decode::trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::size_t sep = line.find('=');
    if (sep == std::string_view::npos) sep = line.find_first_of(" \t");
    if (sep == std::string_view::npos) return Error{"bad_alias", line_no};
    std::string_view addr = decode::trim(line.substr(0, sep));
    std::string_view name = decode::trim(line.substr(sep + 1));
    if (addr.empty() || name.empty()) return Error{"bad_alias", line_no};
    out[std::string(addr)] = std::string(name);
  }
  return out;
}

Ladder build_ladder(const std::vector<const Call*>& calls, const LadderOptions& options) {
  Ladder ladder;
  std::vector<Pending> all;
  for (std::size_t leg = 0; leg < calls.size(); ++leg) {
    const Call& c = *calls[leg];
    std::string summary = c.method + " " + user_of(c.from) + " → " + user_of(c.to) + " · " +
                          std::string(to_string(c.state));
    if (c.status) summary += " " + std::to_string(c.status);
    ladder.legs.push_back(LadderLeg{c.call_id, std::move(summary)});
    for (const auto& m : calls[leg]->history)
      all.push_back({&m, leg});
  }
  std::stable_sort(all.begin(), all.end(), [](const Pending& a, const Pending& b) {
    if (a.msg->ts != b.msg->ts) return a.msg->ts < b.msg->ts;
    if (a.msg->file != b.msg->file) return a.msg->file < b.msg->file;
    return a.msg->frame < b.msg->frame;
  });

  // Which column each endpoint goes to.
  Elements elements;
  std::vector<decode::SipMessage> parsed(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const MessageRecord& m = *all[i].msg;
    elements.id(column_key(m.src, options.by_host));
    elements.id(column_key(m.dst, options.by_host));
    // Only the calls being drawn are parsed again: a handful of messages.
    if (auto p = decode::SipMessage::parse(m.raw)) parsed[i] = std::move(*p);
    if (!options.merge_elements || !m.request) continue;
    // A request's top Via names where its sender listens (RFC 3261 §18.2.1);
    // double Record-Route entries (r2=on) name both sides of one proxy.
    if (auto via =
            decode::parse_via(decode::first_element(parsed[i].first(decode::HeaderId::Via)))) {
      if (auto e = literal_endpoint(via->host, via->port)) {
        elements.unite(column_key(m.src, options.by_host), column_key(*e, options.by_host));
      }
    }
    // A Contact names where its sender listens too (RFC 3261 §8.1.1.8), but a
    // proxy forwards the UA's Contact: trusted only from a request's originator,
    // one that carries a single Via (and so was not forwarded).
    std::size_t vias = 0;
    parsed[i].for_each(decode::HeaderId::Via, [&](std::string_view v) {
      decode::CommaList list(v);
      while (list.next())
        ++vias;
    });
    if (vias == 1) {
      if (auto na = decode::parse_name_addr(
              decode::first_element(parsed[i].first(decode::HeaderId::Contact)))) {
        if (auto e = literal_endpoint(na->uri.host, na->uri.port)) {
          elements.unite(column_key(m.src, options.by_host), column_key(*e, options.by_host));
        }
      }
    }
    std::vector<Endpoint> r2;
    parsed[i].for_each(decode::HeaderId::RecordRoute, [&](std::string_view v) {
      decode::CommaList list(v);
      while (auto item = list.next()) {
        auto na = decode::parse_name_addr(*item);
        if (!na || !decode::find_param(na->uri.params, "r2")) continue;
        if (auto e = literal_endpoint(na->uri.host, na->uri.port)) r2.push_back(*e);
      }
    });
    for (std::size_t k = 1; k < r2.size(); ++k) {
      elements.unite(column_key(r2[0], options.by_host), column_key(r2[k], options.by_host));
    }
  }

  // Columns in order of first appearance, then adjacent swaps that shorten arrows.
  std::unordered_map<std::size_t, std::size_t> column_of_root;
  std::vector<std::pair<std::size_t, std::size_t>> edges;
  auto column = [&](const Endpoint& e) {
    std::size_t root = elements.find(elements.id(column_key(e, options.by_host)));
    auto [it, inserted] = column_of_root.try_emplace(root, ladder.columns.size());
    if (inserted) ladder.columns.emplace_back();
    LadderColumn& col = ladder.columns[it->second];
    std::string addr = column_key(e, options.by_host);
    if (std::find(col.addresses.begin(), col.addresses.end(), addr) == col.addresses.end()) {
      col.addresses.push_back(addr);
    }
    return it->second;
  };
  // Responses with different To tags to one INVITE are forks (RFC 3261 §13.2.2.4):
  // number them per leg when there is more than one.
  std::vector<std::vector<std::string>> fork_tags(calls.size());
  for (const auto& p : all) {
    const MessageRecord& m = *p.msg;
    auto& tags = fork_tags[p.leg];
    if (!m.request && m.method == "INVITE" && !m.to_tag.empty() && m.status > 100 &&
        std::find(tags.begin(), tags.end(), m.to_tag) == tags.end()) {
      tags.push_back(m.to_tag);
    }
  }
  auto fork_of = [&](const Pending& p) -> std::size_t {
    const auto& tags = fork_tags[p.leg];
    if (tags.size() < 2 || p.msg->request || p.msg->to_tag.empty()) return 0;
    auto it = std::find(tags.begin(), tags.end(), p.msg->to_tag);
    return it == tags.end() ? 0 : static_cast<std::size_t>(it - tags.begin()) + 1;
  };
  for (std::size_t i = 0; i < all.size(); ++i) {
    const MessageRecord& m = *all[i].msg;
    LadderRow row;
    row.from = column(m.src);
    row.to = column(m.dst);
    edges.emplace_back(row.from, row.to);
    row.ts = m.ts;
    row.label = label_of(m, fork_of(all[i]));
    row.sdp = m.sdp_summary;
    row.kind = kind_of(m);
    row.repeat = m.repeat;
    row.frame = m.frame;
    row.leg = all[i].leg;
    row.transport = m.transport;
    row.raw = m.raw;
    LadderColumn& sender = ladder.columns[row.from];
    if (sender.agent.empty()) {
      const decode::SipMessage& p = parsed[i];
      std::string_view agent =
          p.first(m.request ? decode::HeaderId::UserAgent : decode::HeaderId::Server);
      if (agent.empty()) agent = p.first(decode::HeaderId::UserAgent);
      sender.agent = std::string(decode::trim(agent));
    }
    ladder.rows.push_back(std::move(row));
  }
  std::size_t n = ladder.columns.size();
  std::vector<std::size_t> pos(n);
  std::iota(pos.begin(), pos.end(), 0);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int round = 0; round < 8 && n > 2; ++round) {
    bool improved = false;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      std::size_t before = cost(pos, edges);
      std::swap(pos[order[i]], pos[order[i + 1]]);
      if (cost(pos, edges) < before) {
        std::swap(order[i], order[i + 1]);
        improved = true;
      } else {
        std::swap(pos[order[i]], pos[order[i + 1]]);
      }
    }
    if (!improved) break;
  }
  std::vector<LadderColumn> sorted(n);
  for (std::size_t c = 0; c < n; ++c)
    sorted[pos[c]] = std::move(ladder.columns[c]);
  ladder.columns = std::move(sorted);
  for (auto& row : ladder.rows) {
    row.from = pos[row.from];
    row.to = pos[row.to];
  }

  // Labels: an alias for the column's address (ip:port first, then ip), else the address.
  for (auto& col : ladder.columns) {
    for (const auto& addr : col.addresses) {
      auto hit = options.aliases.find(addr);
      if (hit == options.aliases.end()) {
        std::string ip = addr;
        if (!options.by_host) {
          std::size_t colon = addr.rfind(':');
          ip = addr.substr(0, colon);
          if (ip.size() > 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
        }
        hit = options.aliases.find(ip);
      }
      if (hit != options.aliases.end()) {
        col.label = hit->second;
        break;
      }
    }
    if (col.label.empty()) col.label = col.addresses.empty() ? "?" : col.addresses.front();
  }

  if (!ladder.rows.empty()) {
    ladder.start = ladder.rows.front().ts;
    Timestamp prev = ladder.start;
    for (auto& row : ladder.rows) {
      row.offset = seconds_between(ladder.start, row.ts);
      row.delta = seconds_between(prev, row.ts);
      prev = row.ts;
    }
  }
  if (ladder.legs.size() == 1) {
    ladder.title = ladder.legs.front().summary;
  } else if (!ladder.legs.empty()) {
    bool linked = std::all_of(calls.begin(), calls.end(), [&](const Call* c) {
      return !c->group.empty() && c->group == calls.front()->group;
    });
    ladder.title = std::to_string(calls.size()) + (linked ? " linked legs of one call" : " calls");
  }
  return ladder;
}

}  // namespace sipflow::flows
