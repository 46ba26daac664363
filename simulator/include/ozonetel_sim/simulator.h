// The simulator: routes vendor, CRM and control requests to handlers, with
// auth, per-family rate limits and fault injection around them. Handle() is
// the whole HTTP surface, so tests call it directly without sockets.
#ifndef OZONETEL_SIM_SIMULATOR_H_
#define OZONETEL_SIM_SIMULATOR_H_

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "ozonetel_sim/account.h"
#include "ozonetel_sim/cccp.h"
#include "ozonetel_sim/event_sender.h"
#include "ozonetel_sim/faults.h"
#include "ozonetel_sim/floor_events.h"
#include "ozonetel_sim/live_floor.h"
#include "ozonetel_sim/options.h"
#include "ozonetel_sim/rate_limiter.h"
#include "ozonetel_sim/token_store.h"
#include "ozonetel_sim/traffic.h"
#include "ozonetel_sim/truth.h"

namespace callcenter::sim {

struct AhtResult {
  int64_t seconds = 0;  // floored mean handling time; 0 when no calls
  int64_t calls = 0;
};

class Simulator {
 public:
  // `poster` delivers pushed events; null: libcurl.
  Simulator(SimOptions options, const Clock* clock,
            std::unique_ptr<EventPoster> poster = nullptr);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Thread-safe; never throws for bad input.
  HttpResponse Handle(const HttpRequest& request);

  // Starts the event sender (and, with --cccp-file, the file writer).
  void StartBackground();
  void StopBackground();
  EventSender& events() { return events_; }
  CccpFileWriter* cccp_writer() { return cccp_writer_.get(); }

  // The CCCP document at now with the /_sim/faults CCCP switches applied
  // (stale generated_at, invalid JSON, a schema error, latency).
  std::string CccpDocument();

  const Account& account() const { return account_; }
  TrafficModel& traffic() { return traffic_; }
  const SimOptions& options() const { return options_; }
  int64_t NowSeconds() const;

  Truth TruthFor(Date date, int64_t until);
  // The live floor at `at` (replaying the day timelines up to it).
  Floor FloorAt(int64_t at, FloorView view);
  TimelineCache& timelines() { return timelines_; }
  // What /ca_apis/aht answers at `at`: answered outbound calls whose wrap-up
  // ended within [at - 2 h, at].
  AhtResult AgentAht(int agent, int64_t at);
  AhtResult CampaignAht(int campaign, int64_t at);

 private:
  using Handler = HttpResponse (Simulator::*)(const HttpRequest&);
  struct Route {
    Family family;
    Handler handler;
  };
  enum class Dialect { kCdr, kReport };

  std::optional<Route> FindRoute(const std::string& path) const;
  HttpResponse Dispatch(const Route& route, const HttpRequest& request);
  HttpResponse RateLimited(Family family, int64_t retry_after);
  HttpResponse ApplyBodyFaults(HttpResponse response);
  // The body_bytes_per_second fault.
  void Throttle(HttpResponse* response);

  // Auth (§2): header checks, then the body's userName.
  std::optional<HttpResponse> CheckCredentials(const HttpRequest& request,
                                               Dialect dialect) const;
  std::optional<HttpResponse> CheckUserName(const rapidjson::Value& body,
                                            Dialect dialect) const;

  // Vendor endpoints.
  HttpResponse GenerateToken(const HttpRequest& request);
  HttpResponse FetchCdrDetails(const HttpRequest& request);
  HttpResponse FetchCdrByPagination(const HttpRequest& request);
  HttpResponse FetchCdrByUcid(const HttpRequest& request);
  HttpResponse SummaryReport(const HttpRequest& request);
  HttpResponse Aht(const HttpRequest& request);
  HttpResponse AgentDetails(const HttpRequest& request);
  HttpResponse Graphql(const HttpRequest& request);
  HttpResponse CccpSnapshot(const HttpRequest& request);

  // Control API (/_sim/...).
  HttpResponse HandleControl(const HttpRequest& request);
  HttpResponse ControlClock(const HttpRequest& request);
  HttpResponse ControlTruth(const HttpRequest& request);
  HttpResponse ControlAht(const HttpRequest& request);
  HttpResponse ControlStats(const HttpRequest& request);
  HttpResponse ControlFaults(const HttpRequest& request);
  HttpResponse ControlSpike(const HttpRequest& request);
  HttpResponse ControlLive(const HttpRequest& request);
  HttpResponse ControlEvents(const HttpRequest& request);

  // Event subscription (ozonetel-api.md §9).
  HttpResponse Subscribe(const HttpRequest& request);
  HttpResponse ListSubscriptions(const HttpRequest& request);
  HttpResponse Unsubscribe(const HttpRequest& request);
  std::optional<HttpResponse> CheckSubscriptionAuth(
      const HttpRequest& request) const;

  enum class CdrMode { kDetails, kPagination, kUcid };
  HttpResponse FetchCdr(const HttpRequest& request, CdrMode mode);

  AhtResult ComputeAht(int agent, int campaign, int64_t at);

  SimOptions options_;
  const Clock* clock_;
  Account account_;
  TrafficModel traffic_;
  TimelineCache timelines_;
  RateLimits limits_;
  TokenStore tokens_;
  Faults faults_;
  Subscriptions subscriptions_;
  EventSender events_;
  std::unique_ptr<CccpFileWriter> cccp_writer_;  // with --cccp-file
};

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_SIMULATOR_H_
