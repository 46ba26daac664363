#include "exporter_rss.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>
#include <vector>

#include "centre.h"
#include "in_process_exporter.h"
#include "loopback_http.h"
#include "process_tools.h"

namespace callcenter::bench {
namespace {

using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// 2026-03-02 10:00 +05:30, a Monday morning (harness.py's DAY_START + 10 h):
// the exporter catches up ten hours of calls at start.
constexpr long kOrigin = 1772389800 + 10 * 3600;
constexpr auto kSampleEvery = std::chrono::milliseconds(100);

std::vector<std::string> ClockFlags(double epoch, double speed) {
  char epoch_text[64];
  std::snprintf(epoch_text, sizeof(epoch_text), "%.3f", epoch);
  return {"--clock.origin=" + std::to_string(kOrigin),
          std::string("--clock.epoch=") + epoch_text,
          "--clock.speed=" + std::to_string(speed)};
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// As harness.exporter_config: Ozonetel with the documented limits (a
// margin wide enough for a speeded-up clock) and the CRM.
std::string WriteConfig(const std::string& dir, const std::string& sim_url) {
  WriteFile(dir + "/api_key", "sim-api-key\n");
  WriteFile(dir + "/crm_key", "sim-crm-key\n");
  const std::string path = dir + "/config.yml";
  WriteFile(path, "ozonetel:\n  url: " + sim_url +
                      "\n  user_name: acme\n  auth: api_key\n"
                      "  api_key_file: " +
                      dir +
                      "/api_key\n"
                      "  timezone: \"+05:30\"\n"
                      "  limits: {cdr_per_minute: 2, summary_per_minute: 5, "
                      "aht_per_minute: 50, tokens_per_hour: 10, margin: 40s}\n"
                      "crm:\n  url: " +
                      sim_url +
                      "/graphql\n"
                      "  api_key_file: " +
                      dir +
                      "/crm_key\n"
                      "  interval: 60s\n");
  return path;
}

std::vector<std::string> With(std::vector<std::string> args,
                              const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

size_t CountLines(const std::string& text, const std::string& prefix) {
  size_t count = 0;
  for (size_t at = text.find(prefix); at != std::string::npos;
       at = text.find(prefix, at + 1)) {
    if (at == 0 || text[at - 1] == '\n') ++count;
  }
  return count;
}

std::string ScrapeText(int port) {
  HttpRequestSpec request;
  request.keep_body = true;
  const HttpResult result = Fetch(port, request);
  return result.status == 200 ? result.body : std::string();
}

// The value of the sample line that starts with `series`; 0 when absent.
double SampleValue(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::strtod(text.c_str() + at + series.size() + 2, nullptr);
}

// Waits for the call counters, then until the AHT poller has made one
// request per agent.
bool WaitUntilFilled(int port, const RssScenario& scenario,
                     ChildProcess& exporter, size_t* aht_agents) {
  const auto deadline = SteadyClock::now() + scenario.fill_timeout;
  bool published = false;
  while (SteadyClock::now() < deadline && exporter.running()) {
    const std::string text = ScrapeText(port);
    published =
        published || text.find("\nozonetel_calls_total{") != std::string::npos;
    *aht_agents = CountLines(text, "ozonetel_agent_aht_seconds{");
    const double aht_requests =
        SampleValue(text, "ozonetel_api_requests_total{api=\"aht\"}");
    if (published && aht_requests >= scenario.agents) return true;
    std::this_thread::sleep_for(seconds(2));
  }
  return published;
}

// Samples the exporter's VmRSS while `scrapers` threads scrape it.
RssPhase SamplePhase(pid_t pid, int port, const RssScenario& scenario,
                     int scrapers, size_t* scrapes) {
  ResetPeakRss(pid);
  std::atomic<bool> stop{false};
  std::atomic<size_t> done{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < scrapers; ++i) {
    threads.emplace_back([&stop, &done, port, gzip = i % 2 == 1] {
      HttpRequestSpec request;
      request.accept_gzip = gzip;
      while (!stop.load()) {
        if (Fetch(port, request).status == 200) done.fetch_add(1);
      }
    });
  }
  RssPhase phase;
  const auto end = SteadyClock::now() + scenario.phase;
  while (SteadyClock::now() < end) {
    phase.max_rss_kb = std::max(phase.max_rss_kb, StatusKb(pid, "VmRSS"));
    std::this_thread::sleep_for(kSampleEvery);
  }
  stop.store(true);
  for (std::thread& thread : threads) thread.join();
  phase.hwm_kb = StatusKb(pid, "VmHWM");
  if (scrapes != nullptr) *scrapes = done.load();
  return phase;
}

}  // namespace

RssFigures MeasureExporterRss(const RssScenario& scenario) {
  RssFigures figures;
  const std::string bin = SelfDir();
  TempDir dir;
  const auto started = SteadyClock::now();
  const auto clock =
      ClockFlags(std::chrono::duration<double>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count(),
                 scenario.speed);
  ChildProcess sim(
      With({bin + "/ozonetel_sim", "--web.listen-address=127.0.0.1:0",
            "--seed=7", "--agents=" + std::to_string(scenario.agents),
            "--user-name=acme", "--api-key=sim-api-key",
            "--crm-api-key=sim-crm-key"},
           clock),
      dir.path() + "/sim.log");
  const std::string sim_port = sim.WaitForLog(
      std::regex(R"(listening on 127\.0\.0\.1:(\d+))"), seconds(120));
  if (sim_port.empty()) {
    figures.error = "ozonetel_sim did not start from " + bin;
    return figures;
  }
  const std::string config =
      WriteConfig(dir.path(), "http://127.0.0.1:" + sim_port);
  ChildProcess exporter(
      With({bin + "/callcenter_exporter", "--config.file=" + config,
            "--storage.path=" + dir.path() + "/data",
            "--web.listen-address=127.0.0.1:0", "--log.level=info"},
           clock),
      dir.path() + "/exporter.log");
  const std::string port_text = exporter.WaitForLog(
      std::regex(R"(msg=listening .*ports=(\d+))"), seconds(60));
  if (port_text.empty()) {
    figures.error = "callcenter_exporter did not start from " + bin;
    return figures;
  }
  const int port = std::stoi(port_text);
  if (!WaitUntilFilled(port, scenario, exporter, &figures.aht_agents)) {
    figures.error = "the call counters were not published in time";
    return figures;
  }
  figures.fill_seconds =
      std::chrono::duration<double>(SteadyClock::now() - started).count();
  figures.steady = SamplePhase(exporter.pid(), port, scenario, 0, nullptr);
  size_t scrapes = 0;
  figures.scraping =
      SamplePhase(exporter.pid(), port, scenario, scenario.scrapers, &scrapes);
  figures.scrapes_per_second =
      static_cast<double>(scrapes) /
      std::chrono::duration<double>(scenario.phase).count();
  figures.series = CountSeries(ScrapeText(port));
  return figures;
}

}  // namespace callcenter::bench
