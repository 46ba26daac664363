// Event subscription (ozonetel-api.md §9): one URL pair per account, set
// here or by --events.agent-url / --events.call-url, read by the sender.
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/simulator.h"

namespace callcenter::sim {
namespace {

HttpResponse Text(int status, const std::string& text) {
  return HttpResponse::Text(status, text);
}

}  // namespace

// Headers `api_key` and `username` (lower case, underscore), unlike the
// report APIs.
std::optional<HttpResponse> Simulator::CheckSubscriptionAuth(
    const HttpRequest& request) const {
  if (request.Header("api_key") != options_.api_key ||
      request.Header("username") != options_.user_name) {
    return Text(401, "Unauthorized");
  }
  return std::nullopt;
}

HttpResponse Simulator::Subscribe(const HttpRequest& request) {
  if (request.method != "POST") return Text(405, "");
  if (auto error = CheckSubscriptionAuth(request)) return *error;
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  if (body.HasParseError() || !body.IsObject()) {
    return Text(400, "Invalid request body");
  }
  const std::string call_url = MemberText(body, "callEventsURL").value_or("");
  const std::string agent_url = MemberText(body, "agentEventsURL").value_or("");
  if (call_url.empty() && agent_url.empty()) {
    return Text(400, "callEventsURL or agentEventsURL is required");
  }
  subscriptions_.Set(agent_url, call_url);
  return Text(
      200, "Subscription added successfully for User: " + options_.user_name);
}

HttpResponse Simulator::ListSubscriptions(const HttpRequest& request) {
  if (request.method != "GET") return Text(405, "");
  if (auto error = CheckSubscriptionAuth(request)) return *error;
  const std::string agent_url = subscriptions_.agent_url();
  const std::string call_url = subscriptions_.call_url();
  if (agent_url.empty() && call_url.empty()) {
    return Text(200,
                "Subscription doesnt exists for User: " + options_.user_name);
  }
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "agentEventsURL", agent_url);
  WriteMember(&w, "callEventsURL", call_url);
  w.EndObject();
  return HttpResponse::Json(200, buffer.GetString());
}

HttpResponse Simulator::Unsubscribe(const HttpRequest& request) {
  if (request.method != "POST") return Text(405, "");
  if (auto error = CheckSubscriptionAuth(request)) return *error;
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  const std::string type =
      body.HasParseError() ? "" : MemberText(body, "eventType").value_or("");
  if (type != "call" && type != "agent" && type != "both") {
    return Text(400, "eventType must be call, agent or both");
  }
  if (subscriptions_.agent_url().empty() && subscriptions_.call_url().empty()) {
    return Text(200,
                "Subscription doesnt exists for User: " + options_.user_name);
  }
  if (type != "agent") subscriptions_.ClearCall();
  if (type != "call") subscriptions_.ClearAgent();
  return Text(200, "Unsubscribed to " + type +
                       " events successfully for User: " + options_.user_name);
}

}  // namespace callcenter::sim
