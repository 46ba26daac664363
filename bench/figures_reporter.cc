#include "figures_reporter.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <ostream>

namespace callcenter::bench {
namespace {

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0, fifteen = 0;
  if (!(in >> one >> five >> fifteen)) return "unknown";
  char text[64];
  std::snprintf(text, sizeof(text), "%.2f %.2f %.2f", one, five, fifteen);
  return text;
}

std::string Format(const char* format, double value) {
  char text[128];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

}  // namespace

FiguresReporter::FiguresReporter()
    : benchmark::ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Color : OO_None) {}

bool FiguresReporter::ReportContext(const Context& context) {
  load_at_start_ = LoadAverage();
  return ConsoleReporter::ReportContext(context);
}

void FiguresReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& run : runs) {
    if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
    auto& counters = counters_[run.benchmark_name()];
    for (const auto& [name, counter] : run.counters) {
      counters[name] = counter.value;
    }
  }
}

std::optional<double> FiguresReporter::Counter(
    const std::string& prefix, const std::string& counter) const {
  for (const auto& [name, counters] : counters_) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const auto it = counters.find(counter);
    if (it != counters.end()) return it->second;
  }
  return std::nullopt;
}

std::string FiguresReporter::Figure(const std::string& prefix,
                                    const std::string& counter,
                                    const char* format, double scale) const {
  const std::optional<double> value = Counter(prefix, counter);
  return value ? Format(format, *value * scale) : "not run";
}

void FiguresReporter::AddScrapeRows(std::vector<Row>* rows) const {
  rows->push_back(
      {"Scrape p50, plain, 5,000 agents",
       Figure("BM_Scrape/ours_plain/", "p50_ms", "%.1f ms"),
       "Exposer: " + Figure("BM_Scrape/exposer_plain/", "p50_ms", "%.0f ms")});
  rows->push_back(
      {"Scrape p50, gzip, 5,000 agents",
       Figure("BM_Scrape/ours_gzip/", "p50_ms", "%.1f ms"),
       "Exposer: " + Figure("BM_Scrape/exposer_gzip/", "p50_ms", "%.0f ms")});
  rows->push_back(
      {"Scrape p99, plain / gzip",
       Figure("BM_Scrape/ours_plain/", "p99_ms", "%.1f ms") + " / " +
           Figure("BM_Scrape/ours_gzip/", "p99_ms", "%.1f ms"),
       "Exposer: " + Figure("BM_Scrape/exposer_plain/", "p99_ms", "%.0f ms") +
           " / " + Figure("BM_Scrape/exposer_gzip/", "p99_ms", "%.0f ms")});
  rows->push_back(
      {"Series / body (plain, gzip)",
       Figure("BM_Scrape/ours_plain/", "series", "%.0f") + " / " +
           Figure("BM_Scrape/ours_plain/", "body_bytes", "%.2f MB", 1e-6) +
           ", " + Figure("BM_Scrape/ours_gzip/", "body_bytes", "%.0f kB", 1e-3),
       "Exposer: " + Figure("BM_Scrape/exposer_plain/", "series", "%.0f") +
           " / " +
           Figure("BM_Scrape/exposer_plain/", "body_bytes", "%.2f MB", 1e-6) +
           ", " +
           Figure("BM_Scrape/exposer_gzip/", "body_bytes", "%.0f kB", 1e-3)});
}

void FiguresReporter::AddRenderRows(std::vector<Row>* rows) const {
  const std::string full =
      "full render: " +
      Figure("BM_RenderAfterChange/every_source/", "p50_ms", "%.1f ms");
  rows->push_back(
      {"Re-render after one AHT gauge changes, p50",
       Figure("BM_RenderAfterChange/aht_gauge/", "p50_ms", "%.2f ms"), full});
  rows->push_back(
      {"Re-render after one health gauge changes, p50",
       Figure("BM_RenderAfterChange/health_gauge/", "p50_ms", "%.3f ms"),
       full});
}

void FiguresReporter::AddMemoryRows(std::vector<Row>* rows) const {
  rows->push_back({"Exporter RSS, 5,000 agents, steady (max VmRSS)",
                   Figure("BM_ExporterRss/", "steady_rss_mb", "%.1f MB"), ""});
  rows->push_back(
      {"Exporter RSS, 8 concurrent scrapers (max VmRSS)",
       Figure("BM_ExporterRss/", "scraping_rss_mb", "%.1f MB") + " (" +
           Figure("BM_ExporterRss/", "scrapes_per_s", "%.0f scrapes/s") + ")",
       "steady: " + Figure("BM_ExporterRss/", "steady_rss_mb", "%.1f MB")});
  rows->push_back(
      {"Catch-up of a 200k-record day: RSS growth (peak - before)",
       Figure("BM_CatchUpRss/", "growth_mb", "%.1f MB"),
       "before: " + Figure("BM_CatchUpRss/", "rss_before_mb", "%.1f MB") +
           ", after: " + Figure("BM_CatchUpRss/", "rss_after_mb", "%.1f MB")});
}

void FiguresReporter::AddParseRows(std::vector<Row>* rows) const {
  for (const char* records : {"1000", "100000"}) {
    const std::string suffix = std::string("/records:") + records;
    rows->push_back(
        {std::string("CDR parse, ") + records + " records",
         Figure("BM_StreamingCdrParse" + suffix, "bytes_per_second",
                "%.0f MB/s", 1e-6),
         "RapidJSON DOM: " + Figure("BM_RapidJsonDomCdrParse" + suffix,
                                    "bytes_per_second", "%.0f MB/s", 1e-6)});
  }
  rows->push_back(
      {"CDR parse, 100000 records: bytes held",
       Figure("BM_StreamingCdrParse/records:100000", "peak_buffered_bytes",
              "%.0f B"),
       "RapidJSON DOM: " + Figure("BM_RapidJsonDomCdrParse/records:100000",
                                  "held_bytes", "%.0f MB", 1e-6)});
}

void FiguresReporter::AddEventRows(std::vector<Row>* rows) const {
  rows->push_back({"Webhook events/s over HTTP (2 clients)",
                   Figure("BM_EventsOverHttp", "events_per_s", "%.0f /s"), ""});
  rows->push_back({"Webhook events/s through the handler (no sockets)",
                   Figure("BM_EventsThroughHandler", "events_per_s", "%.0f /s"),
                   ""});
  rows->push_back({"Event POST to visible in a scrape, p50 / p99",
                   Figure("BM_EventToScrape", "p50_ms", "%.0f ms") + " / " +
                       Figure("BM_EventToScrape", "p99_ms", "%.0f ms"),
                   ""});
}

void FiguresReporter::PrintTable(const std::vector<Row>& rows) {
  std::ostream& out = GetOutputStream();
  out << "\nFigures (load average before: " << load_at_start_
      << ", after: " << LoadAverage() << ")\n\n"
      << "| Figure | Ours | Compared with |\n|---|---|---|\n";
  for (const Row& row : rows) {
    out << "| " << row.figure << " | " << row.ours << " | "
        << (row.compared_with.empty() ? "-" : row.compared_with) << " |\n";
  }
  out.flush();
}

void FiguresReporter::Finalize() {
  ConsoleReporter::Finalize();
  std::vector<Row> rows;
  AddScrapeRows(&rows);
  AddRenderRows(&rows);
  AddMemoryRows(&rows);
  AddParseRows(&rows);
  AddEventRows(&rows);
  PrintTable(rows);
}

}  // namespace callcenter::bench
