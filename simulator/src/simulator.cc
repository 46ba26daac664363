#include "ozonetel_sim/simulator.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <thread>

#include "ozonetel_sim/json_util.h"

namespace callcenter::sim {
namespace {

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

FaultConfig StartupFaults(const SimOptions& options) {
  FaultConfig config;
  config.rate_limit_style = options.rate_limit_style;
  return config;
}

TrafficParams MakeTrafficParams(const SimOptions& options) {
  TrafficParams params;
  params.seed = options.seed;
  params.calls_per_agent_hour = options.calls_per_agent_hour;
  params.utc_offset_seconds = options.utc_offset.count();
  params.no_wrapup_end_rate = options.no_wrapup_end_rate;
  return params;
}

AccountSpec MakeAccountSpec(const SimOptions& options) {
  AccountSpec spec;
  spec.user_name = options.user_name;
  spec.agents = options.agents;
  spec.night_agents = options.night_agents;
  spec.queues = options.queues;
  spec.supervisors = options.supervisors;
  return spec;
}

}  // namespace

Simulator::Simulator(SimOptions options, const Clock* clock,
                     std::unique_ptr<EventPoster> poster)
    : options_(std::move(options)),
      clock_(clock),
      account_(MakeAccount(MakeAccountSpec(options_))),
      traffic_(&account_, MakeTrafficParams(options_)),
      timelines_(&account_, &traffic_, options_.seed),
      limits_(options_),
      tokens_(options_.seed),
      faults_(options_.seed, StartupFaults(options_)),
      subscriptions_(options_.events.agent_url, options_.events.call_url),
      events_(&account_, &timelines_, clock_, &subscriptions_, options_.events,
              options_.seed, options_.utc_offset,
              poster ? std::move(poster) : MakeCurlPoster()) {
  if (!options_.cccp_file.empty()) {
    cccp_writer_ = std::make_unique<CccpFileWriter>(
        options_.cccp_file, options_.cccp_interval, clock_,
        [this] { return CccpDocument(); });
  }
}

Simulator::~Simulator() { StopBackground(); }

void Simulator::StartBackground() {
  events_.Start();
  if (cccp_writer_) cccp_writer_->Start();
}

void Simulator::StopBackground() {
  events_.Stop();
  if (cccp_writer_) cccp_writer_->Stop();
}

std::string Simulator::CccpDocument() {
  const FaultConfig faults = faults_.Get();
  if (faults.cccp_latency_ms > 0) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(faults.cccp_latency_ms));
  }
  const int64_t now = NowSeconds();
  const Floor floor = FloorAt(now, FloorView::kCccp);
  std::optional<CccpSchemaError> error;
  const bool invalid = faults_.Roll(FaultKind::kCccpInvalidJson);
  if (!invalid && faults_.Roll(FaultKind::kCccpSchema)) {
    error = static_cast<CccpSchemaError>(faults_.NextVariant() %
                                         kCccpSchemaErrorCount);
  }
  std::string body =
      CccpSnapshotJson(account_, floor, now - faults.cccp_stale_seconds,
                       options_.utc_offset, error);
  return invalid ? Malform(body) : body;
}

HttpResponse Simulator::CccpSnapshot(const HttpRequest& request) {
  if (request.method != "GET") return HttpResponse::Text(405, "");
  return HttpResponse::Json(200, CccpDocument());
}

int64_t Simulator::NowSeconds() const {
  return std::chrono::floor<Seconds>(clock_->Now()).time_since_epoch().count();
}

HttpResponse Simulator::Handle(const HttpRequest& request) {
  if (request.path.rfind("/_sim/", 0) == 0) return HandleControl(request);
  // CCCP is another platform: its own faults, no Ozonetel auth or limits.
  if (request.path == "/cccp/snapshot") return CccpSnapshot(request);
  std::optional<Route> route = FindRoute(request.path);
  if (!route) return HttpResponse::Text(404, "404 page not found\n");
  return Dispatch(*route, request);
}

