// /live.json and the /live page: the document for every state, names
// published or not, escaping of upstream strings, ETag and 304, the empty
// floor, the routes over a real HTTP server (basic auth hook, CSP, HEAD),
// and the size and cost of the document at 5,000 agents (measured and
// printed, never asserted).
#include "web/live_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <regex>
#include <string>

#include "callcenter/common/http_server.h"
#include "live_assets.h"
#include "testing/raw_http.h"

namespace callcenter::web {
namespace {

using live::Agent;
using live::Floor;
using live::FloorOptions;
using live::Partition;
using live::Queue;
using live::Source;
using live::State;
using ::testing::HasSubstr;
using ::testing::Not;

const TimePoint kNow = FromUnixSeconds(1772433000.25);

TimePoint At(double seconds) { return FromUnixSeconds(seconds); }

Agent MakeAgent(std::string id, State state, double since) {
  Agent agent;
  agent.id = std::move(id);
  agent.name = "Name of " + agent.id;
  agent.profile = "Agent_default";
  agent.state = state;
  agent.since = At(since);
  agent.login_at = At(1772419210);
  agent.queue = "Inbound_Main";
  return agent;
}

// One agent in each of the nine states, a supervisor among them, two
// queues (one with a call waiting) and calls in both directions.
Partition EveryState() {
  Partition partition;
  for (int s = 0; s < live::kStateCount; ++s) {
    const auto state = static_cast<State>(s);
    Agent agent =
        MakeAgent("agent0" + std::to_string(s + 1), state, 1772432900 + s);
    partition.agents.emplace(agent.id, agent);
  }
  partition.agents["agent08"].role = "supervisor";
  partition.agents["agent09"].login_at.reset();
  Queue main;
  main.name = "Inbound_Main";
  main.waiting = 2;
  main.oldest_waiting_since = At(1772432990);
  main.agents = {{"logged", 9}, {"working", 5}};
  Queue support;
  support.name = "Inbound_Support";
  support.oldest_waiting_since = At(1772432000);  // stale: nobody waits
  partition.queues = {{main.name, main}, {support.name, support}};
  partition.calls = {6, 2};
  return partition;
}

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

std::string Body(const HttpResponse& response) {
  if (!response.stream) return response.body;
  std::string body;
  response.stream([&body](std::string_view chunk) {
    body.append(chunk);
    return true;
  });
  EXPECT_EQ(body.size(), response.stream_length);
  return body;
}

std::string HeaderOf(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

HttpRequest Get(std::string path, std::string if_none_match = "") {
  HttpRequest request;
  request.method = "GET";
  request.path = std::move(path);
  if (!if_none_match.empty()) request.headers["if-none-match"] = if_none_match;
  return request;
}

TEST(LiveJsonTest, EveryStateWithCountsQueuesAndCalls) {
  Floor floor(FloorOptions{});
  floor.Replace(Source::kOzonetelEvents, EveryState());
  const auto view = floor.View();
  const rapidjson::Document doc = Parse(LiveJson(*view, false, kNow));

  EXPECT_DOUBLE_EQ(doc["now"].GetDouble(), 1772433000.25);
  EXPECT_EQ(doc["version"].GetUint64(), view->version);
  const std::vector<std::string> states = {
      "available", "ringing",  "busy",        "hold",   "wrapup",
      "pause",     "outbound", "supervising", "unknown"};
  ASSERT_EQ(doc["states"].Size(), states.size());
  for (size_t i = 0; i < states.size(); ++i) {
    EXPECT_EQ(doc["states"][i].GetString(), states[i]);
    EXPECT_EQ(doc["counts"][states[i].c_str()].GetInt(), 1) << states[i];
  }
  ASSERT_EQ(doc["agents"].Size(), 9u);
  for (size_t i = 0; i < states.size(); ++i) {
    const auto& agent = doc["agents"][i];
    EXPECT_EQ(agent["agent"].GetString(), "agent0" + std::to_string(i + 1));
    EXPECT_EQ(agent["state"].GetString(), states[i]);
    EXPECT_EQ(agent["since"].GetInt64(), 1772432900 + static_cast<int>(i));
    EXPECT_EQ(agent["profile"].GetString(), std::string("Agent_default"));
    EXPECT_EQ(agent["queue"].GetString(), std::string("Inbound_Main"));
  }
  EXPECT_EQ(doc["agents"][7]["role"].GetString(), std::string("supervisor"));
  EXPECT_EQ(doc["agents"][0]["role"].GetString(), std::string("agent"));
  EXPECT_EQ(doc["agents"][0]["login_at"].GetInt64(), 1772419210);
  EXPECT_TRUE(doc["agents"][8]["login_at"].IsNull());

  ASSERT_EQ(doc["queues"].Size(), 2u);
  const auto& main = doc["queues"][0];
  EXPECT_EQ(main["queue"].GetString(), std::string("Inbound_Main"));
  EXPECT_EQ(main["waiting"].GetInt(), 2);
  EXPECT_EQ(main["oldest_since"].GetInt64(), 1772432990);
  EXPECT_EQ(main["agents"]["logged"].GetInt(), 9);
  EXPECT_EQ(main["agents"]["working"].GetInt(), 5);
  const auto& support = doc["queues"][1];
  EXPECT_EQ(support["waiting"].GetInt(), 0);
  EXPECT_TRUE(support["oldest_since"].IsNull());  // as on /metrics
  EXPECT_TRUE(support["agents"].IsObject());
  EXPECT_EQ(support["agents"].MemberCount(), 0u);

  EXPECT_EQ(doc["calls"]["inbound"].GetInt(), 6);
  EXPECT_EQ(doc["calls"]["outbound"].GetInt(), 2);
}

TEST(LiveJsonTest, NamesOnlyWhenPublished) {
  Floor floor(FloorOptions{});
  floor.Replace(Source::kOzonetelEvents, EveryState());
  const auto view = floor.View();

  const std::string hidden = LiveJson(*view, false, kNow);
  EXPECT_THAT(hidden, Not(HasSubstr("Name of")));
  EXPECT_THAT(hidden, Not(HasSubstr("\"name\"")));
  const rapidjson::Document without = Parse(hidden);
  EXPECT_FALSE(without["agents"][0].HasMember("name"));

  const rapidjson::Document with = Parse(LiveJson(*view, true, kNow));
  EXPECT_EQ(with["agents"][0]["name"].GetString(),
            std::string("Name of agent01"));
}

TEST(LiveJsonTest, TheRouteFollowsTheFloorsNameOption) {
  FakeClock clock(kNow);
  FloorOptions published;
  published.publish_names = true;
  for (const bool names : {false, true}) {
    Floor floor(names ? published : FloorOptions{});
    floor.Replace(Source::kOzonetelEvents, EveryState());
    LivePage page(floor, clock);
    const std::string body = Body(page.Json(Get("/live.json")));
    EXPECT_EQ(body.find("Name of agent01") != std::string::npos, names);
  }
}

TEST(LiveJsonTest, EmptyFloor) {
  Floor floor(FloorOptions{});
  const auto view = floor.View();
  const std::string json = LiveJson(*view, true, FromUnixSeconds(1772433000));
  EXPECT_EQ(json,
            "{\"now\":1772433000,\"version\":" + std::to_string(view->version) +
                ",\"states\":[\"available\",\"ringing\",\"busy\",\"hold\","
                "\"wrapup\",\"pause\",\"outbound\",\"supervising\","
                "\"unknown\"],\"counts\":{\"available\":0,\"ringing\":0,"
                "\"busy\":0,\"hold\":0,\"wrapup\":0,\"pause\":0,"
                "\"outbound\":0,\"supervising\":0,\"unknown\":0},"
                "\"agents\":[],\"queues\":[],\"calls\":{\"inbound\":0,"
                "\"outbound\":0}}");
  Parse(json);
}

TEST(LiveJsonTest, UpstreamStringsAreEscaped) {
  Partition partition;
  Agent agent = MakeAgent("a\"b\\c</script><b>&", State::kBusy, 1772432900);
  agent.name = std::string("line\nbreak\ttab\x01\x7f ") +
               "\xE2\x80\xA8\xE2\x80\xA9 caf\xC3\xA9 \xF0\x9F\x93\x9E";
  agent.profile = std::string("bad \xC3 \xFF \xED\xA0\x80 \xC0\xAF end");
  agent.queue = "q'\"";
  partition.agents.emplace(agent.id, agent);
  Floor floor(FloorOptions{});
  floor.Replace(Source::kOzonetelEvents, partition);
  const std::string json = LiveJson(*floor.View(), true, kNow);

  // Nothing that could end a script element or start markup, no raw
  // control character or line separator.
  EXPECT_THAT(json, Not(HasSubstr("<")));
  EXPECT_THAT(json, Not(HasSubstr(">")));
  EXPECT_THAT(json, Not(HasSubstr("&")));
  EXPECT_THAT(json, Not(HasSubstr("\xE2\x80\xA8")));
  for (char c : json) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << json;

  const rapidjson::Document doc = Parse(json);
  const auto& parsed = doc["agents"][0];
  EXPECT_EQ(parsed["agent"].GetString(), agent.id);
  EXPECT_EQ(parsed["name"].GetString(), agent.name);  // valid UTF-8 kept
  EXPECT_EQ(parsed["queue"].GetString(), agent.queue);
  // Each invalid byte (a cut sequence, 0xFF, a surrogate, an overlong
  // form) became U+FFFD.
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(parsed["profile"].GetString(), "bad " + fffd + " " + fffd + " " +
                                               fffd + fffd + fffd + " " + fffd +
                                               fffd + " end");
}

TEST(LiveJsonTest, AppendJsonString) {
  const auto quoted = [](std::string_view text) {
    std::string out;
    AppendJsonString(text, &out);
    return out;
  };
  EXPECT_EQ(quoted(""), "\"\"");
  EXPECT_EQ(quoted("agent01"), "\"agent01\"");
  EXPECT_EQ(quoted("\"\\\n\r\t\b"), "\"\\\"\\\\\\n\\r\\t\\u0008\"");
  EXPECT_EQ(quoted("<a href='x'>&"), "\"\\u003ca href='x'\\u003e\\u0026\"");
  EXPECT_EQ(quoted("\xE2\x80\xA8"), "\"\\u2028\"");
  EXPECT_EQ(quoted("\xC3\xA9"), "\"\xC3\xA9\"");
  EXPECT_EQ(quoted("\xE2\x82"), "\"\\ufffd\\ufffd\"");  // cut at the end
  EXPECT_EQ(quoted(std::string_view("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(LiveJsonTest, UnixSecondsText) {
  EXPECT_EQ(UnixSecondsText(FromUnixSeconds(1772433000)), "1772433000");
  EXPECT_EQ(UnixSecondsText(FromUnixSeconds(1772433000.5)), "1772433000.5");
  EXPECT_EQ(UnixSecondsText(FromUnixSeconds(1772433000.25)), "1772433000.25");
  EXPECT_EQ(UnixSecondsText(TimePoint{} + std::chrono::milliseconds(1)),
            "0.001");
  EXPECT_EQ(UnixSecondsText(TimePoint{} - std::chrono::milliseconds(1500)),
            "-2.5");
}

TEST(LiveJsonTest, IfNoneMatch) {
  EXPECT_TRUE(IfNoneMatchHits("\"x-1\"", "\"x-1\""));
  EXPECT_TRUE(IfNoneMatchHits("W/\"x-1\"", "\"x-1\""));
  EXPECT_TRUE(IfNoneMatchHits("\"x-0\", \"x-1\"", "\"x-1\""));
  EXPECT_TRUE(IfNoneMatchHits("*", "\"x-1\""));
  EXPECT_FALSE(IfNoneMatchHits("", "\"x-1\""));
  EXPECT_FALSE(IfNoneMatchHits("\"x-2\"", "\"x-1\""));
  EXPECT_FALSE(IfNoneMatchHits("x-1", "\"x-1\""));
  EXPECT_FALSE(IfNoneMatchHits(",", "\"x-1\""));
}

TEST(LivePageTest, EtagAndNotModified) {
  FakeClock clock(kNow);
  Floor floor(FloorOptions{});
  floor.Replace(Source::kOzonetelEvents, EveryState());
  LivePage page(floor, clock);

  const HttpResponse first = page.Json(Get("/live.json"));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.content_type, "application/json; charset=utf-8");
  const std::string etag = HeaderOf(first, "ETag");
  EXPECT_EQ(etag, page.JsonEtag(floor.View()->version));
  EXPECT_EQ(HeaderOf(first, "X-Exporter-Now"), "1772433000.25");
  EXPECT_EQ(HeaderOf(first, "Cache-Control"), "no-cache");
  const std::string body = Body(first);

  // The floor did not change: 304, no body, the clock still told.
  clock.Advance(std::chrono::seconds(3));
  const HttpResponse same = page.Json(Get("/live.json", etag));
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_FALSE(same.stream);
  EXPECT_EQ(HeaderOf(same, "ETag"), etag);
  EXPECT_EQ(HeaderOf(same, "X-Exporter-Now"), "1772433003.25");

  // Without the header: the same document at the new time.
  const std::string again = Body(page.Json(Get("/live.json")));
  EXPECT_EQ(again.substr(again.find(',')), body.substr(body.find(',')));
  EXPECT_THAT(again, HasSubstr("\"now\":1772433003.25,"));

  // A change: a new ETag, a 200 for the old one.
  floor.Update(Source::kOzonetelEvents, [](Partition& partition) {
    partition.agents["agent01"].state = State::kPause;
  });
  const HttpResponse changed = page.Json(Get("/live.json", etag));
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(HeaderOf(changed, "ETag"), etag);
  const rapidjson::Document doc = Parse(Body(changed));
  EXPECT_EQ(doc["counts"]["pause"].GetInt(), 2);
  EXPECT_EQ(doc["agents"][0]["state"].GetString(), std::string("pause"));
}

TEST(LivePageTest, EtagsOfAnotherProcessNeverMatch) {
  FakeClock clock(kNow);
  Floor floor(FloorOptions{});
  LivePage one(floor, clock);
  LivePage other(floor, clock);
  EXPECT_NE(one.JsonEtag(1), other.JsonEtag(1));
  EXPECT_EQ(other.Json(Get("/live.json", one.JsonEtag(1))).status, 200);
}

TEST(LivePageTest, PageIsCspFriendly) {
  FakeClock clock(kNow);
  Floor floor(FloorOptions{});
  LivePage page(floor, clock);
  const HttpResponse response = page.Page(Get("/live"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(response, "Content-Security-Policy"),
            "default-src 'self'");
  const std::string& html = response.body;
  EXPECT_THAT(html, HasSubstr("<script src=\"live.js\" defer></script>"));
  EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"live.css\">"));
  // Under default-src 'self' inline code and styles would not run: none.
  EXPECT_FALSE(std::regex_search(html, std::regex("<script(?![^>]*\\ssrc=)")));
  EXPECT_THAT(html, Not(HasSubstr("<style")));
  EXPECT_FALSE(std::regex_search(html, std::regex("\\son[a-z]+\\s*=")));
  EXPECT_FALSE(std::regex_search(html, std::regex("\\sstyle\\s*=")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  // Stable hooks for tests and people.
  for (const char* id :
       {"id=\"counts\"", "id=\"agent-rows\"", "id=\"state-filter\"",
        "id=\"role-filter\"", "id=\"queue-filter\"", "id=\"search\"",
        "data-sort=\"in_state\"", "id=\"queue-rows\""}) {
    EXPECT_THAT(html, HasSubstr(id));
  }

  const std::string script = page.Script(Get("/live.js")).body;
  EXPECT_THAT(script, HasSubstr("'use strict';"));
  EXPECT_THAT(script, Not(HasSubstr("innerHTML")));
  EXPECT_THAT(script, Not(HasSubstr("eval(")));
  EXPECT_THAT(script, Not(HasSubstr("Date.now")));  // the exporter's clock
  const std::string style = page.Style(Get("/live.css")).body;
  // The Grafana live-floor dashboard's colours.
  for (const char* colour :
       {"#73bf69", "#fade2a", "#5794f2", "#1f60c4", "#ff9830", "#f2495c",
        "#b877d9", "#2ca6a4", "#8e8e8e"}) {
    EXPECT_THAT(style, HasSubstr(colour));
  }
}

TEST(LivePageTest, AssetsAreCachedByTheirHash) {
  FakeClock clock(kNow);
  Floor floor(FloorOptions{});
  LivePage page(floor, clock);
  const HttpResponse script = page.Script(Get("/live.js"));
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  const std::string etag = HeaderOf(script, "ETag");
  EXPECT_EQ(etag, "\"" + std::string(assets::kLiveScriptHash) + "\"");
  EXPECT_EQ(page.Script(Get("/live.js", etag)).status, 304);
  EXPECT_EQ(page.Style(Get("/live.css", etag)).status, 200);
}

// The routes on a real server: GET and HEAD only, each through the
// server's authorize hook (the web configuration's basic auth).
TEST(LivePageTest, RoutesOverHttp) {
  FakeClock clock(kNow);
  Floor floor(FloorOptions{});
  floor.Replace(Source::kOzonetelEvents, EveryState());
  HttpServer::Options options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.threads = 2;
  options.authorize =
      [](const HttpRequest& request) -> std::optional<HttpResponse> {
    if (request.Header("authorization") == "Basic dTpw") return std::nullopt;
    HttpResponse denied = HttpResponse::Text(401, "unauthorized\n");
    denied.headers.emplace_back("WWW-Authenticate", "Basic realm=\"x\"");
    return denied;
  };
  HttpServer server(options);
  const std::vector<core::Route> routes = LivePageRoutes(floor, clock);
  ASSERT_EQ(routes.size(), 4u);
  for (const core::Route& route : routes) {
    EXPECT_TRUE(route.basic_auth) << route.path;
    EXPECT_EQ(route.methods, (std::vector<std::string>{"GET", "HEAD"}));
    RouteOptions route_options;
    route_options.methods = route.methods;
    route_options.authenticate = route.basic_auth;
    server.Handle(route.path, route_options, route.handler);
  }
  server.Start();
  const int port = server.ListeningPorts().at(0);
  const auto request = [port](const std::string& line,
                              const std::string& extra = "") {
    return test::RawRequest(port, line + " HTTP/1.1\r\nHost: x\r\n" + extra +
                                      "Authorization: Basic dTpw\r\n\r\n");
  };

  for (const char* path : {"/live", "/live.json", "/live.js", "/live.css"}) {
    EXPECT_EQ(test::RawRequest(port, std::string("GET ") + path +
                                         " HTTP/1.1\r\nHost: x\r\n\r\n")
                  .status,
              401)
        << path;
    EXPECT_EQ(request(std::string("POST ") + path).status, 405) << path;
  }
  const test::RawResponse page = request("GET /live");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("content-security-policy"), "default-src 'self'");
  EXPECT_THAT(page.body, HasSubstr("<title>Live floor"));

  const test::RawResponse json = request("GET /live.json");
  ASSERT_EQ(json.status, 200);
  const size_t length = std::stoul(json.Header("content-length"));
  ASSERT_GE(json.body.size(), length);
  // As a client reads it: Content-Length bytes.
  EXPECT_EQ(Parse(json.body.substr(0, length))["agents"].Size(), 9u);
  const test::RawResponse head = request("HEAD /live.json");
  EXPECT_EQ(head.status, 200);
  EXPECT_THAT(head.body, Not(HasSubstr("\"now\"")));  // no document
  EXPECT_EQ(head.Header("content-length"), json.Header("content-length"));
  const test::RawResponse unchanged = request(
      "GET /live.json", "If-None-Match: " + json.Header("etag") + "\r\n");
  EXPECT_EQ(unchanged.status, 304);
  EXPECT_TRUE(unchanged.body.empty());
  EXPECT_EQ(unchanged.Header("x-exporter-now"), "1772433000.25");
  server.Stop();
}

// 5,000 agents (live.max_agents' default) in 200 queues: the document's
// size and the time to write it, to read the first request's cost and
// then a cached one's. Printed, never asserted.
TEST(LivePageTest, FiveThousandAgents) {
  Partition partition;
  for (int i = 0; i < 5000; ++i) {
    char id[16];
    std::snprintf(id, sizeof(id), "agent%04d", i);
    Agent agent = MakeAgent(id, static_cast<State>(i % live::kStateCount),
                            1772430000 + i);
    agent.queue = "queue" + std::to_string(i % 200);
    partition.agents.emplace(agent.id, agent);
  }
  for (int q = 0; q < 200; ++q) {
    Queue queue;
    queue.name = "queue" + std::to_string(q);
    queue.waiting = q % 3;
    queue.oldest_waiting_since = At(1772432000 + q);
    queue.agents = {{"logged", 25}, {"working", 10}, {"withdrawn", 3}};
    partition.queues.emplace(queue.name, queue);
  }
  FloorOptions options;
  options.publish_names = true;
  Floor floor(options);
  floor.Replace(Source::kOzonetelEvents, std::move(partition));
  FakeClock clock(kNow);
  LivePage page(floor, clock);
  floor.View();  // the view is the floor's cost, not the page's

  using Steady = std::chrono::steady_clock;
  const auto micros = [](Steady::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  };
  const auto t0 = Steady::now();
  const HttpResponse first = page.Json(Get("/live.json"));
  const auto t1 = Steady::now();
  const HttpResponse cached = page.Json(Get("/live.json"));
  const auto t2 = Steady::now();
  const HttpResponse not_modified =
      page.Json(Get("/live.json", HeaderOf(first, "ETag")));
  const auto t3 = Steady::now();
  const std::string body = Body(first);
  EXPECT_EQ(Body(cached).substr(body.find(',')), body.substr(body.find(',')));

  const rapidjson::Document doc = Parse(body);
  EXPECT_EQ(doc["agents"].Size(), 5000u);
  EXPECT_EQ(doc["queues"].Size(), 200u);
  EXPECT_EQ(not_modified.status, 304);
  std::printf(
      "[ measured ] /live.json at 5000 agents, 200 queues: %zu bytes; "
      "first request (writes the document) %lld us, next one (shares it) "
      "%lld us, 304 %lld us\n",
      body.size(), static_cast<long long>(micros(t1 - t0)),
      static_cast<long long>(micros(t2 - t1)),
      static_cast<long long>(micros(t3 - t2)));
}

}  // namespace
}  // namespace callcenter::web
