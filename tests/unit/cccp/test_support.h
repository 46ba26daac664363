// Fixtures for the CCCP tests: a temporary directory, a generated
// `cccp-snapshot/v1` document of any size with every state, and reading
// one series out of a text exposition.
#ifndef CALLCENTER_TESTS_UNIT_CCCP_TEST_SUPPORT_H_
#define CALLCENTER_TESTS_UNIT_CCCP_TEST_SUPPORT_H_

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "testing/temp_dir.h"

namespace callcenter::cccp::testing {

// 2026-01-12T09:15:02Z, the instant the fake clocks start at.
inline TimePoint T0() { return *ParseRfc3339("2026-01-12T09:15:02Z"); }

inline std::string Rfc3339(TimePoint t) { return FormatRfc3339(t); }

using test::TempDir;

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// As a producer must: a temporary file in the same directory, renamed over
// the old one.
inline void WriteAtomically(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp";
  WriteText(temp, text);
  std::filesystem::rename(temp, path);
}

// An executable shell script (run by the kernel through its #! line).
inline std::string WriteScript(const TempDir& dir, const std::string& name,
                               const std::string& body) {
  const std::string path = dir.File(name);
  WriteText(path, "#!/bin/sh\n" + body);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

// The value of the series written exactly as `series` (name and labels),
// nullopt when the exposition has no such line.
inline std::optional<double> SampleValue(std::string_view text,
                                         std::string_view series) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    if (line.size() > series.size() &&
        line.substr(0, series.size()) == series && line[series.size()] == ' ') {
      return std::strtod(std::string(line.substr(series.size() + 1)).c_str(),
                         nullptr);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

// Whether any line of the exposition starts a sample of `family`.
inline bool HasSamples(std::string_view text, std::string_view family) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    if (line.size() > family.size() &&
        line.substr(0, family.size()) == family &&
        (line[family.size()] == '{' || line[family.size()] == ' ')) {
      return true;
    }
    pos = end + 1;
  }
  return false;
}

inline size_t CountOpenFds() {
  size_t count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++count;
  }
  return count;
}

// One agent of a generated document.
struct AgentSpec {
  std::string login;
  std::string state;      // as sent: the vocabulary, or anything else
  bool logged_in = true;  // sent as "logged_in"
  bool supervisor = false;
  bool send_type = true;
  bool send_state_since = true;
  bool send_today = true;
  int index = 0;
};

// The 12 states, then one the vocabulary does not know.
inline const std::vector<std::string>& GeneratedStates() {
  static const std::vector<std::string> states = {"plugged",
                                                  "ringing",
                                                  "busy",
                                                  "hold",
                                                  "wrapup",
                                                  "pause",
                                                  "outbound",
                                                  "supervisor_plugged",
                                                  "supervisor_unplugged",
                                                  "supervisor_interface",
                                                  "logged_out",
                                                  "unknown",
                                                  "coffee_machine"};
  return states;
}

// `count` agents cycling through GeneratedStates(): supervisors for the
// supervisor states, every 50th agent logged_in:false while busy, every
// 7th without a type, every 5th without state_since, every 4th without
// today figures.
inline std::vector<AgentSpec> GeneratedAgents(int count) {
  std::vector<AgentSpec> agents;
  const auto& states = GeneratedStates();
  for (int i = 0; i < count; ++i) {
    AgentSpec agent;
    char login[16];
    std::snprintf(login, sizeof login, "agent%04d", i);
    agent.login = login;
    agent.index = i;
    agent.state = states[static_cast<size_t>(i) % states.size()];
    agent.supervisor = agent.state.rfind("supervisor_", 0) == 0;
    agent.logged_in = agent.state != "logged_out";
    if (i % 50 == 49) {
      agent.state = "busy";
      agent.logged_in = false;
    }
    agent.send_type = i % 7 != 3;
    agent.send_state_since = i % 5 != 4;
    agent.send_today = i % 4 != 2;
    agents.push_back(agent);
  }
  return agents;
}

