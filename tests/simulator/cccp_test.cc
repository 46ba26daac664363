// The CCCP snapshot: a valid cccp-snapshot/v1 document of the same floor as
// /_sim/live?view=cccp, each fault, and the file writer's atomic renames.
#include "ozonetel_sim/cccp.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::MakeRequest;
using testing::Parse;
using testing::SimFixture;
using testing::TestDate;

const std::set<std::string> kStates = {"plugged",
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
                                       "unknown"};

bool IsRfc3339(const rapidjson::Value& value) {
  static const std::regex kPattern(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
  return value.IsString() && std::regex_match(value.GetString(), kPattern) &&
         ParseRfc3339(value.GetString()).has_value();
}

// The first violation of cccp-snapshot.md §2.1-2.2 found, or "".
class Validator {
 public:
  std::string Check(const rapidjson::Value& doc) {
    if (!doc.IsObject()) return "not an object";
    if (!doc.HasMember("schema") || !doc["schema"].IsString() ||
        std::string(doc["schema"].GetString()) != "cccp-snapshot/v1") {
      return "schema";
    }
    if (!doc.HasMember("generated_at") || !IsRfc3339(doc["generated_at"])) {
      return "generated_at";
    }
    if (std::string sentinel = FindSentinel(doc); !sentinel.empty()) {
      return "sentinel at " + sentinel;
    }
    if (doc.HasMember("agents")) {
      if (!doc["agents"].IsArray()) return "agents";
      std::set<std::string> logins;
      for (const auto& agent : doc["agents"].GetArray()) {
        std::string problem = CheckAgent(agent);
        if (!problem.empty()) return problem;
        if (!logins.insert(agent["login"].GetString()).second) {
          return "duplicate login";
        }
      }
    }
    if (doc.HasMember("queues")) {
      if (!doc["queues"].IsArray()) return "queues";
      std::set<std::string> names;
      for (const auto& queue : doc["queues"].GetArray()) {
        std::string problem = CheckQueue(queue);
        if (!problem.empty()) return problem;
        if (!names.insert(queue["name"].GetString()).second) {
          return "duplicate queue";
        }
      }
    }
    if (doc.HasMember("calls")) {
      for (const char* key : {"active_inbound", "active_outbound", "waiting"}) {
        if (!OptionalInt(doc["calls"], key)) return std::string("calls.") + key;
      }
    }
    return "";
  }

 private:
  static bool OptionalInt(const rapidjson::Value& object, const char* key) {
    if (!object.HasMember(key) || object[key].IsNull()) return true;
    return object[key].IsInt64() && object[key].GetInt64() >= 0;
  }
  static bool OptionalString(const rapidjson::Value& object, const char* key) {
    return !object.HasMember(key) || object[key].IsNull() ||
           object[key].IsString();
  }
  static bool OptionalTime(const rapidjson::Value& object, const char* key) {
    return !object.HasMember(key) || object[key].IsNull() ||
           IsRfc3339(object[key]);
  }

  // The member holding the first sentinel string ("None", "undefined",
  // ""), or "".
  static std::string FindSentinel(const rapidjson::Value& value,
                                  const std::string& name = "document") {
    if (value.IsString()) {
      const std::string text = value.GetString();
      return text == "None" || text == "undefined" || text.empty() ? name : "";
    }
    if (value.IsArray()) {
      for (const auto& item : value.GetArray()) {
        std::string found = FindSentinel(item, name);
        if (!found.empty()) return found;
      }
    }
    if (value.IsObject()) {
      for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
        std::string found = FindSentinel(it->value, it->name.GetString());
        if (!found.empty()) return found;
      }
    }
    return "";
  }

  static std::string CheckAgent(const rapidjson::Value& agent) {
    if (!agent.IsObject()) return "agent not an object";
    if (!agent.HasMember("login") || !agent["login"].IsString()) {
      return "agent login";
    }
    if (!agent.HasMember("state") || !agent["state"].IsString() ||
        !kStates.count(agent["state"].GetString())) {
      return "agent state";
    }
    for (const char* key :
         {"name", "profile", "mode", "raw_state", "session_id", "phone"}) {
      if (!OptionalString(agent, key)) return std::string("agent ") + key;
    }
    if (agent.HasMember("type") &&
        std::string(agent["type"].GetString()) != "agent" &&
        std::string(agent["type"].GetString()) != "supervisor") {
      return "agent type";
    }
    if (agent.HasMember("logged_in") && !agent["logged_in"].IsBool()) {
      return "agent logged_in";
    }
    if (!OptionalTime(agent, "state_since") ||
        !OptionalTime(agent, "login_at")) {
      return "agent times";
    }
    if (agent.HasMember("today")) {
      for (const char* key :
           {"pause_seconds", "outbound_seconds", "inbound_total",
            "inbound_managed", "inbound_lost"}) {
        if (!OptionalInt(agent["today"], key)) {
          return std::string("agent today.") + key;
        }
      }
    }
    return "";
  }

  static std::string CheckQueue(const rapidjson::Value& queue) {
    if (!queue.IsObject()) return "queue not an object";
    if (!queue.HasMember("name") || !queue["name"].IsString()) {
      return "queue name";
    }
    if (!OptionalString(queue, "display_name")) return "queue display_name";
    for (const char* key : {"waiting_calls", "running_calls"}) {
      if (!OptionalInt(queue, key)) return std::string("queue ") + key;
    }
    if (!OptionalTime(queue, "oldest_waiting_since")) return "queue oldest";
    if (queue.HasMember("agents")) {
      for (const char* key : {"logged", "working", "withdrawn", "outbound",
                              "supervision", "latent"}) {
        if (!OptionalInt(queue["agents"], key)) {
          return std::string("queue agents.") + key;
        }
      }
    }
    if (queue.HasMember("today")) {
      for (const char* key : {"managed", "failed", "waiting_max_seconds"}) {
        if (!OptionalInt(queue["today"], key)) {
          return std::string("queue today.") + key;
        }
      }
    }
    return "";
  }
};

