// The exporter's serving side assembled in-process, as exporter/app wires
// it: an Engine with its state store, budgets and snapshot publisher, the
// centre's real metric sources, optionally the Ozonetel event webhook and
// the live floor, and the real web::WebServer on 127.0.0.1 (an ephemeral
// port). No pollers run: the benchmark drives the sources itself.
#ifndef CALLCENTER_BENCH_IN_PROCESS_EXPORTER_H_
#define CALLCENTER_BENCH_IN_PROCESS_EXPORTER_H_

#include <functional>
#include <map>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "centre.h"
#include "core/budgets.h"
#include "core/engine.h"
#include "core/logging.h"
#include "core/snapshot.h"
#include "core/state_store.h"
#include "core/stop_signal.h"
#include "live/floor.h"
#include "ozonetel/events/receiver.h"
#include "testing/temp_dir.h"
#include "web/server.h"

namespace callcenter::bench {

// Discards what is written (the exporter's log lines).
class NullBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

using test::TempDir;  // tests/unit/testing/temp_dir.h

struct InProcessOptions {
  int agents = 5000;
  // The Ozonetel webhook and the live floor, with every agent logged in.
  bool live_events = false;
  // The publisher's render thread (re-renders dirty sources every 100 ms);
  // without it the benchmark calls RenderNow() itself.
  bool render_thread = false;
};

class InProcessExporter {
 public:
  static constexpr char kEventsToken[] = "bench-events-token-0123456789";
  static constexpr char kAgentPath[] =
      "/ozonetel/events/agent?token=bench-events-token-0123456789";

  explicit InProcessExporter(InProcessOptions options);
  ~InProcessExporter();
  InProcessExporter(const InProcessExporter&) = delete;
  InProcessExporter& operator=(const InProcessExporter&) = delete;

  // 0 when the web server could not start (see error()).
  int port() const;
  const std::string& error() const { return error_; }
  Centre& centre() { return centre_; }
  core::SnapshotPublisher& publisher() { return publisher_; }
  // Marks the source added as `name` changed, as its poller does.
  void MarkChanged(const std::string& name);
  ozonetel::events::Receiver* receiver() { return receiver_.get(); }

 private:
  void AddCentre();
  void AddEvents(int agents);
  void LogInEveryAgent(int agents);

  TempDir dir_;
  NullBuffer null_buffer_;
  std::ostream null_stream_{&null_buffer_};
  core::Logger logger_{null_stream_, core::LogLevel::kError};
  SystemClock clock_;
  core::StopSignal stop_;
  core::StateStore store_;
  core::BudgetGate budgets_;
  core::SnapshotPublisher publisher_;
  core::Engine engine_;
  Centre centre_;
  std::map<std::string, std::function<void()>> mark_changed_;
  std::unique_ptr<live::Floor> floor_;
  std::unique_ptr<ozonetel::events::Receiver> receiver_;
  std::unique_ptr<web::WebServer> web_;
  std::string error_;
};

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_IN_PROCESS_EXPORTER_H_
