#pragma once
// Running the sipflow binary (or any command) from end-to-end tests.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sipflow::test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

/// Runs `args` (each shell-quoted) with stdout and stderr captured.
inline RunResult run(const std::vector<std::string>& args) {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path();
  std::string tag = std::to_string(::getpid()) + "_" + std::to_string(counter++);
  auto out = dir / ("sipflow_out_" + tag), err = dir / ("sipflow_err_" + tag);
  std::string cmd;
  for (const auto& a : args)
    cmd += shell_quote(a) + " ";
  cmd += ">" + shell_quote(out) + " 2>" + shell_quote(err);
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

/// In a forked child: replaces it with `args` (argv[0] a path), or exits 127.
[[noreturn]] inline void exec_or_exit(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

/// Runs `args` directly (no shell) with stdout discarded and stderr
/// captured; also returns the child's own peak resident set in KiB.
struct MeasuredRun {
  int exit_code = -1;
  std::string err;
  long peak_rss_kib = 0;
};
inline MeasuredRun run_measured(const std::vector<std::string>& args) {
  auto err = std::filesystem::temp_directory_path() / ("sipflow_m_" + std::to_string(::getpid()));
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(null, 1);
    ::dup2(e, 2);
    exec_or_exit(args);
  }
  MeasuredRun r;
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.peak_rss_kib = ru.ru_maxrss;
  r.err = slurp(err);
  std::filesystem::remove(err);
  return r;
}

inline std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string line;
  while (std::getline(ss, line))
    v.push_back(line);
  return v;
}

inline bool have_command(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::string sample(const std::string& name) {
  return std::string(SIPFLOW_SOURCE_DIR) + "/samples/" + name;
}

inline std::string sipflow() {
  return SIPFLOW_BINARY;
}

/// Compares `actual` with tests/golden/<name>; with SIPFLOW_UPDATE_GOLDEN=1
/// in the environment, rewrites the golden file instead.
inline ::testing::AssertionResult matches_golden(const std::string& name,
                                                 const std::string& actual) {
  auto path = std::filesystem::path(SIPFLOW_SOURCE_DIR) / "tests" / "golden" / name;
  const char* update = std::getenv("SIPFLOW_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return ::testing::AssertionSuccess();
  }
  if (!std::filesystem::exists(path)) {
    return ::testing::AssertionFailure()
           << path << " is missing; run with SIPFLOW_UPDATE_GOLDEN=1 to create it";
  }
  std::string expected = slurp(path);
  if (expected == actual) return ::testing::AssertionSuccess();
  auto e = lines(expected), a = lines(actual);
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i])
    ++i;
  return ::testing::AssertionFailure() << name << " differs at line " << i + 1
                                       << "\n  expected: " << (i < e.size() ? e[i] : "<end>")
                                       << "\n  actual:   " << (i < a.size() ? a[i] : "<end>")
                                       << "\n(SIPFLOW_UPDATE_GOLDEN=1 regenerates on purpose)";
}

}  // namespace sipflow::test
