// Google Benchmark's console output, followed by the figures of issue 11
// side by side: ours and what it is compared with (prometheus-cpp's Exposer
// on the same series, RapidJSON's DOM on the same CDR body, or our own
// full render), as a Markdown table that bench/README.md quotes, with the
// machine's load before and after the run. Figures, not a verdict: nothing
// passes or fails. A figure whose benchmark was filtered out or failed
// reads "not run".
#ifndef CALLCENTER_BENCH_FIGURES_REPORTER_H_
#define CALLCENTER_BENCH_FIGURES_REPORTER_H_

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace callcenter::bench {

class FiguresReporter final : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal, as Google Benchmark's own default.
  FiguresReporter();

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  struct Row {
    std::string figure;
    std::string ours;
    std::string compared_with;  // "" when the figure stands alone
  };

  // A counter of the first run whose name starts with `prefix`.
  std::optional<double> Counter(const std::string& prefix,
                                const std::string& counter) const;
  // The counter formatted with `format` (one %f conversion), or "not run".
  std::string Figure(const std::string& prefix, const std::string& counter,
                     const char* format, double scale = 1) const;
  void AddScrapeRows(std::vector<Row>* rows) const;
  void AddRenderRows(std::vector<Row>* rows) const;
  void AddMemoryRows(std::vector<Row>* rows) const;
  void AddParseRows(std::vector<Row>* rows) const;
  void AddEventRows(std::vector<Row>* rows) const;
  void PrintTable(const std::vector<Row>& rows);

  // Run name -> counter name -> value.
  std::map<std::string, std::map<std::string, double>> counters_;
  std::string load_at_start_;
};

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_FIGURES_REPORTER_H_
