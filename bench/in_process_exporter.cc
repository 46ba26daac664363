#include "in_process_exporter.h"

#include "ozonetel/events/config.h"

namespace callcenter::bench {
namespace {

constexpr Seconds kIst{5 * 3600 + 30 * 60};

web::WebOptions WebOptionsFor(const std::string& storage) {
  web::WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.version = "bench";
  options.revision = "bench";
  options.storage_path = storage;
  return options;
}

}  // namespace

InProcessExporter::InProcessExporter(InProcessOptions options)
    : store_(dir_.path(), logger_),
      budgets_(clock_, stop_, logger_, nullptr),
      publisher_(logger_, {}),
      engine_(clock_, logger_, stop_, store_, budgets_, publisher_),
      centre_(options.agents, clock_) {
  AddCentre();
  if (options.live_events) AddEvents(options.agents);
  publisher_.RenderNow();
  if (options.render_thread) publisher_.Start();
  web_ = std::make_unique<web::WebServer>(WebOptionsFor(dir_.path()), engine_,
                                          publisher_, clock_);
  if (!web_->Start(&error_)) web_.reset();
}

InProcessExporter::~InProcessExporter() {
  if (web_) web_->Stop();
  publisher_.Stop();
  engine_.Stop();
}

int InProcessExporter::port() const {
  if (!web_) return 0;
  const std::vector<int> ports = web_->ListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void InProcessExporter::MarkChanged(const std::string& name) {
  auto it = mark_changed_.find(name);
  if (it != mark_changed_.end()) it->second();
}

void InProcessExporter::AddCentre() {
  for (const NamedSource& source : centre_.Sources()) {
    mark_changed_[source.name] =
        engine_.AddSource(source.name, source.source, source.ticking);
  }
}

// As the Ozonetel module and the app wire the webhook: the receiver is a
// ticking source, the floor marks its own source changed on every update.
void InProcessExporter::AddEvents(int agents) {
  floor_ = std::make_unique<live::Floor>(
      live::FloorOptions{true, false, static_cast<size_t>(agents)});
  floor_->Claim();
  ozonetel::events::EventsConfig config =
      ozonetel::events::DefaultEventsConfig();
  config.token = kEventsToken;
  receiver_ = std::make_unique<ozonetel::events::Receiver>(
      config, kIst, *floor_, clock_, logger_);
  mark_changed_["ozonetel_events"] =
      engine_.AddSource("ozonetel_events", receiver_.get(), true);
  ozonetel::events::Receiver* receiver = receiver_.get();
  core::Route route;
  route.path = config.path_prefix + "/agent";
  route.methods = {};
  route.max_body_bytes = 64 * 1024;
  route.listener = core::Route::Listener::kEvents;
  route.basic_auth = false;
  route.handler = [receiver](const HttpRequest& request) {
    return receiver->HandleAgent(request);
  };
  engine_.AddRoute(std::move(route));
  LogInEveryAgent(agents);
  floor_->SetOnChange(engine_.AddSource("live_floor", floor_.get()));
}

void InProcessExporter::LogInEveryAgent(int agents) {
  const TimePoint at = clock_.Now() - Seconds(3600);
  for (int agent = 0; agent < agents; ++agent) {
    receiver_->ApplyAgent({AgentId(agent), "login", "INBOUND", at});
  }
}

}  // namespace callcenter::bench