std::optional<Simulator::Route> Simulator::FindRoute(
    const std::string& path) const {
  const std::string lower = ToLower(path);
  // §2.3: the token path is matched case-blind; clients spell it several
  // ways, including under /ca_reports/.
  if (lower == "/ca_apis/catoken/generatetoken" ||
      lower == "/ca_reports/catoken/generatetoken") {
    return Route{Family::kToken, &Simulator::GenerateToken};
  }
  if (path == "/ca_reports/fetchCDRDetails") {
    return Route{Family::kCdr, &Simulator::FetchCdrDetails};
  }
  if (path == "/ca_reports/fetchCdrByPagination") {
    return Route{Family::kCdr, &Simulator::FetchCdrByPagination};
  }
  if (path == "/ca_reports/fetchCdrByUCID") {
    return Route{Family::kCdr, &Simulator::FetchCdrByUcid};
  }
  if (path == "/ca_reports/summaryReport") {
    return Route{Family::kSummary, &Simulator::SummaryReport};
  }
  if (path == "/ca_apis/aht") return Route{Family::kAht, &Simulator::Aht};
  if (path == "/ca_apis/agentdetails") {
    return Route{Family::kAgentDetails, &Simulator::AgentDetails};
  }
  if (path == "/graphql") return Route{Family::kGraphql, &Simulator::Graphql};
  if (path == "/events/subscribe") {
    return Route{Family::kSubscription, &Simulator::Subscribe};
  }
  if (path == "/events/subscriptions/list") {
    return Route{Family::kSubscription, &Simulator::ListSubscriptions};
  }
  if (path == "/events/un-subscribe") {
    return Route{Family::kSubscription, &Simulator::Unsubscribe};
  }
  return std::nullopt;
}

HttpResponse Simulator::Dispatch(const Route& route,
                                 const HttpRequest& request) {
  limits_.CountRequest(route.family);
  // Token generations are limited inside the handler: only a valid request
  // is a generation (§2.3).
  if (route.family != Family::kToken) {
    RateLimits::Admission admission =
        limits_.TryAdmit(route.family, clock_->Now());
    if (!admission.admitted) {
      return RateLimited(route.family, admission.retry_after_seconds);
    }
  }
  const FaultConfig faults = faults_.Get();
  if (faults.latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(faults.latency_ms));
  }
  if (faults_.Roll(FaultKind::kError)) {
    return HttpResponse::Text(503, "503 Service Temporarily Unavailable\n");
  }
  return ApplyBodyFaults((this->*route.handler)(request));
}

HttpResponse Simulator::RateLimited(Family family, int64_t retry_after) {
  std::string body;
  switch (family) {
    case Family::kToken:
      body = StatusMessageBody("false", "max limit exceeded", true);
      break;
    case Family::kAgentDetails:
      body = MessageStatusBody("Max limit exceeded", "error");
      break;
    default:
      body = StatusMessageBody("error", "max limit exceeded");
      break;
  }
  const FaultConfig faults = faults_.Get();
  HttpResponse response = HttpResponse::Json(faults.rate_limit_style, body);
  if (faults.retry_after) {
    response.headers.emplace_back(
        "Retry-After", std::to_string(std::max<int64_t>(1, retry_after)));
  }
  return response;
}

HttpResponse Simulator::ApplyBodyFaults(HttpResponse response) {
  if (response.status != 200 || response.body.empty()) return response;
  if (faults_.Roll(FaultKind::kMalformed)) {
    response.body = Malform(response.body);
  } else if (faults_.Roll(FaultKind::kTruncated)) {
    response.body = Truncate(response.body);
  }
  if (faults_.Get().body_bytes_per_second > 0) Throttle(&response);
  return response;
}

