#pragma once
// The host topology of a capture or a call: who talks to whom, and how much.
// Nodes are the Ladder's columns (address, user agent); one edge per
// direction between two of them, labelled with message counts by method and
// status class:
//
//   ┌──────────────────────┐  INVITE ×1, ACK ×1, BYE ×1   ┌──────────────────────┐
//   │ 10.0.0.1:5060        │ ───────────────────────────▶ │ 10.0.0.2:5060        │
//   │ Zoiper 5.6           │ ◀─────────────────────────── │ Asterisk PBX 20      │
//   └──────────────────────┘  1xx ×2, 2xx ×2               └──────────────────────┘
//
// Built with Graphviz's cgraph (so DOT quoting is Graphviz's own), written
// as DOT text or laid out by its dot engine as SVG or PNG.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "sipflow/flows/ladder.hpp"

namespace sipflow::render {

struct DotOptions {
  bool details = true;        ///< addresses (when aliased) and user agent under node labels
  bool title = true;          ///< the call summary as the graph's label
  bool left_to_right = true;  ///< rankdir=LR; false: top to bottom
};

/// Messages sent from one column to another.
struct TopologyEdge {
  std::size_t from = 0, to = 0;  ///< column indexes of the Ladder
  /// Methods ("INVITE", in order of first sighting), then status classes
  /// ("1xx" .. "6xx"), with how many messages of each, retransmissions and
  /// duplicates included.
  std::vector<std::pair<std::string, std::size_t>> counts;
  std::size_t retransmissions = 0;
  std::size_t duplicates = 0;
  bool failure = false;  ///< carried a 4xx, 5xx or 6xx response
};

/// The edges of `ladder`'s topology, one per direction between two columns,
/// in order of their first message. Pure; strings copied from the ladder.
std::vector<TopologyEdge> topology_edges(const flows::Ladder& ladder);

/// "INVITE ×3, 2xx ×2, 4xx ×1", then on a second line (after '\n') what the
/// counts include: "2 retransmissions, 1 duplicate". Packet text unescaped.
std::string edge_label(const TopologyEdge& edge);

enum class TopologyOutput { Dot, Svg, Png };

/// Renders the topology of `ladder`: DOT text (deterministic), or SVG / PNG
/// laid out by Graphviz. Packet text reaches Graphviz made terminal-safe and
/// with backslashes escaped, so labels are shown literally ("\N" is not the
/// node name). Throws std::runtime_error when Graphviz fails (SVG, PNG).
std::string render_topology(const flows::Ladder& ladder, TopologyOutput output,
                            const DotOptions& options);
/// The same from the nodes (`nodes.columns` and title; rows unused) and the
/// edges already counted, as TopologyAccumulator gives them.
std::string render_topology(const flows::Ladder& nodes, const std::vector<TopologyEdge>& edges,
                            TopologyOutput output, const DotOptions& options);

/// The topology of many calls, added one at a time as each finishes: memory
/// grows with endpoints and edges, never with messages. Columns of the calls'
/// ladders are one node when their labels are equal (same address or alias).
class TopologyAccumulator {
 public:
  /// Adds the columns and message counts of `ladder` (one call or one group of legs).
  void add(const flows::Ladder& ladder);
  /// Every node seen, in order of first sighting, and a title ("N calls", or
  /// the one call's summary). Rows stay empty.
  flows::Ladder nodes() const;
  const std::vector<TopologyEdge>& edges() const { return edges_; }
  std::size_t calls() const { return calls_; }

 private:
  flows::Ladder nodes_;
  std::vector<TopologyEdge> edges_;
  std::size_t calls_ = 0;
};

}  // namespace sipflow::render
