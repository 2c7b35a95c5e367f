// The connection tables' open-addressing map (an internal of sipflow::capture).

#include "../../capture/src/flat_map.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace sipflow::capture::detail {
namespace {

// A deliberately bad hash, so that probe runs are long and wrap around.
struct Clustered {
  std::size_t operator()(std::uint32_t k) const noexcept { return k % 7; }
};

TEST(FlatMap, AgreesWithUnorderedMapUnderRandomInsertsAndErases) {
  FlatMap<std::uint32_t, std::uint32_t, Clustered> m;
  std::unordered_map<std::uint32_t, std::uint32_t> ref;
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    auto k = static_cast<std::uint32_t>(rng() % 300);
    if (rng() % 3 == 0) {
      EXPECT_EQ(m.erase(k), ref.erase(k) == 1);
    } else {
      auto [v, inserted] = m.insert(k, k * 2);
      EXPECT_EQ(inserted, ref.emplace(k, k * 2).second);
      EXPECT_EQ(*v, k * 2);
    }
    ASSERT_EQ(m.size(), ref.size());
  }
  for (std::uint32_t k = 0; k < 300; ++k) {
    std::uint32_t* v = m.find(k);
    ASSERT_EQ(v != nullptr, ref.count(k) == 1) << k;
  }
  std::size_t seen = 0;
  m.for_each([&](std::uint32_t k, std::uint32_t v) {
    EXPECT_EQ(v, ref.at(k));
    ++seen;
  });
  EXPECT_EQ(seen, ref.size());
}

}  // namespace
}  // namespace sipflow::capture::detail
