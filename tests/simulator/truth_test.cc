#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::MakeRequest;
using testing::Parse;
using testing::SimFixture;
using testing::TestDate;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string TextOrEmpty(const rapidjson::Value& value) {
  return value.IsString() ? value.GetString() : "";
}

int64_t Hms(const rapidjson::Value& record, const char* key) {
  return ParseDuration(record[key].GetString()).value_or(-1);
}

// What an exporter counting each settled record once derives from a
// full-day CDR fetch, in the truth's shape.
struct Counted {
  std::map<std::string, CallTally> agents;
  CallTally unassigned;
  std::map<std::string, CampaignTruth> campaigns;
  std::vector<int64_t> talk[2];
  int64_t calls = 0, answered = 0, missed = 0;
};

Counted CountRecords(const rapidjson::Value& details) {
  Counted counted;
  for (const auto& record : details.GetArray()) {
    const bool answered = Lower(record["Status"].GetString()) == "answered";
    const std::string wrap_end = TextOrEmpty(record["WrapUpEndTime"]);
    if (answered && wrap_end.empty()) continue;  // not settled yet
    const bool inbound = Lower(record["Type"].GetString()) == "inbound";
    const int d = inbound ? 0 : 1;
    const std::string agent = TextOrEmpty(record["AgentID"]);
    CallTally& tally =
        agent.empty() ? counted.unassigned : counted.agents[agent];
    ++(answered ? tally.calls[d].answered : tally.calls[d].unanswered);
    const std::string disposition = TextOrEmpty(record["Disposition"]);
    ++tally.dispositions[disposition.empty() ? "none" : disposition];
    tally.seconds[d].talk += Hms(record, "TalkTime");
    tally.seconds[d].hold += Hms(record, "HoldDuration");
    tally.seconds[d].wrapup += Hms(record, "WrapupDuration");
    tally.seconds[d].handling += Hms(record, "HandlingTime");
    CampaignTruth& campaign =
        counted.campaigns[record["CampaignName"].GetString()];
    ++(answered ? campaign.calls[d].answered : campaign.calls[d].unanswered);
    if (answered && inbound) {
      campaign.queue_wait_seconds.push_back(Hms(record, "TimeToAnswer"));
    }
    if (answered) counted.talk[d].push_back(Hms(record, "TalkTime"));
    ++counted.calls;
    counted.answered += answered;
    counted.missed += inbound && !answered;
  }
  return counted;
}

std::map<std::string, int64_t> NonZero(
    const std::map<std::string, int64_t>& m) {
  std::map<std::string, int64_t> out;
  for (const auto& [key, value] : m) {
    if (value != 0) out[key] = value;
  }
  return out;
}

void ExpectTallyEq(const CallTally& truth, const CallTally& counted,
                   const std::string& who) {
  for (int d = 0; d < 2; ++d) {
    EXPECT_EQ(truth.calls[d].answered, counted.calls[d].answered) << who << d;
    EXPECT_EQ(truth.calls[d].unanswered, counted.calls[d].unanswered)
        << who << d;
    EXPECT_EQ(truth.seconds[d].talk, counted.seconds[d].talk) << who << d;
    EXPECT_EQ(truth.seconds[d].hold, counted.seconds[d].hold) << who << d;
    EXPECT_EQ(truth.seconds[d].wrapup, counted.seconds[d].wrapup) << who << d;
    EXPECT_EQ(truth.seconds[d].handling, counted.seconds[d].handling)
        << who << d;
  }
  EXPECT_EQ(NonZero(truth.dispositions), NonZero(counted.dispositions)) << who;
}

std::vector<int64_t> Sorted(std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  return values;
}

class TruthTest : public SimFixture {
 protected:
  // Fetches the day, counts it and compares with the truth at now.
  void ExpectTruthMatchesFetch(Date date) {
    auto doc = FetchDay(date);
    ASSERT_TRUE(doc.HasMember("details"));
    Counted counted = CountRecords(doc["details"]);
    Truth truth = sim_->TruthFor(date, sim_->NowSeconds());
    for (const AgentTruth& agent : truth.agents) {
      ExpectTallyEq(agent.tally, counted.agents[agent.id], agent.id);
    }
    EXPECT_LE(counted.agents.size(), truth.agents.size());
    ExpectTallyEq(truth.unassigned, counted.unassigned, "unassigned");
    for (const CampaignTruth& campaign : truth.campaigns) {
      const CampaignTruth& c = counted.campaigns[campaign.name];
      for (int d = 0; d < 2; ++d) {
        EXPECT_EQ(campaign.calls[d].answered, c.calls[d].answered)
            << campaign.name;
        EXPECT_EQ(campaign.calls[d].unanswered, c.calls[d].unanswered)
            << campaign.name;
      }
      EXPECT_EQ(Sorted(campaign.queue_wait_seconds),
                Sorted(c.queue_wait_seconds));
    }
    for (int d = 0; d < 2; ++d) {
      EXPECT_EQ(Sorted(truth.talk_seconds[d]), Sorted(counted.talk[d]));
    }
    EXPECT_EQ(truth.total_calls, counted.calls);
    EXPECT_EQ(truth.total_answered, counted.answered);
    EXPECT_EQ(truth.total_missed, counted.missed);
    EXPECT_GT(truth.total_calls, 0);
  }
};

TEST_F(TruthTest, EqualsWhatAFullDayFetchReturnsThroughTheDay) {
  for (const char* now : {"09:15:00", "11:47:13", "16:00:00", "23:59:59"}) {
    SCOPED_TRACE(now);
    SetNow(now);
    ExpectTruthMatchesFetch(TestDate());
  }
  SetNow("10:00:00", 1);
  ExpectTruthMatchesFetch(TestDate());
}

