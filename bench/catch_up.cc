#include "catch_up.h"

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <ostream>

#include "callcenter/common/http_client.h"
#include "callcenter/common/timeutil.h"
#include "cdr_body.h"
#include "core/logging.h"
#include "core/request_gate.h"
#include "core/state_store.h"
#include "directory/agent_directory.h"
#include "in_process_exporter.h"
#include "ozonetel/cdr_metrics.h"
#include "ozonetel/cdr_poller.h"
#include "ozonetel/client.h"
#include "ozonetel/record_stats.h"
#include "process_tools.h"

namespace callcenter::bench {
namespace {

constexpr Seconds kIst{5 * 3600 + 30 * 60};
constexpr size_t kPieceBytes = 16 * 1024;

// Every request may go: the budgets are not what is measured.
class OpenGate final : public core::RequestGate {
 public:
  core::Admission Acquire(const std::string&) override {
    return core::Admission::kGranted;
  }
  void OnRateLimited(const std::string&, std::optional<Seconds>) override {}
};

// Answers every request with the same generated body, in 16 KiB pieces.
class GeneratedCdrTransport final : public Transport {
 public:
  explicit GeneratedCdrTransport(CdrBodySpec spec) : spec_(std::move(spec)) {}

  HttpStatus Perform(
      const HttpCall&,
      const std::function<bool(std::string_view)>& on_chunk) override {
    HttpStatus status;
    status.status = 200;
    CdrBodyStream stream(spec_, kPieceBytes);
    for (std::string_view piece = stream.Next(); !piece.empty();
         piece = stream.Next()) {
      if (!on_chunk(piece)) {
        status.error = "aborted by the reader";
        break;
      }
    }
    return status;
  }

 private:
  const CdrBodySpec spec_;
};

CatchUpFigures RunCatchUp(size_t records) {
  CatchUpFigures figures;
  TempDir dir;
  NullBuffer null_buffer;
  std::ostream null_stream(&null_buffer);
  core::Logger logger(null_stream, core::LogLevel::kError);
  const Date day{std::chrono::year{2026}, std::chrono::month{3},
                 std::chrono::day{2}};
  // 23:30: the whole day has ended, and a first start reads it from 00:00.
  FakeClock clock(LocalMidnight(day, kIst) + Seconds(23 * 3600 + 1800));
  core::StateStore store(dir.path(), logger);
  directory::AgentDirectory agents({{}, {}, 20000, true});
  agents.Bind(&store.File("agents.json"), [] {});
  ozonetel::CdrMetrics metrics({true, 50, 50});
  ozonetel::RecordStats stats;
  OpenGate gate;
  ozonetel::ClientOptions options;
  options.base_url = "http://127.0.0.1:9";
  options.user_name = "acme";
  options.api_key = "bench";
  auto api =
      ozonetel::MakeClient(options,
                           std::make_unique<GeneratedCdrTransport>(
                               CdrBodySpec{records, 5000, FormatDate(day)}),
                           gate, clock);
  ozonetel::CdrPoller poller(
      {*api, metrics, agents, stats, &store.File("cdr_state.json", true), clock,
       logger, [] {}},
      {});
  poller.LoadState(false);
  malloc_trim(0);
  figures.rss_before_kb = StatusKb(0, "VmRSS");
  figures.peak_reset = ResetPeakRss(0);
  const auto start = std::chrono::steady_clock::now();
  const core::PollResult result = poller.Poll();
  figures.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  figures.peak_kb = StatusKb(0, "VmHWM");
  figures.rss_after_kb = StatusKb(0, "VmRSS");
  figures.counted = poller.SeenCount(day);
  if (result.status != core::PollResult::Status::kOk) {
    figures.error = result.reason + ": " + result.message;
  }
  return figures;
}

}  // namespace

int CatchUpChildMain(size_t records) {
  const CatchUpFigures figures = RunCatchUp(records);
  std::printf(
      "catch_up rss_before_kb=%ld peak_kb=%ld rss_after_kb=%ld counted=%zu "
      "seconds=%.3f peak_reset=%d error=%s\n",
      figures.rss_before_kb, figures.peak_kb, figures.rss_after_kb,
      figures.counted, figures.seconds, figures.peak_reset ? 1 : 0,
      figures.error.c_str());
  return figures.error.empty() ? 0 : 1;
}

CatchUpFigures MeasureCatchUp(size_t records) {
  CatchUpFigures figures;
  const std::string command =
      SelfExe() + " " + kCatchUpChildFlag + std::to_string(records);
  FILE* child = popen(command.c_str(), "r");
  if (child == nullptr) {
    figures.error = "cannot start " + command;
    return figures;
  }
  char line[1024] = {};
  int reset = 0;
  char error[512] = {};
  const bool read = std::fgets(line, sizeof(line), child) != nullptr;
  pclose(child);
  if (!read ||
      std::sscanf(line,
                  "catch_up rss_before_kb=%ld peak_kb=%ld rss_after_kb=%ld "
                  "counted=%zu seconds=%lf peak_reset=%d error=%511[^\n]",
                  &figures.rss_before_kb, &figures.peak_kb,
                  &figures.rss_after_kb, &figures.counted, &figures.seconds,
                  &reset, error) < 6) {
    figures.error = "the child printed no figures";
    return figures;
  }
  figures.peak_reset = reset != 0;
  figures.error = error;
  return figures;
}

}  // namespace callcenter::bench
