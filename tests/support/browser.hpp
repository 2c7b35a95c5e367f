#pragma once
// Headless Chromium and the mermaid library, for the tests that render
// sipflow's SVG and mermaid output the way a reader's browser does.

#include <filesystem>
#include <string>

#include "run_cli.hpp"

namespace sipflow::test {

/// tests/e2e/browser/render.sh: `png SVG PNG` or `mermaid FILE` (prints the DOM).
inline std::string browser_script() {
  return std::string(SIPFLOW_SOURCE_DIR) + "/tests/e2e/browser/render.sh";
}

inline bool have_chromium() {
  return have_command("chromium") || have_command("chromium-browser") ||
         have_command("google-chrome");
}

/// The mermaid npm package, installed by `npm ci` in tests/e2e/browser.
inline bool have_mermaid() {
  return std::filesystem::exists(std::string(SIPFLOW_SOURCE_DIR) +
                                 "/tests/e2e/browser/node_modules/mermaid/dist/mermaid.min.js");
}

}  // namespace sipflow::test
