// The sizes every benchmark shares: issue 11's 5,000-agent centre, and
// iteration counts that keep a whole run within a few minutes on two
// shared cores.
#ifndef CALLCENTER_BENCH_SIZES_H_
#define CALLCENTER_BENCH_SIZES_H_

namespace callcenter::bench {

inline constexpr int kAgents = 5000;
// Scrapes per figure: ours take milliseconds, the Exposer's hundreds.
inline constexpr int kOurScrapes = 100;
inline constexpr int kPeerScrapes = 10;
// Records of the catch-up read (figure 4).
inline constexpr int kCatchUpRecords = 200000;

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_SIZES_H_
