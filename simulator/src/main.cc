// ozonetel_sim: serves the fake Ozonetel API until SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "ozonetel_sim/options.h"
#include "ozonetel_sim/simulator.h"

namespace {

using callcenter::sim::SimOptions;

std::unique_ptr<callcenter::Clock> MakeClock(const SimOptions& options,
                                             callcenter::TimePoint start) {
  if (!options.clock_origin && !options.clock_epoch && !options.clock_speed) {
    return std::make_unique<callcenter::SystemClock>();
  }
  const callcenter::TimePoint epoch =
      options.clock_epoch ? callcenter::FromUnixSeconds(*options.clock_epoch)
                          : start;
  const callcenter::TimePoint origin =
      options.clock_origin ? callcenter::FromUnixSeconds(*options.clock_origin)
                           : epoch;
  return std::make_unique<callcenter::ScaledClock>(
      origin, epoch, options.clock_speed.value_or(1.0));
}

// The host to print: tests connect to it, so a wildcard becomes loopback.
std::string PrintableHost(const std::string& address) {
  const size_t colon = address.rfind(':');
  std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  return host;
}

}  // namespace

int main(int argc, char** argv) {
  const callcenter::TimePoint start = std::chrono::system_clock::now();
  callcenter::sim::FlagParseResult parsed = callcenter::sim::ParseFlags(
      std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.error.empty()) {
    std::cerr << "ozonetel_sim: " << parsed.error << " (see --help)\n";
    return 1;
  }
  if (parsed.help) {
    std::cout << callcenter::sim::FlagHelp();
    return 0;
  }
  // Block the stop signals before CivetWeb starts its threads, so that only
  // sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const SimOptions& options = parsed.options;
  std::unique_ptr<callcenter::Clock> clock = MakeClock(options, start);
  callcenter::sim::Simulator simulator(options, clock.get());
  callcenter::HttpServer::Options server_options;
  server_options.listen_addresses = {options.listen_address};
  server_options.threads = 16;
  callcenter::HttpServer server(server_options);
  server.HandleDefault([&simulator](const callcenter::HttpRequest& request) {
    return simulator.Handle(request);
  });
  try {
    server.Start();
  } catch (const std::exception& error) {
    std::cerr << "ozonetel_sim: " << error.what() << "\n";
    return 1;
  }
  simulator.StartBackground();
  const std::vector<int> ports = server.ListeningPorts();
  std::printf("listening on %s:%d\n",
              PrintableHost(options.listen_address).c_str(),
              ports.empty() ? 0 : ports.front());
  std::fflush(stdout);
  std::cerr << "ozonetel_sim: " << options.agents << " agents, seed "
            << options.seed << ", auth "
            << (options.auth == callcenter::sim::AuthMode::kToken ? "token"
                                                                  : "api_key")
            << ", now " << simulator.NowSeconds() << "\n";
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  simulator.StopBackground();
  return 0;
}
