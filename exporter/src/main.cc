// callcenter_exporter: flags, config, signals. Everything else lives in
// ExporterApp, which owns its components.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "callcenter/backfill.h"
#include "callcenter/config.h"
#include "callcenter/exporter_app.h"
#include "callcenter/flags.h"
#include "callcenter/logging.h"
#include "callcenter/stop_signal.h"

namespace {

using callcenter::Flags;

// Blocks SIGINT and SIGTERM in every thread started after this call, so
// only the main thread's sigwait() sees them.
sigset_t BlockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int CheckConfig(const callcenter::ConfigResult& result, const Flags& flags) {
  if (!result.ok()) {
    for (const auto& error : result.errors) {
      std::cerr << "config error: " << error << "\n";
    }
    return 1;
  }
  std::cout << "config OK: " << flags.config_file << "\n";
  return 0;
}

int Serve(const Flags& flags, callcenter::Config config,
          const callcenter::Logger& logger) {
  const sigset_t signals = BlockTerminationSignals();
  auto clock = callcenter::MakeClock(flags);
  callcenter::StopSignal stop;
  callcenter::ExporterApp app(flags, std::move(config), *clock, logger);
  logger.Info("main", "starting callcenter_exporter",
              {{"version", callcenter::ExporterVersion()},
               {"revision", callcenter::ExporterRevision()}});
  if (!app.Start(stop)) {
    stop.Stop();
    return 1;
  }
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  logger.Info("main", "shutting down",
              {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  stop.Stop();
  app.Shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  callcenter::FlagsResult parsed = callcenter::ParseFlags(args);
  const Flags& flags = parsed.flags;
  if (flags.help) {
    std::cout << callcenter::FlagsUsage();
    return 0;
  }
  if (flags.version) {
    std::cout << "callcenter_exporter, version "
              << callcenter::ExporterVersion()
              << " (revision: " << callcenter::ExporterRevision() << ")\n";
    return 0;
  }
  if (!parsed.errors.empty()) {
    for (const auto& error : parsed.errors) std::cerr << error << "\n";
    std::cerr << "run with --help for usage\n";
    return 2;
  }
  const auto level = callcenter::ParseLogLevel(flags.log_level)
                         .value_or(callcenter::LogLevel::kInfo);
  callcenter::Logger logger(std::cerr, level);
  callcenter::ConfigResult config =
      callcenter::LoadConfigFile(flags.config_file, callcenter::ProcessEnv);
  if (flags.check_config) return CheckConfig(config, flags);
  if (!config.ok()) {
    for (const auto& error : config.errors) {
      std::cerr << "config error: " << error << "\n";
    }
    return 1;
  }
  try {
    if (flags.command == "backfill") {
      return callcenter::RunBackfill(flags, config.config, logger);
    }
    return Serve(flags, std::move(config.config), logger);
  } catch (const std::exception& error) {
    logger.Error("main", "fatal error", {{"err", error.what()}});
    return 1;
  }
}
