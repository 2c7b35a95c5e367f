#include "sipflow/capture/diagnostics.hpp"

#include <algorithm>

namespace sipflow {

Diagnostics::Entry& Diagnostics::find_or_add(std::string_view name, Severity severity) {
  for (auto& e : entries_) {
    if (e.name.data() == name.data() || e.name == name) return e;
  }
  entries_.push_back(Entry{name, severity, 0, 0});
  return entries_.back();
}

void Diagnostics::count(std::string_view name, Severity severity, std::uint64_t frame,
                        std::uint64_t n) {
  Entry& e = find_or_add(name, severity);
  if (e.count == 0 || (frame != 0 && (e.first_frame == 0 || frame < e.first_frame))) {
    e.first_frame = frame;
  }
  e.count += n;
}

std::uint64_t Diagnostics::get(std::string_view name) const noexcept {
  for (const auto& e : entries_) {
    if (e.name == name) return e.count;
  }
  return 0;
}

std::vector<Diagnostics::Entry> Diagnostics::sorted() const {
  std::vector<Entry> out = entries_;
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    return a.name < b.name;
  });
  return out;
}

std::uint64_t Diagnostics::total(Severity severity) const noexcept {
  std::uint64_t sum = 0;
  for (const auto& e : entries_) {
    if (e.severity == severity) sum += e.count;
  }
  return sum;
}

void Diagnostics::merge(const Diagnostics& other) {
  for (const auto& e : other.entries_)
    count(e.name, e.severity, e.first_frame, e.count);
}

}  // namespace sipflow