inline std::string AgentJson(const AgentSpec& a, TimePoint generated_at) {
  const int i = a.index;
  std::string json = "{\"login\":\"" + a.login + "\",\"name\":\"Agent " +
                     std::to_string(i) + "\"";
  json += ",\"type\":";
  json +=
      a.send_type ? (a.supervisor ? "\"supervisor\"" : "\"agent\"") : "null";
  json += ",\"profile\":";
  json += a.supervisor ? "\"Superviseur_default\"" : "\"Profile_Test\"";
  json += ",\"logged_in\":";
  json += a.logged_in ? "true" : "false";
  json += ",\"state\":\"" + a.state + "\"";
  json += ",\"raw_state\":";
  json += i % 3 == 0 ? "null" : "\"traitement d'appel/managing\"";
  json += ",\"state_since\":";
  json += a.send_state_since ? "\"" + Rfc3339(generated_at - Seconds(i)) + "\""
                             : std::string("null");
  json += ",\"login_at\":\"" + Rfc3339(generated_at - Seconds(3600 + i)) + "\"";
  json += ",\"mode\":\"traitement\",\"session_id\":null,\"phone\":null";
  json += ",\"unknown_field\":{\"nested\":[1,\"x\",{\"y\":null}]}";
  json += ",\"today\":";
  if (a.send_today) {
    json += "{\"pause_seconds\":" + std::to_string(i) + ".5" +
            ",\"outbound_seconds\":" + std::to_string(i * 2) +
            ",\"inbound_total\":" + std::to_string(i % 40 + 2) +
            ",\"inbound_managed\":" + std::to_string(i % 40) +
            ",\"inbound_lost\":2}";
  } else {
    json += "null";
  }
  return json + "}";
}

// Queue n: n % 4 calls waiting (the oldest since n minutes), n calls
// running; queue 4 has oldest_waiting_since but no call waiting; queue 7
// has no display name.
inline std::string QueueJson(int n, TimePoint generated_at) {
  char name[16];
  std::snprintf(name, sizeof name, "q%02d", n);
  std::string json = std::string("{\"name\":\"") + name + "\"";
  json += ",\"display_name\":";
  json += n == 7 ? "null" : "\"Queue " + std::to_string(n) + "\"";
  json += ",\"waiting_calls\":" + std::to_string(n % 4);
  json += ",\"running_calls\":" + std::to_string(n);
  if (n % 4 != 0 || n == 4) {
    json += ",\"oldest_waiting_since\":\"" +
            Rfc3339(generated_at - Seconds(60 * n)) + "\"";
  }
  json +=
      ",\"agents\":{\"logged\":40,\"working\":12,\"withdrawn\":5,"
      "\"outbound\":0,\"supervision\":2,\"latent\":1,\"new_status\":9}";
  json += ",\"today\":{\"managed\":" + std::to_string(800 + n) +
          ",\"failed\":" + std::to_string(n) + ",\"waiting_max_seconds\":95.5}";
  return json + "}";
}

inline constexpr int kGeneratedQueues = 12;

inline std::string Document(TimePoint generated_at,
                            const std::vector<AgentSpec>& agents,
                            int queues = kGeneratedQueues) {
  std::string json = "{\"schema\":\"cccp-snapshot/v1\",\"generated_at\":\"" +
                     Rfc3339(generated_at) + "\"";
  json += ",\"source\":{\"project\":\"PROJECT_A\",\"dispatch\":\"host:1234\"}";
  json += ",\"agents\":[";
  for (size_t i = 0; i < agents.size(); ++i) {
    if (i > 0) json += ",";
    json += AgentJson(agents[i], generated_at);
  }
  json += "],\"queues\":[";
  for (int n = 0; n < queues; ++n) {
    if (n > 0) json += ",";
    json += QueueJson(n, generated_at);
  }
  json +=
      "],\"calls\":{\"active_inbound\":12,\"active_outbound\":4,"
      "\"waiting\":3}}";
  return json;
}

// The generated document with `count` agents.
inline std::string GeneratedDocument(TimePoint generated_at, int count = 420) {
  return Document(generated_at, GeneratedAgents(count));
}

// A document with one agent whose fields are `agent_fields` (JSON members
// without braces), for checking one rule at a time.
inline std::string OneAgentDocument(const std::string& agent_fields) {
  return "{\"schema\":\"cccp-snapshot/v1\",\"generated_at\":"
         "\"2026-01-12T10:15:02+01:00\",\"agents\":[{" +
         agent_fields + "}]}";
}

}  // namespace callcenter::cccp::testing

#endif  // CALLCENTER_TESTS_UNIT_CCCP_TEST_SUPPORT_H_
