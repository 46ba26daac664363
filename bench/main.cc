// Runs the benchmarks and prints the figures of issue 11 side by side with
// what they are compared with (figures_reporter.h). Started with
// --catch_up_child=N it is instead the child process of the catch-up
// figure (catch_up.h).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>

#include "catch_up.h"
#include "figures_reporter.h"

int main(int argc, char** argv) {
  const size_t flag_length = std::strlen(callcenter::bench::kCatchUpChildFlag);
  if (argc == 2 && std::strncmp(argv[1], callcenter::bench::kCatchUpChildFlag,
                                flag_length) == 0) {
    return callcenter::bench::CatchUpChildMain(
        std::strtoul(argv[1] + flag_length, nullptr, 10));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  callcenter::bench::FiguresReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
