// Bugs the fuzzers found in render (fuzz/README.md). Each test loads its
// input from tests/fuzz_regressions/<target>/<name> and checks the result.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "sipflow/render/escape.hpp"

namespace sipflow::render {
namespace {

std::string load(const std::string& name) {
  std::string path = std::string(SIPFLOW_SOURCE_DIR) + "/tests/fuzz_regressions/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), {}};
}

// render_fuzz: display_width() counted a control character, DEL, a C1
// control or a bidi override as one column, but terminal_safe() shows it as
// an escape of 2 to 8 columns, so table and ladder columns after such a
// string were misaligned.
TEST(DisplayWidthFuzzRegression, CountsTheEscapesTerminalSafeShows) {
  std::string s = load("render_fuzz/display_width_of_controls");
  std::string safe = terminal_safe(s);
  ASSERT_EQ(safe, "a\\tb\\x01c\\e[31m\\x7f\\u{85}\\u{202e}d\\xff");
  EXPECT_EQ(display_width(s), safe.size());  // the safe form is all ASCII here
  EXPECT_EQ(display_width(s), display_width(safe));
}

}  // namespace
}  // namespace sipflow::render
