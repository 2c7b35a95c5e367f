#pragma once
// Dropping root after the capture device is open (tcpdump's -Z).

#include <string>

namespace sipflow::cli {

/// Switches the process to `user` (its uid, primary gid and supplementary
/// groups). Throws CLI::ValidationError when the user does not exist and
/// capture::InputError when the switch fails; switching to the current user
/// does nothing.
void drop_privileges(const std::string& user);

}  // namespace sipflow::cli
