#pragma once
// The `sipflow calls` table: the cells of one row, and column widths that
// fit a terminal. Rows are written one at a time, so the table can stream:
// nothing here holds a row after it is written.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "output.hpp"
#include "sipflow/flows/call.hpp"

namespace sipflow::cli {

enum CallColumn : std::size_t {
  kStart,
  kDuration,
  kState,
  kCode,
  kMethod,
  kFrom,
  kTo,
  kMsgs,
  kCallId,
  kCols
};

/// What a row of the table shows (terminal-safe text), and what --sort
/// orders by. Stored: owns its text, keeps nothing of the Call.
struct CallRow {
  Timestamp start;
  std::uint64_t first_frame = 0;
  std::array<std::string, kCols> cells;
  flows::CallState state = flows::CallState::Setup;
  int status = 0;
  double duration = -1;
  std::uint32_t messages = 0;
};

/// The row of `c`.
CallRow call_row(const flows::Call& c);

/// Column widths and the writing of header and rows.
///
/// A cell wider than its column pushes the rest of its line to the right,
/// which re-aligns at the next column with room (as `ps` does), except on a
/// terminal: there From, To and Call-ID share what the other columns leave
/// and are cut with "…", and a line still wider than the terminal is cut
/// at its edge with "…". Off a terminal nothing is ever cut.
class CallTable {
 public:
  /// Fixed widths for rows not yet seen: sensible maxima of each column.
  /// `terminal` is the terminal's width, 0 when not writing to one.
  static CallTable streaming(int terminal, bool color);
  /// Widths of the widest cell of each column of `rows`.
  static CallTable fitted(const std::vector<CallRow>& rows, int terminal, bool color);

  void append_header(std::string& out) const;
  void append_row(std::string& out, const CallRow& row) const;

 private:
  CallTable(std::array<std::size_t, kCols> widths, int terminal, bool color);
  void append_line(std::string& out, const std::array<std::string, kCols>& cells,
                   std::string_view state_colour, bool header) const;

  std::array<std::size_t, kCols> width_{};
  std::size_t gap_ = 2;  // spaces between columns; 1 on a narrow terminal
  int terminal_ = 0;
  Palette palette_;
};

}  // namespace sipflow::cli