TEST_F(TruthTest, LateDataIsWithheldFromFetchAndTruthAlike) {
  SimOptions options = RelaxedOptions();
  options.late_data = true;
  Start(options);
  SetNow("23:59:59");
  const int64_t evening =
      sim_->TruthFor(TestDate(), sim_->NowSeconds()).total_calls;
  ExpectTruthMatchesFetch(TestDate());
  SetNow("01:00:00", 1);
  ExpectTruthMatchesFetch(TestDate());
  EXPECT_EQ(sim_->TruthFor(TestDate(), sim_->NowSeconds()).total_calls,
            evening);
  SetNow("03:00:00", 1);
  ExpectTruthMatchesFetch(TestDate());
  const int64_t complete =
      sim_->TruthFor(TestDate(), sim_->NowSeconds()).total_calls;
  EXPECT_GT(complete, evening);
  EXPECT_EQ(complete, static_cast<int64_t>(
                          sim_->traffic().Day(TestDate())->calls.size()));
}

TEST_F(TruthTest, NightShiftsMatchTheFetchOfEitherDay) {
  SimOptions options = RelaxedOptions();
  options.night_agents = 10;
  options.late_data = true;
  Start(options);
  for (const char* now : {"22:30:00", "23:59:59"}) {
    SCOPED_TRACE(now);
    SetNow(now);
    ExpectTruthMatchesFetch(TestDate());
  }
  // While the first calls that cross midnight are still running.
  SetNow("00:04:00", 1);
  ExpectTruthMatchesFetch(TestDate());
  for (const char* now : {"01:30:00", "03:00:00", "10:00:00"}) {
    SCOPED_TRACE(now);
    SetNow(now, 1);
    ExpectTruthMatchesFetch(TestDate());
    ExpectTruthMatchesFetch(AddDays(TestDate(), 1));
  }
}

TEST_F(TruthTest, SpikeCallsAreMostlyMissedAndCounted) {
  SetNow("14:00:00");
  const Truth before = sim_->TruthFor(TestDate(), sim_->NowSeconds());
  const int64_t from =
      testing::Unix(testing::LocalTime(TestDate(), "12:00:00"));
  HttpResponse response = sim_->Handle(
      MakeRequest("POST", "/_sim/spike",
                  "{\"from\":" + std::to_string(from) +
                      ",\"to\":" + std::to_string(from + 3600) +
                      ",\"answer_rate\":0.1,\"extra_calls_per_hour\":300}"));
  ASSERT_EQ(response.status, 200) << response.body;
  const int64_t added = Parse(response.body)["calls"].GetInt64();
  EXPECT_GT(added, 200);
  const Truth after = sim_->TruthFor(TestDate(), sim_->NowSeconds());
  EXPECT_EQ(after.total_calls, before.total_calls + added);
  EXPECT_GT(after.total_missed - before.total_missed, added * 7 / 10);
  ExpectTruthMatchesFetch(TestDate());
}

TEST_F(TruthTest, JsonHasTheDocumentedShape) {
  SetNow("18:00:00");
  const int64_t until =
      testing::Unix(testing::LocalTime(TestDate(), "12:00:00"));
  auto doc = Parse(sim_->Handle(MakeRequest("GET", "/_sim/truth", "",
                                            "date=2026-03-02&until=" +
                                                std::to_string(until)))
                       .body);
  EXPECT_STREQ(doc["date"].GetString(), "2026-03-02");
  EXPECT_EQ(doc["until"].GetInt64(), until);
  ASSERT_EQ(doc["agents"].MemberCount(), 20u);
  const auto& agent = doc["agents"]["agent03"];
  EXPECT_STREQ(agent["name"].GetString(), "Zo\u00eb O'Brien");
  for (const char* key :
       {"calls", "dispositions", "seconds", "state_seconds", "appointments"}) {
    EXPECT_TRUE(agent.HasMember(key)) << key;
  }
  EXPECT_TRUE(agent["dispositions"].HasMember("APPOINTMENT_BOOKED"));
  EXPECT_TRUE(agent["dispositions"].HasMember("none"));
  EXPECT_TRUE(agent["calls"]["outbound"].HasMember("unanswered"));
  EXPECT_TRUE(agent["seconds"]["inbound"].HasMember("handling"));
  for (const char* state :
       {"login", "busy", "idle", "pause", "wrapup", "dial"}) {
    EXPECT_TRUE(agent["state_seconds"].HasMember(state)) << state;
  }
  EXPECT_TRUE(doc["unassigned"]["calls"]["inbound"].HasMember("unanswered"));
  EXPECT_TRUE(doc["campaigns"]["Inbound_Main"]["queue_wait_seconds"].IsArray());
  EXPECT_EQ(doc["campaigns"].MemberCount(), 4u);
  EXPECT_TRUE(doc["talk_seconds"]["outbound"].IsArray());
  const Truth truth = sim_->TruthFor(TestDate(), until);
  EXPECT_EQ(doc["totals"]["calls"].GetInt64(), truth.total_calls);
  EXPECT_EQ(doc["totals"]["missed"].GetInt64(), truth.total_missed);
  // A day nobody has reached yet is all zeros, but every agent is listed.
  auto empty = Parse(
      sim_->Handle(MakeRequest("GET", "/_sim/truth", "", "date=2026-03-09"))
          .body);
  EXPECT_EQ(empty["agents"].MemberCount(), 20u);
  EXPECT_EQ(empty["totals"]["calls"].GetInt64(), 0);
}

}  // namespace
}  // namespace callcenter::sim