int64_t UnixOf(const rapidjson::Value& rfc3339) {
  return static_cast<int64_t>(
      ToUnixSeconds(*ParseRfc3339(rfc3339.GetString())));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CccpTest : public SimFixture {
 protected:
  void SetUp() override {
    SimOptions options = RelaxedOptions();
    options.agents = 30;
    options.supervisors = 4;
    options.queues = 4;
    options.night_agents = 4;
    Start(options, "11:00:00");
  }

  rapidjson::Document Snapshot() {
    HttpResponse response = sim_->Handle(MakeRequest("GET", "/cccp/snapshot"));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.content_type, "application/json");
    rapidjson::Document doc;
    doc.Parse(response.body.c_str());
    return doc;
  }

  void SetFaults(const std::string& json) {
    ASSERT_EQ(sim_->Handle(MakeRequest("POST", "/_sim/faults", json)).status,
              200);
  }
};

TEST_F(CccpTest, DocumentIsValidAndIsTheCccpFloor) {
  std::set<std::string> states;
  int logged_out_seen = 0;
  for (const char* now :
       {"08:40:00", "11:00:00", "13:17:45", "16:30:00", "23:59:50"}) {
    SCOPED_TRACE(now);
    SetNow(now);
    rapidjson::Document doc = Snapshot();
    ASSERT_FALSE(doc.HasParseError());
    EXPECT_EQ(Validator().Check(doc), "");
    EXPECT_EQ(UnixOf(doc["generated_at"]), sim_->NowSeconds());
    EXPECT_NE(std::string(doc["generated_at"].GetString()).find("+05:30"),
              std::string::npos);
    auto live = Parse(
        sim_->Handle(MakeRequest("GET", "/_sim/live", "", "view=cccp")).body);
    std::map<std::string, const rapidjson::Value*> by_login;
    for (const auto& user : live["agents"].GetArray()) {
      by_login[user["agent"].GetString()] = &user;
    }
    size_t logged_in = 0;
    for (const auto& agent : doc["agents"].GetArray()) {
      const std::string login = agent["login"].GetString();
      const std::string state = agent["state"].GetString();
      if (!agent["logged_in"].GetBool()) {
        EXPECT_EQ(state, "logged_out");
        EXPECT_FALSE(by_login.count(login));
        ++logged_out_seen;
        continue;
      }
      ++logged_in;
      states.insert(state);
      ASSERT_TRUE(by_login.count(login)) << login;
      const rapidjson::Value& user = *by_login[login];
      const std::string live_state = user["state"].GetString();
      const std::string expected =
          state == "plugged" || state == "supervisor_plugged" ? "available"
          : state == "supervisor_unplugged" || state == "supervisor_interface"
              ? "supervising"
              : state;
      EXPECT_EQ(live_state, expected) << login;
      EXPECT_EQ(UnixOf(agent["state_since"]), user["since"].GetInt64());
      EXPECT_EQ(UnixOf(agent["login_at"]), user["login_at"].GetInt64());
      EXPECT_STREQ(agent["type"].GetString(), user["role"].GetString());
      EXPECT_TRUE(agent["phone"].IsNull());
      if (std::string(agent["type"].GetString()) == "supervisor") {
        EXPECT_STREQ(agent["profile"].GetString(), "Superviseur_default");
      } else {
        const auto& today = agent["today"];
        EXPECT_EQ(today["inbound_total"].GetInt64(),
                  today["inbound_managed"].GetInt64() +
                      today["inbound_lost"].GetInt64());
      }
    }
    EXPECT_EQ(logged_in, by_login.size());
    ASSERT_EQ(doc["queues"].Size(), 4u);
    int64_t waiting = 0;
    for (size_t q = 0; q < 4; ++q) {
      const auto& queue = doc["queues"][q];
      const auto& live_queue = live["queues"][q];
      EXPECT_STREQ(queue["name"].GetString(), live_queue["queue"].GetString());
      EXPECT_EQ(queue["waiting_calls"].GetInt64(),
                live_queue["waiting"].GetInt64());
      EXPECT_EQ(queue.HasMember("oldest_waiting_since"),
                !live_queue["oldest_since"].IsNull());
      for (const char* key : {"logged", "working", "withdrawn", "outbound",
                              "supervision", "latent"}) {
        EXPECT_EQ(queue["agents"][key].GetInt64(),
                  live_queue["agents"][key].GetInt64())
            << key;
      }
      waiting += queue["waiting_calls"].GetInt64();
    }
    EXPECT_EQ(doc["calls"]["waiting"].GetInt64(), waiting);
    EXPECT_EQ(doc["calls"]["active_inbound"].GetInt64(),
              live["calls_active"]["inbound"].GetInt64());
    EXPECT_EQ(doc["calls"]["active_outbound"].GetInt64(),
              live["calls_active"]["outbound"].GetInt64());
  }
  EXPECT_GT(logged_out_seen, 0);
  for (const char* state :
       {"plugged", "busy", "wrapup", "pause", "supervisor_plugged"}) {
    EXPECT_TRUE(states.count(state)) << state;
  }
}

