#include "sipflow/render/topology_dot.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sipflow/render/escape.hpp"
#include "sipflow/render/graphviz.hpp"

namespace sipflow::render {
namespace {

using flows::ArrowKind;
using flows::LadderRow;

constexpr std::string_view kFont = "Helvetica,Arial,sans-serif";

// 0 for 1xx .. 5 for 6xx; requests count as 0 (never used for them).
std::size_t class_index(ArrowKind k) {
  switch (k) {
    case ArrowKind::Request:
    case ArrowKind::Provisional:
      return 0;
    case ArrowKind::Success:
      return 1;
    case ArrowKind::Redirect:
      return 2;
    case ArrowKind::ClientError:
      return 3;
    case ArrowKind::ServerError:
      return 4;
    case ArrowKind::GlobalError:
      return 5;
  }
  return 0;
}

std::vector<std::string> label_lines(const TopologyEdge& e) {
  std::string counts;
  for (const auto& [what, n] : e.counts)
    counts += fmt::format("{}{} \xc3\x97{}", counts.empty() ? "" : ", ", what, n);  // ×
  std::vector<std::string> lines{counts};
  std::string repeats;
  if (e.retransmissions > 0) {
    repeats =
        fmt::format("{} retransmission{}", e.retransmissions, e.retransmissions == 1 ? "" : "s");
  }
  if (e.duplicates > 0) {
    repeats += fmt::format("{}{} duplicate{}", repeats.empty() ? "" : ", ", e.duplicates,
                           e.duplicates == 1 ? "" : "s");
  }
  if (!repeats.empty()) lines.push_back(repeats);
  return lines;
}

// A Graphviz escString that shows `lines` literally, one per line: packet
// bytes made terminal-safe (no control characters, valid UTF-8), every
// backslash doubled so "\N", "\G", "\l" are not expanded, lines joined by
// Graphviz's own "\n". DOT quoting is left to cgraph.
std::string esc_string(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\\n";
    for (char c : terminal_safe(lines[i])) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '&') {
        out += "&amp;";  // Graphviz decodes HTML entities in every label
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

graphviz::Graph build_graph(const flows::Ladder& l, const std::vector<TopologyEdge>& edges,
                            const DotOptions& o) {
  graphviz::Graph g;
  g.name = "topology";
  g.graph_attrs = {{"rankdir", o.left_to_right ? "LR" : "TB"},
                   {"bgcolor", "white"},
                   {"pad", "0.3"},
                   {"nodesep", "0.6"},
                   {"ranksep", "1.2"},
                   {"fontname", std::string(kFont)},
                   {"fontsize", "13"},
                   {"fontcolor", "#1f2328"}};
  if (o.title && !l.title.empty()) {
    g.graph_attrs.push_back({"label", esc_string({l.title})});
    g.graph_attrs.push_back({"labelloc", "t"});
  }
  g.node_defaults = {{"shape", "box"},
                     {"style", "rounded,filled"},
                     {"fillcolor", "#f6f8fa"},
                     {"color", "#8c959f"},
                     {"fontname", std::string(kFont)},
                     {"fontsize", "11"},
                     {"fontcolor", "#1f2328"},
                     {"margin", "0.2,0.1"}};
  g.edge_defaults = {{"fontname", std::string(kFont)}, {"fontsize", "10"},   {"color", "#57606a"},
                     {"fontcolor", "#1f2328"},         {"arrowsize", "0.8"}, {"penwidth", "1.2"}};
  for (std::size_t i = 0; i < l.columns.size(); ++i) {
    const auto& c = l.columns[i];
    std::vector<std::string> lines{c.label};
    if (o.details) {
      for (const auto& a : c.addresses) {
        if (a != c.label) lines.push_back(a);
      }
      if (!c.agent.empty()) lines.push_back(c.agent);
    }
    g.nodes.push_back({fmt::format("c{}", i + 1), {{"label", esc_string(lines)}}});
  }
  for (const auto& e : edges) {
    graphviz::Edge edge{e.from, e.to, {{"label", esc_string(label_lines(e))}}};
    if (e.failure) {
      edge.attrs.push_back({"color", "#cf222e"});
      edge.attrs.push_back({"fontcolor", "#cf222e"});
    }
    g.edges.push_back(std::move(edge));
  }
  return g;
}

}  // namespace

std::vector<TopologyEdge> topology_edges(const flows::Ladder& l) {
  struct Counting {
    TopologyEdge edge;
    std::array<std::size_t, 6> classes{};  // 1xx .. 6xx
  };
  std::vector<Counting> edges;
  for (const auto& r : l.rows) {
    auto it = std::find_if(edges.begin(), edges.end(), [&](const Counting& e) {
      return e.edge.from == r.from && e.edge.to == r.to;
    });
    if (it == edges.end()) {
      edges.push_back({{r.from, r.to, {}, 0, 0, false}, {}});
      it = edges.end() - 1;
    }
    TopologyEdge& e = it->edge;
    if (r.kind == ArrowKind::Request) {
      std::string method = r.label.substr(0, r.label.find(' '));  // "INVITE (SDP offer)"
      auto c = std::find_if(e.counts.begin(), e.counts.end(),
                            [&](const auto& p) { return p.first == method; });
      if (c == e.counts.end()) {
        e.counts.emplace_back(std::move(method), 1);
      } else {
        ++c->second;
      }
    } else {
      ++it->classes[class_index(r.kind)];
    }
    if (r.repeat == flows::Repeat::Retransmission) ++e.retransmissions;
    if (r.repeat == flows::Repeat::Duplicate) ++e.duplicates;
    e.failure = e.failure || class_index(r.kind) >= 3;
  }
  std::vector<TopologyEdge> out;
  for (auto& c : edges) {  // methods as first seen, then status classes in order
    for (std::size_t k = 0; k < c.classes.size(); ++k) {
      if (c.classes[k] > 0) c.edge.counts.emplace_back(fmt::format("{}xx", k + 1), c.classes[k]);
    }
    out.push_back(std::move(c.edge));
  }
  return out;
}

std::string edge_label(const TopologyEdge& edge) {
  std::string out;
  for (const auto& line : label_lines(edge))
    out += (out.empty() ? "" : "\n") + line;
  return out;
}

std::string render_topology(const flows::Ladder& l, TopologyOutput output, const DotOptions& o) {
  return render_topology(l, topology_edges(l), output, o);
}

std::string render_topology(const flows::Ladder& l, const std::vector<TopologyEdge>& edges,
                            TopologyOutput output, const DotOptions& o) {
  graphviz::Graph g = build_graph(l, edges, o);
  switch (output) {
    case TopologyOutput::Dot:
      return graphviz::render(g, graphviz::Output::Dot);
    case TopologyOutput::Svg:
      return graphviz::render(g, graphviz::Output::Svg);
    case TopologyOutput::Png:
      g.graph_attrs.push_back({"dpi", "144"});  // crisp on high-density screens
      return graphviz::render(g, graphviz::Output::Png);
  }
  return {};
}

void TopologyAccumulator::add(const flows::Ladder& l) {
  if (calls_ == 0) nodes_.title = l.title;
  calls_ += l.legs.empty() ? 1 : l.legs.size();
  if (calls_ > 1) nodes_.title = fmt::format("{} calls", calls_);
  std::vector<std::size_t> node_of(l.columns.size());
  for (std::size_t i = 0; i < l.columns.size(); ++i) {
    const auto& c = l.columns[i];
    auto it = std::find_if(nodes_.columns.begin(), nodes_.columns.end(),
                           [&](const flows::LadderColumn& n) { return n.label == c.label; });
    if (it == nodes_.columns.end()) {
      nodes_.columns.push_back(c);
      it = nodes_.columns.end() - 1;
    }
    for (const auto& a : c.addresses) {
      if (std::find(it->addresses.begin(), it->addresses.end(), a) == it->addresses.end()) {
        it->addresses.push_back(a);
      }
    }
    if (it->agent.empty()) it->agent = c.agent;
    node_of[i] = static_cast<std::size_t>(it - nodes_.columns.begin());
  }
  for (auto& e : topology_edges(l)) {
    std::size_t from = node_of[e.from], to = node_of[e.to];
    auto it = std::find_if(edges_.begin(), edges_.end(),
                           [&](const TopologyEdge& x) { return x.from == from && x.to == to; });
    if (it == edges_.end()) {
      e.from = from;
      e.to = to;
      edges_.push_back(std::move(e));
      continue;
    }
    for (auto& entry : e.counts) {
      std::string& name = entry.first;  // not a structured binding: lambdas capture it (clang 14)
      const auto count = entry.second;
      auto c = std::find_if(it->counts.begin(), it->counts.end(),
                            [&](const auto& p) { return p.first == name; });
      if (c != it->counts.end()) {
        c->second += count;
        continue;
      }
      // Methods first (in order of first sighting), then status classes "1xx".."6xx" in order.
      bool is_class = !name.empty() && name[0] >= '1' && name[0] <= '6';
      auto at = std::find_if(it->counts.begin(), it->counts.end(), [&](const auto& p) {
        bool p_class = !p.first.empty() && p.first[0] >= '1' && p.first[0] <= '6';
        return p_class && (!is_class || p.first > name);
      });
      it->counts.insert(at, {std::move(name), count});
    }
    it->retransmissions += e.retransmissions;
    it->duplicates += e.duplicates;
    it->failure = it->failure || e.failure;
  }
}

flows::Ladder TopologyAccumulator::nodes() const {
  return nodes_;
}

}  // namespace sipflow::render
