// A Transport that replays canned answers and records every request. Each
// request advances the fake clock by `latency`, standing in for the time a
// real request takes, so a real BudgetGate lets the next page through
// without the test ever sleeping.
#ifndef CALLCENTER_TESTS_UNIT_CRM_FAKE_TRANSPORT_H_
#define CALLCENTER_TESTS_UNIT_CRM_FAKE_TRANSPORT_H_

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/ozonetel/transport.h"

namespace callcenter::crm::testing {

struct Canned {
  Canned(int status, std::string body, bool timed_out = false,
         std::string error = "")
      : status(status),
        body(std::move(body)),
        timed_out(timed_out),
        error(std::move(error)) {}
  int status;
  std::string body;
  bool timed_out;
  std::string error;
};

class FakeTransport final : public ozonetel::Transport {
 public:
  FakeTransport(FakeClock& clock, Seconds latency)
      : clock_(clock), latency_(latency) {}

  ozonetel::HttpStatus Perform(
      const ozonetel::HttpCall& call,
      const std::function<bool(std::string_view)>& on_chunk) override {
    calls.push_back(call);
    clock_.Advance(latency_);
    if (answers.empty()) return {0, false, "no canned answer left"};
    const Canned answer = answers.front();
    answers.pop_front();
    // Small chunks, as libcurl delivers them, so the client must join them.
    std::string_view body = answer.body;
    while (!body.empty()) {
      const size_t n = std::min<size_t>(body.size(), 7);
      if (!on_chunk(body.substr(0, n))) {
        return {answer.status, false, "aborted by the write callback"};
      }
      body.remove_prefix(n);
    }
    return {answer.status, answer.timed_out, answer.error};
  }

  std::deque<Canned> answers;
  std::vector<ozonetel::HttpCall> calls;

 private:
  FakeClock& clock_;
  Seconds latency_;
};

struct Node {
  Node(std::string id, std::string agent, std::string created,
       bool numeric_id = false)
      : id(std::move(id)),
        agent(std::move(agent)),
        created(std::move(created)),
        numeric_id(numeric_id) {}
  std::string id;  // emitted as a JSON number when `numeric_id`
  std::string agent;
  std::string created;  // RFC 3339; "" omits the field
  bool numeric_id;
};

// A Twenty-style `calls` connection page.
inline std::string PageJson(const std::vector<Node>& nodes, bool has_next,
                            const std::string& cursor, int total_count = -1) {
  std::string json = R"({"data":{"calls":{)";
  if (total_count >= 0) {
    json += R"("totalCount":)" + std::to_string(total_count) + ",";
  }
  json += R"("edges":[)";
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (i > 0) json += ",";
    json += R"({"node":{"id":)";
    json += n.numeric_id ? n.id : "\"" + n.id + "\"";
    json += R"(,"disposition":"APPOINTMENT_BOOKED","agentName":)";
    json += n.agent.empty() ? "null" : "\"" + n.agent + "\"";
    if (!n.created.empty()) json += R"(,"createdAt":")" + n.created + "\"";
    json += "}}";
  }
  json += R"(],"pageInfo":{"hasNextPage":)";
  json += has_next ? "true" : "false";
  json += R"(,"endCursor":)";
  json += cursor.empty() ? "null" : "\"" + cursor + "\"";
  json += "}}}}";
  return json;
}

inline std::string HeaderValue(const ozonetel::HttpCall& call,
                               const std::string& name) {
  for (const auto& [key, value] : call.headers) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace callcenter::crm::testing

#endif  // CALLCENTER_TESTS_UNIT_CRM_FAKE_TRANSPORT_H_
