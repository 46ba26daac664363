// The /_sim control API (docs/architecture.md). Never rate limited and
// never subject to fault injection.
#include <charconv>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/simulator.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kMaxSpikeSpan = 31 * 86400;

HttpResponse BadRequest(std::string_view message) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "error", message);
  w.EndObject();
  return HttpResponse::Json(400, buffer.GetString());
}

std::optional<int64_t> ParseInt64(const std::string& text) {
  int64_t value = 0;
  auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// `at`/`until`: unix seconds; absent means now.
std::optional<int64_t> InstantParam(const HttpRequest& request,
                                    const char* name, int64_t now) {
  if (!request.HasQueryParam(name)) return now;
  return ParseInt64(request.QueryParam(name));
}

std::optional<double> NumberMember(const rapidjson::Value& body,
                                   const char* key) {
  auto it = body.FindMember(key);
  if (it == body.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
  return it->value.GetDouble();
}

}  // namespace

HttpResponse Simulator::HandleControl(const HttpRequest& request) {
  using Control = HttpResponse (Simulator::*)(const HttpRequest&);
  struct Entry {
    const char* path;
    const char* method;
    Control handler;
  };
  static const Entry kEntries[] = {
      {"/_sim/clock", "GET", &Simulator::ControlClock},
      {"/_sim/truth", "GET", &Simulator::ControlTruth},
      {"/_sim/aht", "GET", &Simulator::ControlAht},
      {"/_sim/stats", "GET", &Simulator::ControlStats},
      {"/_sim/faults", "POST", &Simulator::ControlFaults},
      {"/_sim/spike", "POST", &Simulator::ControlSpike},
      {"/_sim/live", "GET", &Simulator::ControlLive},
      {"/_sim/events", "POST", &Simulator::ControlEvents},
  };
  for (const Entry& entry : kEntries) {
    if (request.path != entry.path) continue;
    // GET /_sim/faults and /_sim/events show the current switches.
    const bool shows_switches =
        (request.path == "/_sim/faults" || request.path == "/_sim/events") &&
        request.method == "GET";
    if (request.method != entry.method && !shows_switches) {
      return HttpResponse::Text(405, "method not allowed\n");
    }
    return (this->*entry.handler)(request);
  }
  return HttpResponse::Text(404, "404 page not found\n");
}

HttpResponse Simulator::ControlClock(const HttpRequest&) {
  const int64_t now = NowSeconds();
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "now", now);
  WriteMember(
      &w, "local",
      FormatLocalDateTime(TimePoint(Seconds(now)), options_.utc_offset));
  w.EndObject();
  return HttpResponse::Json(200, buffer.GetString());
}

HttpResponse Simulator::ControlTruth(const HttpRequest& request) {
  auto date = ParseDate(request.QueryParam("date"));
  if (!date) return BadRequest("date must be YYYY-MM-DD");
  auto until = InstantParam(request, "until", NowSeconds());
  if (!until) return BadRequest("until must be unix seconds");
  return HttpResponse::Json(200, TruthToJson(TruthFor(*date, *until)));
}

HttpResponse Simulator::ControlAht(const HttpRequest& request) {
  auto at = InstantParam(request, "at", NowSeconds());
  if (!at) return BadRequest("at must be unix seconds");
  const std::string agent_key = request.QueryParam("agent");
  const std::string campaign = request.QueryParam("campaign");
  if (agent_key.empty() == campaign.empty()) {
    return BadRequest("pass exactly one of agent and campaign");
  }
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  AhtResult result;
  if (!agent_key.empty()) {
    const int agent = account_.FindAgent(agent_key);
    if (agent < 0) return BadRequest("unknown agent");
    result = AgentAht(agent, *at);
    WriteMember(&w, "agent", account_.agents[agent].id);
  } else {
    const int index = account_.FindCampaign(campaign);
    if (index < 0) return BadRequest("unknown campaign");
    result = CampaignAht(index, *at);
    WriteMember(&w, "campaign", campaign);
  }
  WriteMember(&w, "at", *at);
  WriteMember(&w, "seconds", result.seconds);
  WriteMember(&w, "aht", FormatDuration(result.seconds));
  WriteMember(&w, "calls", result.calls);
  w.EndObject();
  return HttpResponse::Json(200, buffer.GetString());
}

