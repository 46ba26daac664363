#include "cccp/module.h"

#include <string>
#include <vector>

#include "callcenter/common/http_client.h"

namespace callcenter::cccp {
namespace {

std::vector<std::string> FetchErrorNames() {
  std::vector<std::string> names;
  for (int error = 0; error < kFetchErrorCount; ++error) {
    names.emplace_back(FetchErrorName(static_cast<FetchError>(error)));
  }
  return names;
}

std::string Millis(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + "ms";
}

}  // namespace

std::unique_ptr<Fetcher> MakeFetcher(const CccpConfig& config,
                                     FetchOptions options) {
  const SourceSpec& source = config.source;
  switch (source.kind) {
    case SourceSpec::Kind::kFile:
      return MakeFileFetcher(source.path, std::move(options));
    case SourceSpec::Kind::kCommand:
      return MakeCommandFetcher(source.argv, std::move(options));
    case SourceSpec::Kind::kHttp:
      break;
  }
  return MakeHttpFetcher({source.url, config.headers_file, config.ca_file},
                         MakeCurlTransport(), std::move(options));
}

std::unique_ptr<core::Module> MakeModule(live::Floor& floor) {
  return std::make_unique<detail::CccpModule>(floor, MakeFetcher);
}

namespace detail {

CccpModule::CccpModule(live::Floor& floor, FetcherFactory make_fetcher)
    : floor_(floor), make_fetcher_(std::move(make_fetcher)) {}

bool CccpModule::Configure(core::ConfigNode& root,
                           const core::GlobalSettings& global,
                           const core::EnvLookup& env) {
  if (!root.Has("cccp")) return false;
  core::ConfigNode section = root.Child("cccp");
  ParseCccpConfig(section, &config_);
  return true;
}

bool CccpModule::Start(core::Engine& engine) {
  // live.agent_names, live.max_agents and per_agent_metrics, as the app
  // parsed them for the floor.
  const live::FloorOptions& floor_options = floor_.options();
  floor_.Claim();
  metrics_ = std::make_unique<CccpMetrics>(floor_options.per_agent_metrics);
  const auto changed = engine.AddSource("cccp", metrics_.get());
  // Landing page only: its families would repeat cccp_up, which
  // CccpMetrics publishes with the contract's meaning.
  health_ = std::make_unique<core::SourceHealth>(
      core::SourceHealth::Options{"cccp",
                                  "the CCCP snapshot source",
                                  {"cccp"},
                                  false,
                                  FetchErrorNames()},
      engine.clock());
  core::StopSignal* stop = &engine.stop();
  fetcher_ = make_fetcher_(config_,
                           FetchOptions{config_.timeout, size_t{64} << 20, 4096,
                                        [stop] { return stop->stopped(); }});
  PollerOptions options;
  options.interval = config_.interval;
  options.max_age = config_.max_age;
  options.build = {config_.states, floor_options.publish_names,
                   floor_options.max_agents,
                   static_cast<size_t>(config_.max_queues)};
  poller_ = std::make_unique<CccpPoller>(
      CccpPoller::Deps{*fetcher_, floor_, *metrics_, engine.clock(),
                       engine.logger(), changed},
      options);
  watch_ = std::make_unique<StalenessWatch>(*poller_, engine.clock());
  engine.AddPoller(poller_.get(),
                   {"cccp", "", health_.get(), config_.interval});
  engine.AddPoller(watch_.get(), {"cccp_staleness", "", nullptr, Seconds(1)});
  engine.AddHealth(health_.get());
  engine.logger().Info("cccp", "snapshot source",
                       {{"source", DescribeSource(config_.source)},
                        {"interval", Millis(config_.interval)},
                        {"timeout", Millis(config_.timeout)},
                        {"max_age", Millis(config_.max_age)}});
  return true;
}

}  // namespace detail
}  // namespace callcenter::cccp