// Daily figures agree with the day's other truths: pause and outbound
// seconds with the summary states, inbound counts and queue totals with the
// calls themselves.
TEST_F(CccpTest, TodayFiguresAgreeWithTheTrafficModel) {
  SetNow("15:00:00");
  const int64_t now = sim_->NowSeconds();
  rapidjson::Document doc = Snapshot();
  const Truth truth = sim_->TruthFor(TestDate(), now);
  std::map<std::string, const AgentTruth*> by_id;
  for (const AgentTruth& agent : truth.agents) by_id[agent.id] = &agent;
  int checked = 0;
  for (const auto& agent : doc["agents"].GetArray()) {
    if (!agent.HasMember("today")) continue;
    const StateTotals& states = by_id.at(agent["login"].GetString())->states;
    EXPECT_EQ(agent["today"]["pause_seconds"].GetInt64(), states.pause);
    EXPECT_EQ(agent["today"]["outbound_seconds"].GetInt64(),
              states.dial[0] + states.dial[1]);
    ++checked;
  }
  EXPECT_GT(checked, 20);
  auto day = sim_->traffic().Day(TestDate());
  std::vector<int64_t> managed(4, 0), failed(4, 0);
  for (const Call& call : day->calls) {
    if (!call.inbound()) continue;
    if (call.answered && call.pickup <= now) ++managed[call.skill];
    if (!call.answered && call.end <= now) ++failed[call.skill];
  }
  for (size_t q = 0; q < 4; ++q) {
    EXPECT_EQ(doc["queues"][q]["today"]["managed"].GetInt64(), managed[q]);
    EXPECT_EQ(doc["queues"][q]["today"]["failed"].GetInt64(), failed[q]);
    EXPECT_GT(doc["queues"][q]["today"]["waiting_max_seconds"].GetInt64(), 0);
  }
}

