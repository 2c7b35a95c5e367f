#include "sipflow/flows/q850.hpp"

#include <utility>

namespace sipflow::flows {

std::string_view q850_name(int cause) noexcept {
  static constexpr std::pair<int, std::string_view> kCauses[] = {
      {1, "Unallocated (unassigned) number"},
      {2, "No route to specified transit network"},
      {3, "No route to destination"},
      {6, "Channel unacceptable"},
      {16, "Normal call clearing"},
      {17, "User busy"},
      {18, "No user responding"},
      {19, "No answer from user (user alerted)"},
      {20, "Subscriber absent"},
      {21, "Call rejected"},
      {22, "Number changed"},
      {25, "Exchange routing error"},
      {26, "Non-selected user clearing"},
      {27, "Destination out of order"},
      {28, "Invalid number format (address incomplete)"},
      {29, "Facility rejected"},
      {31, "Normal, unspecified"},
      {34, "No circuit/channel available"},
      {38, "Network out of order"},
      {41, "Temporary failure"},
      {42, "Switching equipment congestion"},
      {44, "Requested circuit/channel not available"},
      {47, "Resource unavailable, unspecified"},
      {50, "Requested facility not subscribed"},
      {55, "Incoming calls barred within CUG"},
      {57, "Bearer capability not authorized"},
      {58, "Bearer capability not presently available"},
      {63, "Service or option not available, unspecified"},
      {65, "Bearer capability not implemented"},
      {69, "Requested facility not implemented"},
      {79, "Service or option not implemented, unspecified"},
      {81, "Invalid call reference value"},
      {87, "User not member of CUG"},
      {88, "Incompatible destination"},
      {95, "Invalid message, unspecified"},
      {96, "Mandatory information element is missing"},
      {97, "Message type non-existent or not implemented"},
      {99, "Information element non-existent or not implemented"},
      {100, "Invalid information element contents"},
      {102, "Recovery on timer expiry"},
      {111, "Protocol error, unspecified"},
      {127, "Interworking, unspecified"},
  };
  for (const auto& [code, name] : kCauses) {
    if (code == cause) return name;
  }
  return {};
}

}  // namespace sipflow::flows
