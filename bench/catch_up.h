// Figure 4: how much resident memory one catch-up read of a large CDR
// response adds. The real CdrPoller, client and streaming parser read one
// 200k-record body (5,000 agents, a day) from a transport that generates it
// on the fly, journaling batches to a real state file. It runs in a child
// process started for this alone (this binary with --catch_up_child=N), so
// the baseline is a fresh process and not the heap other benchmarks left.
#ifndef CALLCENTER_BENCH_CATCH_UP_H_
#define CALLCENTER_BENCH_CATCH_UP_H_

#include <cstddef>
#include <string>

namespace callcenter::bench {

inline constexpr char kCatchUpChildFlag[] = "--catch_up_child=";

struct CatchUpFigures {
  std::string error;       // empty when the poll succeeded
  long rss_before_kb = 0;  // VmRSS just before the poll
  long peak_kb = 0;        // VmHWM during the poll (reset before it)
  long rss_after_kb = 0;
  size_t counted = 0;       // calls the ledger holds afterwards
  double seconds = 0;       // the poll, parse and journal included
  bool peak_reset = false;  // the kernel reset VmHWM before the poll
};

// In the child: runs the catch-up and prints one line of figures.
int CatchUpChildMain(size_t records);
// In the benchmark: starts the child and reads its line.
CatchUpFigures MeasureCatchUp(size_t records);

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_CATCH_UP_H_
