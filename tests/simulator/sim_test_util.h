// Shared helpers for the simulator tests: a Simulator on a FakeClock and
// requests built in memory, no sockets.
#ifndef TESTS_SIMULATOR_SIM_TEST_UTIL_H_
#define TESTS_SIMULATOR_SIM_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <memory>
#include <string>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/simulator.h"

namespace callcenter::sim::testing {

// 2026-03-02 in IST.
inline Date TestDate() { return *ParseDate("2026-03-02"); }

inline TimePoint LocalTime(Date date, const std::string& hh_mm_ss) {
  return LocalMidnight(date, Seconds(19800)) +
         Seconds(*ParseTimeOfDay(hh_mm_ss));
}

inline int64_t Unix(TimePoint t) {
  return std::chrono::floor<Seconds>(t).time_since_epoch().count();
}

inline HttpRequest MakeRequest(std::string method, std::string path,
                               std::string body = "", std::string query = "") {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.body = std::move(body);
  request.query = std::move(query);
  request.headers["content-type"] = "application/json";
  return request;
}

inline HttpRequest WithApiKey(HttpRequest request,
                              const std::string& key = "sim-api-key") {
  request.headers["apikey"] = key;
  return request;
}

inline rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  EXPECT_FALSE(doc.HasParseError()) << body.substr(0, 300);
  return doc;
}

inline std::string CdrBody(const std::string& from, const std::string& to,
                           const std::string& extra = "") {
  return "{\"userName\":\"demo\",\"fromDate\":\"" + from + "\",\"toDate\":\"" +
         to + "\"" + extra + "}";
}

class SimFixture : public ::testing::Test {
 protected:
  // Generous limits so tests that are not about limits never hit them.
  static SimOptions RelaxedOptions() {
    SimOptions options;
    options.limit_cdr = 100000;
    options.limit_summary = 100000;
    options.limit_aht = 100000;
    options.limit_agentdetails = 100000;
    return options;
  }

  void Start(SimOptions options, const std::string& now = "14:00:00") {
    clock_ = std::make_unique<FakeClock>(LocalTime(TestDate(), now));
    sim_ = std::make_unique<Simulator>(std::move(options), clock_.get());
  }

  void SetUp() override { Start(RelaxedOptions()); }

  void SetNow(const std::string& hh_mm_ss, int day_offset = 0) {
    clock_->Set(LocalTime(AddDays(TestDate(), day_offset), hh_mm_ss));
  }

  HttpResponse Get(const std::string& path, const std::string& body,
                   const std::string& query = "") {
    return sim_->Handle(WithApiKey(MakeRequest("GET", path, body, query)));
  }
  HttpResponse Post(const std::string& path, const std::string& body) {
    return sim_->Handle(WithApiKey(MakeRequest("POST", path, body)));
  }

  // The whole day as fetchCDRDetails returns it now; like the exporter,
  // toDate is clamped to now.
  rapidjson::Document FetchDay(Date date) {
    const Seconds ist(19800);
    const TimePoint end =
        std::min<TimePoint>(LocalMidnight(date, ist) + Seconds(86399),
                            std::chrono::floor<Seconds>(clock_->Now()));
    HttpResponse response = Get(
        "/ca_reports/fetchCDRDetails",
        CdrBody(FormatDate(date) + " 00:00:00", FormatLocalDateTime(end, ist)));
    EXPECT_EQ(response.status, 200);
    return Parse(response.body);
  }

  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<Simulator> sim_;
};

}  // namespace callcenter::sim::testing

#endif  // TESTS_SIMULATOR_SIM_TEST_UTIL_H_
