// callcenter_exporter: flags, config, signals. Everything else lives in
// ExporterApp, which owns its components.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/exporter_app.h"
#include "app/flags.h"
#include "backfill/backfill.h"
#include "callcenter/common/http_client.h"
#include "core/logging.h"
#include "ozonetel/subscribe.h"

namespace {

using callcenter::app::Flags;

// Blocks SIGINT, SIGTERM and SIGHUP in every thread started after this
// call, so only the main thread's sigwait() sees them.
sigset_t BlockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Snapshot parts, response bodies and state files are megabytes each, and
// are freed whole when replaced. After the first such free glibc raises its
// mmap threshold to that size and serves the next ones from arenas, which
// keep the freed pages resident; a fixed threshold keeps each large buffer
// in its own mapping, returned to the system when freed.
void ReturnLargeBuffersWhenFreed() {
#ifdef __GLIBC__
  constexpr int kLargeBufferBytes = 256 * 1024;
  mallopt(M_MMAP_THRESHOLD, kLargeBufferBytes);
#endif
}

int ReportConfig(const std::vector<std::string>& errors, const Flags& flags,
                 bool check_only) {
  for (const auto& error : errors)
    std::cerr << "config error: " << error << "\n";
  if (!errors.empty()) return 1;
  if (check_only) {
    std::cout << "config OK: " << flags.config_file << "\n";
    if (!flags.web_config_file.empty()) {
      std::cout << "web config OK: " << flags.web_config_file << "\n";
    }
  }
  return 0;
}

int Serve(const Flags& flags, const std::string& config_text,
          const callcenter::core::Logger& logger) {
  const sigset_t signals = BlockTerminationSignals();
  auto clock = callcenter::app::MakeClock(flags);
  callcenter::app::ExporterApp app(flags, *clock, logger);
  if (int code =
          ReportConfig(app.Configure(config_text, callcenter::core::ProcessEnv),
                       flags, flags.check_config);
      code != 0 || flags.check_config) {
    return code;
  }
  logger.Info("main", "starting callcenter_exporter",
              {{"version", callcenter::app::ExporterVersion()},
               {"revision", callcenter::app::ExporterRevision()}});
  if (!app.Start()) return 1;
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  logger.Info("main", "shutting down",
              {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  app.Shutdown();
  return 0;
}

int Run(const Flags& flags, const callcenter::core::Logger& logger) {
  std::string config_text;
  callcenter::app::LoadedConfig read =
      callcenter::app::ReadConfigFile(flags.config_file, &config_text);
  if (!read.ok()) return ReportConfig(read.errors, flags, flags.check_config);
  if (flags.command == "backfill") {
    return callcenter::backfill::RunBackfill(flags, config_text, logger);
  }
  if (flags.command == "subscribe") {
    auto transport = callcenter::MakeCurlTransport();
    return callcenter::ozonetel::RunSubscribe(
        config_text,
        {flags.subscribe_set, flags.subscribe_agent_url,
         flags.subscribe_call_url},
        *transport, std::cout, std::cerr);
  }
  return Serve(flags, config_text, logger);
}

}  // namespace

int main(int argc, char** argv) {
  ReturnLargeBuffersWhenFreed();
  const std::vector<std::string> args(argv + 1, argv + argc);
  const callcenter::app::FlagsResult parsed = callcenter::app::ParseFlags(args);
  const Flags& flags = parsed.flags;
  if (flags.help) {
    std::cout << callcenter::app::FlagsUsage();
    return 0;
  }
  if (flags.version) {
    std::cout << "callcenter_exporter, version "
              << callcenter::app::ExporterVersion()
              << " (revision: " << callcenter::app::ExporterRevision() << ")\n";
    return 0;
  }
  if (!parsed.errors.empty()) {
    for (const auto& error : parsed.errors) std::cerr << error << "\n";
    std::cerr << "run with --help for usage\n";
    return 2;
  }
  const auto level = callcenter::core::ParseLogLevel(flags.log_level)
                         .value_or(callcenter::core::LogLevel::kInfo);
  callcenter::core::Logger logger(std::cerr, level);
  try {
    return Run(flags, logger);
  } catch (const std::exception& error) {
    logger.Error("main", "fatal error", {{"err", error.what()}});
    return 1;
  }
}
