#include "app/exporter_app.h"

#include <optional>

#include "app/config.h"
#include "app/modules.h"
#include "app/self_metrics.h"
#include "callcenter/common/files.h"
#include "core/budgets.h"
#include "core/engine.h"
#include "core/snapshot.h"
#include "core/state_store.h"
#include "directory/agent_directory.h"
#include "live/floor.h"
#include "web/live_page.h"
#include "web/server.h"
#include "web/web_security.h"

#ifndef CALLCENTER_VERSION
#define CALLCENTER_VERSION "0.0.0"
#endif
#ifndef CALLCENTER_REVISION
#define CALLCENTER_REVISION "unknown"
#endif

namespace callcenter::app {

std::string ExporterVersion() { return CALLCENTER_VERSION; }
std::string ExporterRevision() { return CALLCENTER_REVISION; }

std::unique_ptr<Clock> MakeClock(const Flags& flags) {
  if (!flags.clock_origin && !flags.clock_speed && !flags.clock_epoch) {
    return std::make_unique<SystemClock>();
  }
  const TimePoint real_now = std::chrono::system_clock::now();
  const TimePoint epoch =
      flags.clock_epoch ? FromUnixSeconds(*flags.clock_epoch) : real_now;
  const TimePoint origin =
      flags.clock_origin ? FromUnixSeconds(*flags.clock_origin) : epoch;
  return std::make_unique<ScaledClock>(origin, epoch,
                                       flags.clock_speed.value_or(1.0));
}

struct ExporterApp::Components {
  Components(const Flags& flags, const Clock& clock, const core::Logger& logger)
      : store(flags.storage_path, logger),
        budgets(clock, stop, logger, &store.File("request_history.json")),
        publisher(logger, core::SnapshotPublisher::Options{}),
        engine(clock, logger, stop, store, budgets, publisher) {}

