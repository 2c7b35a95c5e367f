#pragma once
// Linker: joins the legs of one call through a B2BUA, SBC or PBX.
//
// Each signal turns something a message carries into a token ("icid:abc",
// "sdp:10.0.0.1:4000", "ref:<Call-ID>"); two open calls that claim the same
// token are linked, and the link remembers which signal made it.

#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "open_call.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/flows/correlator.hpp"

namespace sipflow::flows::detail {

class Linker {
 public:
  using Lookup = std::function<OpenCall*(std::string_view call_id)>;

  /// Throws std::regex_error for a bad --link-callid-regex (a usage error).
  Linker(const LinkOptions& options, Diagnostics& diag, Lookup lookup);

  void on_new_call(OpenCall& c);
  void on_request(OpenCall& c, const decode::SipMessage& m);
  void on_media(OpenCall& c, const std::vector<MediaInfo>& media);
  /// `c` is about to be freed: drop its tokens and its place in its group.
  void forget(OpenCall& c);

 private:
  void claim(OpenCall& c, std::string token, std::string_view signal);
  void reference(OpenCall& c, std::string_view other_call_id, std::string_view signal);
  void link(OpenCall& a, OpenCall& b, std::string_view signal);

  const LinkOptions& options_;
  Diagnostics& diag_;
  Lookup lookup_;
  std::optional<std::regex> regex_;
  struct Entry {
    OpenCall* owner = nullptr;
    std::string signal;  // what claimed it (for "ref:" tokens: the header that referenced)
  };
  std::unordered_map<std::string, Entry> index_;
};

}  // namespace sipflow::flows::detail
