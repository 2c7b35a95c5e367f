#include "sipflow/render/graphviz.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace sipflow::render::graphviz {
namespace {

struct GraphDeleter {
  void operator()(Agraph_t* g) const { agclose(g); }
};
struct FileDeleter {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct RenderDataDeleter {
  void operator()(char* p) const { gvFreeRenderData(p); }
};
using GraphPtr = std::unique_ptr<Agraph_t, GraphDeleter>;

// Frees a layout before its graph is closed.
class Layout {
 public:
  Layout(GVC_t* gvc, Agraph_t* g) : gvc_(gvc), g_(g) {}
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;
  ~Layout() { gvFreeLayout(gvc_, g_); }

 private:
  GVC_t* gvc_;
  Agraph_t* g_;
};

// cgraph reports errors and warnings through one process-wide callback that
// takes no context argument, so the sink of the render running on this
// thread is thread_local. Library code never prints: the text ends up in
// the exception, or nowhere.
thread_local std::string* t_errors = nullptr;

int collect_error(char* message) {
  if (t_errors != nullptr && message != nullptr) *t_errors += message;
  return 0;
}

class ErrorCapture {
 public:
  ErrorCapture() : previous_(agseterrf(collect_error)) { t_errors = &text_; }
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;
  ~ErrorCapture() {
    agseterrf(previous_);
    t_errors = nullptr;
  }
  [[noreturn]] void fail(const std::string& what) const {
    std::string msg = "graphviz: " + what;
    std::string detail = text_;
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' '))
      detail.pop_back();
    if (!detail.empty()) msg += ": " + detail;
    throw std::runtime_error(msg);
  }

 private:
  std::string text_;
  agusererrf previous_;
};

// cgraph's C API takes char* for strings it only reads (and copies).
char* chars(std::string& s) {
  return s.data();
}

void set_all(void* object, const std::vector<Attr>& attrs) {
  for (Attr a : attrs) {
    std::string none;
    agsafeset(object, chars(a.name), chars(a.value), chars(none));
  }
}

void declare(Agraph_t* g, int kind, const std::vector<Attr>& attrs) {
  for (Attr a : attrs)
    agattr(g, kind, chars(a.name), chars(a.value));
}

std::string write_dot(Agraph_t* g, const ErrorCapture& errors) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::string out;
  {
    std::unique_ptr<std::FILE, FileDeleter> f(open_memstream(&buffer, &size));
    if (!f) errors.fail("cannot open a memory stream");
    if (agwrite(g, f.get()) != 0) errors.fail("cannot write DOT");
  }  // fclose sets buffer and size
  std::unique_ptr<char, decltype(&std::free)> owned(buffer, &std::free);
  if (buffer != nullptr) out.assign(buffer, size);
  return out;
}

// One Graphviz context for the process, made on first use and never freed.
// Graphviz 2.42's text layout caches a pointer into the font table of the
// context it last measured text for, so a layout in a second context after
// gvFreeContext() of the first reads freed memory (flow --each --format
// dot-svg with two calls; found by ladder_fuzz). Each gvContext() also
// leaks its plugin configuration (.ci/lsan.supp).
GVC_t* shared_context() {
  static GVC_t* const gvc = gvContext();
  return gvc;
}

}  // namespace

std::string render(const Graph& graph, Output output) {
  ErrorCapture errors;
  GVC_t* gvc = nullptr;
  if (output != Output::Dot) {  // plain DOT needs no plugins
    gvc = shared_context();
    if (gvc == nullptr) errors.fail("cannot create a context");
  }
  std::string name = graph.name;
  GraphPtr g(agopen(chars(name), Agdirected, nullptr));
  if (!g) errors.fail("cannot create a graph");
  declare(g.get(), AGRAPH, graph.graph_attrs);
  declare(g.get(), AGNODE, graph.node_defaults);
  declare(g.get(), AGEDGE, graph.edge_defaults);
  std::vector<Agnode_t*> nodes;
  for (Node n : graph.nodes) {
    Agnode_t* node = agnode(g.get(), chars(n.name), 1);
    if (node == nullptr) errors.fail("cannot create node " + n.name);
    set_all(node, n.attrs);
    nodes.push_back(node);
  }
  for (const Edge& e : graph.edges) {
    if (e.tail >= nodes.size() || e.head >= nodes.size()) errors.fail("edge to no node");
    // Anonymous: in a non-strict graph each call makes a new edge.
    Agedge_t* edge = agedge(g.get(), nodes[e.tail], nodes[e.head], nullptr, 1);
    if (edge == nullptr) errors.fail("cannot create an edge");
    set_all(edge, e.attrs);
  }
  if (output == Output::Dot) return write_dot(g.get(), errors);

  if (gvLayout(gvc, g.get(), "dot") != 0) errors.fail("dot layout failed");
  Layout layout(gvc, g.get());
  char* data = nullptr;
  unsigned int length = 0;
  const char* format = output == Output::Svg ? "svg" : "png";
  if (gvRenderData(gvc, g.get(), format, &data, &length) != 0) {
    errors.fail(std::string("cannot render ") + format);
  }
  std::unique_ptr<char, RenderDataDeleter> owned(data);
  return data != nullptr ? std::string(data, length) : std::string();
}

}  // namespace sipflow::render::graphviz