TEST_F(CccpTest, SchemaErrorsRotateThroughEveryKind) {
  SetFaults(R"({"cccp_schema_error_rate":1})");
  std::vector<std::string> problems;
  for (int i = 0; i < kCccpSchemaErrorCount; ++i) {
    rapidjson::Document doc = Snapshot();
    ASSERT_FALSE(doc.HasParseError());
    problems.push_back(Validator().Check(doc));
  }
  EXPECT_EQ(problems[0], "duplicate login");
  EXPECT_EQ(problems[1], "sentinel at phone");
  EXPECT_EQ(problems[2], "queue waiting_calls");
  EXPECT_EQ(problems[3], "queue name");
  EXPECT_EQ(problems[4], "schema");
  // Without agents logged in, the duplicate is a queue.
  SetNow("04:30:00");
  SetFaults(R"({"reset":true,"cccp_schema_error_rate":1})");
  rapidjson::Document night = Snapshot();
  EXPECT_EQ(Validator().Check(night), "duplicate queue");
  SetFaults(R"({"reset":true})");
  EXPECT_EQ(Validator().Check(Snapshot()), "");
}

TEST_F(CccpTest, StaleInvalidAndSlowSnapshots) {
  SetFaults(R"({"cccp_stale_seconds":300})");
  rapidjson::Document stale = Snapshot();
  EXPECT_EQ(UnixOf(stale["generated_at"]), sim_->NowSeconds() - 300);
  EXPECT_EQ(Validator().Check(stale), "");
  SetFaults(R"({"reset":true,"cccp_invalid_json_rate":1})");
  HttpResponse invalid = sim_->Handle(MakeRequest("GET", "/cccp/snapshot"));
  EXPECT_EQ(invalid.status, 200);
  rapidjson::Document doc;
  doc.Parse(invalid.body.c_str());
  EXPECT_TRUE(doc.HasParseError());
  SetFaults(R"({"reset":true,"cccp_latency_ms":20})");
  auto faults = Parse(sim_->Handle(MakeRequest("GET", "/_sim/faults")).body);
  EXPECT_EQ(faults["cccp_latency_ms"].GetInt(), 20);
  EXPECT_EQ(Validator().Check(Snapshot()), "");  // slow, still whole
  EXPECT_EQ(sim_->Handle(MakeRequest("POST", "/_sim/faults",
                                     R"({"cccp_stale_seconds":-1})"))
                .status,
            400);
  // The Ozonetel faults leave CCCP alone.
  SetFaults(R"({"reset":true,"error_rate":1})");
  EXPECT_EQ(sim_->Handle(MakeRequest("GET", "/cccp/snapshot")).status, 200);
  EXPECT_EQ(sim_->Handle(MakeRequest("POST", "/cccp/snapshot")).status, 405);
}

