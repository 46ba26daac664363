// Deterministic pseudo-randomness. Every random draw in the simulator comes
// from an Rng seeded by hashing (seed, date, agent, ...), so a day's traffic
// is a pure function of the flags and the date, independent of the order in
// which days or requests arrive.
#ifndef OZONETEL_SIM_RNG_H_
#define OZONETEL_SIM_RNG_H_

#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace callcenter::sim {

// SplitMix64's finaliser: a cheap, well-mixed 64-bit hash.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline uint64_t HashOf(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x6a09e667f3bcc908ULL;
  for (uint64_t part : parts) h = Mix64(h ^ part);
  return h;
}

// A uniform double in [0, 1) from a hash.
inline double UnitInterval(uint64_t hash) {
  return static_cast<double>(hash >> 11) * 0x1.0p-53;
}

// SplitMix64 generator with the few distributions the traffic model needs.
// Hand-written rather than <random> distributions, whose output differs
// between standard libraries.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return UnitInterval(Next()); }
  // Inclusive on both ends.
  int64_t UniformInt(int64_t lo, int64_t hi) {
    return lo +
           static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Bernoulli(double p) { return Uniform() < p; }
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }
  double Normal() {
    const double u1 = 1.0 - Uniform();
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t state_;
};

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_RNG_H_
