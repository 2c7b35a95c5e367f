#include "privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <CLI/CLI.hpp>

#include "sipflow/capture/frame.hpp"

namespace sipflow::cli {

void drop_privileges(const std::string& user) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    throw CLI::ValidationError("-Z", "no such user '" + user + "'");
  }
  if (geteuid() == pw.pw_uid) return;
  // Order matters: groups and gid while still root, the uid last.
  if (initgroups(pw.pw_name, pw.pw_gid) != 0 || setgid(pw.pw_gid) != 0 || setuid(pw.pw_uid) != 0) {
    throw capture::InputError("-Z " + user +
                              ": cannot switch to this user: " + std::strerror(errno));
  }
  if (setuid(0) == 0)
    throw capture::InputError("-Z " + user + ": root could be regained; refusing to go on");
}

}  // namespace sipflow::cli