class CccpFileTest : public CccpTest {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/cccp_test_XXXXXX";
    dir_ = mkdtemp(pattern);
    path_ = dir_ + "/snapshot.json";
    SimOptions options = RelaxedOptions();
    options.supervisors = 2;
    options.cccp_file = path_;
    options.cccp_interval = Seconds(10);
    Start(options, "11:00:00");
    sim_->StartBackground();
  }
  void TearDown() override {
    sim_.reset();
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }

  std::vector<std::string> DirEntries() {
    std::vector<std::string> names;
    DIR* dir = opendir(dir_.c_str());
    while (dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
    return names;
  }

  CccpFileWriter& writer() { return *sim_->cccp_writer(); }

  std::string dir_;
  std::string path_;
};

TEST_F(CccpFileTest, FileIsWrittenEveryIntervalAndAlwaysParses) {
  ASSERT_TRUE(writer().WaitForWrites(1, std::chrono::seconds(30)));
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, bad{0};
  std::thread reader([&] {
    while (!done) {
      const std::string text = ReadFile(path_);
      rapidjson::Document doc;
      doc.Parse(text.c_str());
      if (doc.HasParseError() || Validator().Check(doc) != "") ++bad;
      ++reads;
    }
  });
  // Each ten simulated seconds brings one more write.
  for (int i = 2; i <= 40; ++i) {
    clock_->Advance(Seconds(10));
    ASSERT_TRUE(writer().WaitForWrites(i, std::chrono::seconds(30)));
  }
  done = true;
  reader.join();
  EXPECT_GT(reads, 0);
  EXPECT_EQ(bad, 0);
  rapidjson::Document last = Parse(ReadFile(path_));
  EXPECT_EQ(UnixOf(last["generated_at"]), sim_->NowSeconds());
  // No temporary file is left behind.
  EXPECT_EQ(DirEntries(), std::vector<std::string>{"snapshot.json"});
}

TEST_F(CccpFileTest, FaultsApplyToTheFileToo) {
  ASSERT_TRUE(writer().WaitForWrites(1, std::chrono::seconds(30)));
  SetFaults(R"({"cccp_stale_seconds":120})");
  int64_t writes = writer().writes();
  clock_->Advance(Seconds(10));
  ASSERT_TRUE(writer().WaitForWrites(writes + 1, std::chrono::seconds(30)));
  rapidjson::Document stale = Parse(ReadFile(path_));
  EXPECT_EQ(UnixOf(stale["generated_at"]), sim_->NowSeconds() - 120);
  SetFaults(R"({"reset":true,"cccp_invalid_json_rate":1})");
  writes = writer().writes();
  clock_->Advance(Seconds(10));
  ASSERT_TRUE(writer().WaitForWrites(writes + 1, std::chrono::seconds(30)));
  rapidjson::Document invalid;
  invalid.Parse(ReadFile(path_).c_str());
  EXPECT_TRUE(invalid.HasParseError());
  SetFaults(R"({"reset":true,"cccp_schema_error_rate":1})");
  writes = writer().writes();
  clock_->Advance(Seconds(10));
  ASSERT_TRUE(writer().WaitForWrites(writes + 1, std::chrono::seconds(30)));
  EXPECT_NE(Validator().Check(Parse(ReadFile(path_))), "");
}

TEST(CccpFormatTest, Rfc3339CarriesTheAccountOffset) {
  const int64_t t = testing::Unix(testing::LocalTime(TestDate(), "10:15:02"));
  EXPECT_EQ(Rfc3339Local(t, Seconds(19800)), "2026-03-02T10:15:02+05:30");
  EXPECT_EQ(Rfc3339Local(t, Seconds(-4 * 3600)), "2026-03-02T00:45:02-04:00");
  FlagParseResult flags =
      ParseFlags({"--cccp-file=/tmp/x.json", "--cccp-interval=2500ms"});
  ASSERT_EQ(flags.error, "");
  EXPECT_EQ(flags.options.cccp_interval, Seconds(2));
  EXPECT_NE(ParseFlags({"--cccp-interval=fast"}).error, "");
  EXPECT_EQ(ParseGoDuration("1m"), std::chrono::milliseconds(60000));
}

}  // namespace
}  // namespace callcenter::sim