  core::StopSignal stop;
  core::StateStore store;
  core::BudgetGate budgets;
  core::SnapshotPublisher publisher;
  core::Engine engine;
  std::unique_ptr<directory::AgentDirectory> agents;
  std::unique_ptr<live::Floor> floor;
  std::unique_ptr<SharedData> shared;
  std::vector<std::unique_ptr<core::Module>> modules;
  std::vector<core::Module*> enabled;
  std::unique_ptr<SelfMetrics> self;
  // --web.config.file, validated by Configure; the listeners share the
  // security built from it, so it outlives them (declared before `web`).
  std::shared_ptr<const web::LoadedWebConfig> web_config;
  std::unique_ptr<web::WebSecurity> web_security;
  std::unique_ptr<web::WebServer> web;
};

ExporterApp::ExporterApp(Flags flags, const Clock& clock,
                         const core::Logger& logger)
    : flags_(std::move(flags)), clock_(clock), logger_(logger) {}

ExporterApp::~ExporterApp() { Shutdown(); }

std::vector<std::string> ExporterApp::Configure(const std::string& config_text,
                                                const core::EnvLookup& env) {
  components_ = std::make_unique<Components>(flags_, clock_, logger_);
  Components& c = *components_;
  // The directory's settings come from the same file; a first pass reads
  // them so the shared data exists before modules configure.
  std::vector<core::Module*> none;
  std::vector<core::Module*> ignored;
  LoadedConfig base = ParseConfig(config_text, env, none, &ignored);
  c.agents = std::make_unique<directory::AgentDirectory>(base.directory);
  c.floor = std::make_unique<live::Floor>(base.floor);
  c.shared = std::make_unique<SharedData>(SharedData{*c.agents, *c.floor});
  c.modules = MakeModules(*c.shared);
  std::vector<core::Module*> all;
  for (auto& module : c.modules) all.push_back(module.get());
  LoadedConfig config = ParseConfig(config_text, env, all, &c.enabled);
  // The web config is checked here too, so that --check-config and a
  // refused start name its problems the same way.
  if (!flags_.web_config_file.empty()) {
    std::vector<std::string> problems;
    c.web_config = web::LoadWebConfig(flags_.web_config_file, &problems);
    for (const std::string& problem : problems) {
      config.errors.push_back("web config " + flags_.web_config_file + ": " +
                              problem);
    }
  }
  return config.errors;
}

bool ExporterApp::Start() {
  Components& c = *components_;
  core::Engine& engine = c.engine;
  if (std::string error; !MakeDirectories(flags_.storage_path, &error)) {
    logger_.Error("main", "cannot use the storage path", {{"err", error}});
    return false;
  }
  const auto agents_changed = engine.AddSource("directory", c.agents.get());
  c.agents->Bind(&c.store.File("agents.json"), agents_changed);
  c.agents->Load(logger_);
  for (core::Module* module : c.enabled) {
    if (!module->Start(engine)) return false;
  }
  if (c.floor->claimed()) {
    c.floor->SetOnChange(engine.AddSource("live_floor", c.floor.get()));
    // The live wallboard: /live (with /live.js, /live.css) and /live.json,
    // GET and HEAD behind the web configuration's basic auth.
    for (core::Route& route : web::LivePageRoutes(*c.floor, clock_)) {
      engine.AddRoute(std::move(route));
    }
  }
  // Every module registered its budget families: restore their history.
  c.budgets.LoadHistory(c.store.RanBefore());
  c.self = std::make_unique<SelfMetrics>(
      ExporterVersion(), ExporterRevision(),
      // On the exporter's clock, like every timestamp it publishes.
      ToUnixSeconds(clock_.Now()), clock_, engine,
      !flags_.disable_exporter_metrics);
  engine.AddSource("self", c.self.get(), /*ticking=*/true);
  engine.AddSource("storage", &c.store.health(), /*ticking=*/true);
  if (c.web_config) {
    c.web_security = std::make_unique<web::WebSecurity>(flags_.web_config_file,
                                                        c.web_config, logger_);
    if (!flags_.disable_exporter_metrics) {
      c.web_security->SetOnChange(
          engine.AddSource("web_config", c.web_security.get()));
    }
  }
  if (auto problems = c.publisher.CheckFamilies(); !problems.empty()) {
    for (const auto& problem : problems) {
      logger_.Error("main", "invalid metric family", {{"problem", problem}});
    }
    return false;
  }
  // The first snapshot holds the restored counters, so the first scrape
  // after a restart already sees them: no dip to zero.
  c.publisher.RenderNow();

  web::WebOptions web;
  web.listen_addresses = flags_.listen_addresses;
  web.events_listen_addresses = flags_.events_listen_addresses;
  web.telemetry_path = flags_.telemetry_path;
  web.max_requests = flags_.max_requests;
  web.version = ExporterVersion();
  web.revision = ExporterRevision();
  web.storage_path = flags_.storage_path;
  if (c.web_security) {
    web.security = c.web_security->Hooks();
    const web::WebConfig& config = c.web_config->config;
    const std::string users = std::to_string(config.users.size());
    if (config.tls.enabled) {
      logger_.Info(
          "web", "TLS is enabled",
          {{"file", flags_.web_config_file},
           {"client_auth", web::ClientAuthName(config.tls.client_auth)},
           {"min_version", web::TlsVersionName(config.tls.min_version)},
           {"basic_auth_users", users}});
    } else {
      logger_.Info(
          "web", "TLS is disabled",
          {{"file", flags_.web_config_file}, {"basic_auth_users", users}});
    }
  }
  c.web = std::make_unique<web::WebServer>(web, engine, c.publisher, clock_);
  std::string error;
  if (!c.web->Start(&error)) {
    logger_.Error("main", "cannot start the HTTP server", {{"err", error}});
    return false;
  }
  std::string ports;
  for (int port : c.web->ListeningPorts()) {
    ports += (ports.empty() ? "" : ",") + std::to_string(port);
  }
  logger_.Info("main", "listening",
               {{"address", flags_.listen_addresses.front()},
                {"ports", ports},
                {"telemetry_path", flags_.telemetry_path}});
  c.publisher.Start();
  engine.StartPolling();
  return true;
}

void ExporterApp::Shutdown() {
  if (!components_) return;
  Components& c = *components_;
  c.engine.Stop();
  if (c.web) c.web->Stop();
  for (core::Module* module : c.enabled) module->Shutdown();
  c.agents->Persist();
  c.publisher.Stop();
  components_.reset();
}

std::vector<core::FamilySpec> ExporterApp::DeclaredFamilies() const {
  if (!components_) return {};
  return components_->publisher.DeclaredFamilies();
}

std::vector<int> ExporterApp::ListeningPorts() const {
  if (!components_ || !components_->web) return {};
  return components_->web->ListeningPorts();
}

}  // namespace callcenter::app