HttpResponse Simulator::ControlStats(const HttpRequest&) {
  const auto requests = limits_.Requests();
  const auto violations = limits_.Violations();
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  for (const auto& [name, values] : {std::pair{"requests", &requests},
                                     std::pair{"violations", &violations}}) {
    w.Key(name);
    w.StartObject();
    for (int f = 0; f < kFamilyCount; ++f) {
      WriteMember(&w, FamilyName(static_cast<Family>(f)), (*values)[f]);
    }
    w.EndObject();
  }
  w.EndObject();
  return HttpResponse::Json(200, buffer.GetString());
}

HttpResponse Simulator::ControlFaults(const HttpRequest& request) {
  if (request.method == "POST") {
    std::string error =
        faults_.Update(request.body.empty() ? "{}" : request.body);
    if (!error.empty()) return BadRequest(error);
  }
  return HttpResponse::Json(200, faults_.ToJson());
}

HttpResponse Simulator::ControlSpike(const HttpRequest& request) {
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  if (body.HasParseError() || !body.IsObject()) {
    return BadRequest("body must be a JSON object");
  }
  auto from = NumberMember(body, "from");
  auto to = NumberMember(body, "to");
  if (!from || !to || *to <= *from || *to - *from > kMaxSpikeSpan) {
    return BadRequest(
        "from and to must be unix seconds, from < to, at most 31 days apart");
  }
  Spike spike;
  spike.from = static_cast<int64_t>(*from);
  spike.to = static_cast<int64_t>(*to);
  spike.answer_rate = NumberMember(body, "answer_rate").value_or(0.2);
  spike.extra_calls_per_hour =
      NumberMember(body, "extra_calls_per_hour").value_or(60);
  if (spike.answer_rate < 0 || spike.answer_rate > 1) {
    return BadRequest("answer_rate must be from 0 to 1");
  }
  if (spike.extra_calls_per_hour <= 0 || spike.extra_calls_per_hour > 36000) {
    return BadRequest("extra_calls_per_hour must be in (0, 36000]");
  }
  const int64_t added = traffic_.AddSpike(spike);
  if (added < 0) return BadRequest("too many spikes");
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "status", "ok");
  WriteMember(&w, "calls", added);
  w.EndObject();
  return HttpResponse::Json(200, buffer.GetString());
}

HttpResponse Simulator::ControlLive(const HttpRequest& request) {
  auto at = InstantParam(request, "at", NowSeconds());
  if (!at) return BadRequest("at must be unix seconds");
  const std::string view_name = request.HasQueryParam("view")
                                    ? request.QueryParam("view")
                                    : std::string("ozonetel");
  if (view_name != "ozonetel" && view_name != "cccp") {
    return BadRequest("view must be ozonetel or cccp");
  }
  const FloorView view =
      view_name == "cccp" ? FloorView::kCccp : FloorView::kOzonetel;
  const DroppedLookup dropped = [this](int agent, int64_t time, Action action) {
    return events_.WasDropped(agent, time, action);
  };
  return HttpResponse::Json(
      200, LiveFloorJson(account_, FloorAt(*at, view), dropped));
}

HttpResponse Simulator::ControlEvents(const HttpRequest& request) {
  if (request.method == "POST") {
    std::string error =
        events_.Update(request.body.empty() ? "{}" : request.body);
    if (!error.empty()) return BadRequest(error);
  }
  return HttpResponse::Json(200, events_.StatusJson());
}

}  // namespace callcenter::sim
