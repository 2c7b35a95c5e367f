#pragma once
// A graph drawn by Graphviz, described with std types only: no cgraph or gvc
// header reaches the rest of sipflow (they are this target's PRIVATE
// dependencies).

#include <cstddef>
#include <string>
#include <vector>

namespace sipflow::render::graphviz {

/// One attribute. Values are Graphviz strings: a label is an escString, so a
/// caller wanting a literal backslash passes "\\\\" (and "\\n" for a line
/// break). Quoting for DOT syntax is cgraph's job, not the caller's.
struct Attr {
  std::string name, value;
};

struct Node {
  std::string name;  ///< unique within the graph; shown nowhere if a label is set
  std::vector<Attr> attrs;
};

struct Edge {
  std::size_t tail = 0, head = 0;  ///< indexes into Graph::nodes
  std::vector<Attr> attrs;
};

struct Graph {
  std::string name;  ///< the graph's id in DOT
  std::vector<Attr> graph_attrs;
  std::vector<Attr> node_defaults;  ///< node [...] for every node
  std::vector<Attr> edge_defaults;  ///< edge [...] for every edge
  std::vector<Node> nodes;
  std::vector<Edge> edges;
};

enum class Output {
  Dot,  ///< the graph as DOT text, not laid out (agwrite)
  Svg,  ///< laid out by the dot engine, rendered as SVG (text)
  Png,  ///< laid out by the dot engine, rendered as PNG (binary)
};

/// Builds `graph` as a directed cgraph graph (agopen, agnode, agedge,
/// agsafeset) and writes or renders it. Nodes and edges keep their order, so
/// output is deterministic. Throws std::runtime_error with Graphviz's own
/// message when it cannot lay out or render (a missing plugin: an
/// installation problem). Prints nothing. Layouts (Svg, Png) share one
/// Graphviz context for the process: one thread at a time.
std::string render(const Graph& graph, Output output);

}  // namespace sipflow::render::graphviz