// Writes the body in tenths of a second's worth of bytes (at least one
// byte a piece). The rate is re-read before each piece, so clearing the
// fault releases a body being written; a gone client frees the worker.
void Simulator::Throttle(HttpResponse* response) {
  auto body = std::make_shared<const std::string>(std::move(response->body));
  response->body.clear();
  response->stream_length = body->size();
  response->stream = [this, body](const BodyWriter& write) {
    std::string_view rest = *body;
    while (!rest.empty()) {
      const int rate = faults_.Get().body_bytes_per_second;
      const size_t piece =
          rate > 0 ? std::max<size_t>(1, static_cast<size_t>(rate) / 10)
                   : rest.size();
      if (!write(rest.substr(0, piece))) return;
      rest.remove_prefix(std::min(piece, rest.size()));
      if (rate > 0 && !rest.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  };
}

std::optional<HttpResponse> Simulator::CheckCredentials(
    const HttpRequest& request, Dialect dialect) const {
  const std::string api_key = request.Header("apiKey");
  const std::string authorization = request.Header("Authorization");
  const char* status = dialect == Dialect::kCdr ? "false" : "error";
  auto reject = [](std::string body) { return HttpResponse::Json(401, body); };
  if (options_.auth == AuthMode::kApiKey) {
    // [PROD]: an api_key account answers a Bearer token with this generic
    // failure even when an apiKey header is present too.
    if (!authorization.empty()) {
      return reject(StatusMessageBody("false", "Missing userName or apiKey"));
    }
    if (api_key.empty()) {
      return reject(
          dialect == Dialect::kCdr
              ? StatusMessageBody("false", "Missing userName or apiKey")
              : StatusMessageBody("error", "apiKey should not be empty"));
    }
    if (api_key != options_.api_key) {
      return reject(StatusMessageBody(status, "userName or apiKey is Invalid"));
    }
    return std::nullopt;
  }
  const std::string prefix = "bearer ";
  if (authorization.size() <= prefix.size() ||
      ToLower(authorization.substr(0, prefix.size())) != prefix) {
    return reject(StatusMessageBody("false", "Missing userName or apiKey"));
  }
  if (!tokens_.IsValid(authorization.substr(prefix.size()), clock_->Now())) {
    return reject(StatusMessageBody("false", "Token Expired", true));
  }
  return std::nullopt;
}

std::optional<HttpResponse> Simulator::CheckUserName(
    const rapidjson::Value& body, Dialect dialect) const {
  std::optional<std::string> user = MemberText(body, "userName");
  if (!user || user->empty()) {
    if (dialect == Dialect::kCdr) {
      return HttpResponse::Json(
          401, StatusMessageBody("false", "Missing userName or apiKey"));
    }
    return HttpResponse::Json(
        200, StatusMessageBody("error", "userName should not be empty"));
  }
  if (*user != options_.user_name) {
    return HttpResponse::Json(
        200, StatusMessageBody(dialect == Dialect::kCdr ? "false" : "error",
                               "userName or apiKey is Invalid"));
  }
  return std::nullopt;
}

HttpResponse Simulator::GenerateToken(const HttpRequest& request) {
  if (request.method != "POST") return HttpResponse::Text(405, "");
  const std::string invalid = "Invalid userName or apiKey";
  const std::string api_key = request.Header("apiKey");
  if (api_key.empty() || api_key != options_.api_key) {
    return HttpResponse::Json(401, StatusMessageBody("false", invalid, true));
  }
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  std::optional<std::string> user;
  if (!body.HasParseError()) user = MemberText(body, "userName");
  if (!user) {
    return HttpResponse::Json(
        200, StatusMessageBody("false", "UserName is null", true));
  }
  if (*user != options_.user_name) {
    return HttpResponse::Json(200, StatusMessageBody("false", invalid, true));
  }
  const TimePoint now = clock_->Now();
  RateLimits::Admission admission = limits_.TryAdmit(Family::kToken, now);
  if (!admission.admitted) {
    return RateLimited(Family::kToken, admission.retry_after_seconds);
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  WriteMember(&writer, "token", tokens_.Issue(*user, now));
  WriteMember(&writer, "message", "");
  writer.EndObject();
  return HttpResponse::Json(200, buffer.GetString());
}

Truth Simulator::TruthFor(Date date, int64_t until) {
  std::shared_ptr<const DayData> previous;
  if (traffic_.CrossesMidnight()) previous = traffic_.Day(AddDays(date, -1));
  return ComputeTruth(account_, *traffic_.Day(date), previous.get(), until,
                      options_.late_data);
}

Floor Simulator::FloorAt(int64_t at, FloorView view) {
  const Date date = traffic_.DateOf(at);
  std::shared_ptr<const DayTimeline> today = timelines_.Timeline(date);
  std::shared_ptr<const DayTimeline> previous;
  if (traffic_.CrossesMidnight()) {
    previous = timelines_.Timeline(AddDays(date, -1));
  }
  return ComputeFloor(account_, previous.get(), *today, at, view);
}

AhtResult Simulator::AgentAht(int agent, int64_t at) {
  return ComputeAht(agent, -1, at);
}

AhtResult Simulator::CampaignAht(int campaign, int64_t at) {
  return ComputeAht(-1, campaign, at);
}

AhtResult Simulator::ComputeAht(int agent, int campaign, int64_t at) {
  const int64_t from = at - 2 * 3600;
  // A night call that started yesterday may wrap up inside the window.
  const Date first =
      traffic_.DateOf(traffic_.CrossesMidnight() ? from - 86400 : from);
  const Date last = traffic_.DateOf(at);
  int64_t total = 0;
  AhtResult result;
  for (Date date = first; date <= last; date = AddDays(date, 1)) {
    auto day = traffic_.Day(date);
    for (const Call& call : day->calls) {
      if (!call.answered || call.inbound()) continue;
      if (call.wrap_end < from || call.wrap_end > at) continue;
      if (agent >= 0 && call.agent != agent) continue;
      if (campaign >= 0 && call.campaign != campaign) continue;
      total += call.handling();
      ++result.calls;
    }
  }
  result.seconds = result.calls == 0 ? 0 : total / result.calls;
  return result;
}

}  // namespace callcenter::sim
