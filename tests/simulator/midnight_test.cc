// Night shifts whose calls cross midnight, records without WrapUpEndTime,
// and the two stages of the truth (visible, settled).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "ozonetel_sim/call_view.h"
#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::MakeRequest;
using testing::Parse;
using testing::SimFixture;
using testing::TestDate;

constexpr int64_t kDay = 86400;

std::string TextOrEmpty(const rapidjson::Value& value) {
  return value.IsString() ? value.GetString() : "";
}

int64_t Hms(const rapidjson::Value& record, const char* key) {
  return ParseDuration(record[key].GetString()).value_or(-1);
}

bool Crosses(const Call& call, const DayData& day) {
  return call.start < day.midnight + kDay && call.end >= day.midnight + kDay;
}

class NightShiftTest : public SimFixture {
 protected:
  void SetUp() override {
    SimOptions options = RelaxedOptions();
    options.night_agents = 10;
    Start(options, "10:00:00");
    SetNow("10:00:00", 1);
  }

  // Records of `date` by CallID.
  std::map<int64_t, rapidjson::Document> Records(Date date) {
    rapidjson::Document doc = FetchDay(date);
    std::map<int64_t, rapidjson::Document> records;
    for (const auto& record : doc["details"].GetArray()) {
      rapidjson::Document copy;
      copy.CopyFrom(record, copy.GetAllocator());
      records[record["CallID"].GetInt64()] = std::move(copy);
    }
    return records;
  }
};

TEST_F(NightShiftTest, NightAgentsAreExtraAgentsWithShiftsOverMidnight) {
  const Account& account = sim_->account();
  ASSERT_EQ(account.agents.size(), 30u);
  EXPECT_EQ(account.night_agents, 10);
  EXPECT_FALSE(account.IsNightAgent(19));
  EXPECT_TRUE(account.IsNightAgent(20));
  auto day = sim_->traffic().Day(TestDate());
  int working = 0;
  for (int agent = 20; agent < 30; ++agent) {
    const AgentDay& shift = day->agents[agent];
    if (shift.login_from == shift.login_to) continue;
    ++working;
    EXPECT_GE(shift.login_from, day->midnight + 21 * 3600);
    EXPECT_GT(shift.login_to, day->midnight + kDay + 2 * 3600 - 1);
    int64_t previous_end = shift.login_from;
    for (const Segment& segment : shift.segments) {
      EXPECT_GE(segment.from, previous_end);
      previous_end = segment.to;
    }
    EXPECT_LE(previous_end, shift.login_to);
  }
  EXPECT_GE(working, 8);
  for (const Call& call : day->calls) {
    EXPECT_GE(call.start, day->midnight);
    EXPECT_LT(call.start, day->midnight + kDay);
  }
}

TEST_F(NightShiftTest, MostNightShiftsHaveACallAcrossMidnight) {
  auto day = sim_->traffic().Day(TestDate());
  std::set<int> agents;
  for (const Call& call : day->calls) {
    if (!Crosses(call, *day)) continue;
    EXPECT_TRUE(sim_->account().IsNightAgent(call.agent));
    EXPECT_TRUE(call.answered);
    EXPECT_LE(call.talk(), 1200);
    agents.insert(call.agent);
  }
  EXPECT_GE(agents.size(), 8u);
}

TEST_F(NightShiftTest, CrossingRecordsComeWithTheirStartDayAndNameTheEndDay) {
  auto day = sim_->traffic().Day(TestDate());
  auto records = Records(TestDate());
  auto next_records = Records(AddDays(TestDate(), 1));
  int crossing = 0;
  for (const Call& call : day->calls) {
    if (!Crosses(call, *day)) continue;
    ++crossing;
    ASSERT_TRUE(records.count(call.call_id)) << call.call_id;
    EXPECT_FALSE(next_records.count(call.call_id));
    const rapidjson::Document& record = records[call.call_id];
    EXPECT_STREQ(record["CallDate"].GetString(), "2026-03-03");
    const int64_t start = *ParseTimeOfDay(record["StartTime"].GetString());
    const int64_t end = *ParseTimeOfDay(record["EndTime"].GetString());
    EXPECT_GE(start, 23 * 3600);
    EXPECT_LT(end, 3600);
    EXPECT_EQ(start, call.start - day->midnight);
    EXPECT_EQ(end, call.end - day->midnight - kDay);
    EXPECT_EQ(Hms(record, "Duration"), call.end - call.start);
    EXPECT_EQ(*ParseTimeOfDay(record["WrapUpEndTime"].GetString()),
              call.wrap_end - day->midnight - kDay);
  }
  EXPECT_GT(crossing, 0);
  // Calls of the same night shifts that start after midnight are the next
  // day's, dated by their start.
  auto next_day = sim_->traffic().Day(AddDays(TestDate(), 1));
  int after_midnight = 0;
  for (const Call& call : next_day->calls) {
    if (call.agent < 20 || call.start >= next_day->midnight + 6 * 3600) {
      continue;
    }
    ++after_midnight;
    ASSERT_TRUE(next_records.count(call.call_id));
    EXPECT_STREQ(next_records[call.call_id]["CallDate"].GetString(),
                 "2026-03-03");
  }
  EXPECT_GT(after_midnight, 0);
}

TEST_F(NightShiftTest, CrossingCallDateCanNameTheStartDay) {
  SimOptions options = RelaxedOptions();
  options.night_agents = 10;
  options.crossing_call_date = CrossingCallDate::kStart;
  Start(options);
  SetNow("10:00:00", 1);
  auto day = sim_->traffic().Day(TestDate());
  auto records = Records(TestDate());
  int crossing = 0;
  for (const Call& call : day->calls) {
    if (!Crosses(call, *day)) continue;
    ++crossing;
    EXPECT_STREQ(records[call.call_id]["CallDate"].GetString(), "2026-03-02");
  }
  EXPECT_GT(crossing, 0);
}

TEST_F(NightShiftTest, TruthCountsCrossingCallsOnTheirStartDay) {
  auto day = sim_->traffic().Day(TestDate());
  const int64_t now = sim_->NowSeconds();
  Truth truth = sim_->TruthFor(TestDate(), now);
  EXPECT_EQ(truth.total_calls, static_cast<int64_t>(day->calls.size()));
  Truth next = sim_->TruthFor(AddDays(TestDate(), 1), now);
  auto next_day = sim_->traffic().Day(AddDays(TestDate(), 1));
  int64_t settled_next = 0;
  for (const Call& call : next_day->calls) {
    settled_next += SettledAt(call, *next_day, false) <= now;
  }
  EXPECT_EQ(next.total_calls, settled_next);
  // Before the crossing calls end, the start day's truth lacks them.
  const int64_t midnight = day->midnight + kDay;
  Truth at_midnight = sim_->TruthFor(TestDate(), midnight);
  int64_t crossing = 0;
  for (const Call& call : day->calls) crossing += Crosses(call, *day);
  EXPECT_EQ(at_midnight.visible_totals.calls + crossing,
            static_cast<int64_t>(day->calls.size()));
}

TEST_F(NightShiftTest, StateSecondsOfANightShiftSplitAtMidnight) {
  auto day = sim_->traffic().Day(TestDate());
  const int64_t now = sim_->NowSeconds();
  Truth first = sim_->TruthFor(TestDate(), now);
  Truth second = sim_->TruthFor(AddDays(TestDate(), 1), now);
  for (int agent = 20; agent < 30; ++agent) {
    const AgentDay& shift = day->agents[agent];
    const int64_t midnight = day->midnight + kDay;
    const StateTotals& a = first.agents[agent].states;
    const StateTotals& b = second.agents[agent].states;
    // Yesterday's shift started on 03-01 and ended on 03-02 early: its tail
    // is in 03-02's login too.
    auto previous = sim_->traffic().Day(AddDays(TestDate(), -1));
    const AgentDay& tail = previous->agents[agent];
    const int64_t tail_login =
        std::max<int64_t>(0, tail.login_to - day->midnight);
    EXPECT_EQ(a.login, std::max<int64_t>(0, midnight - shift.login_from) +
                           (tail.login_from == tail.login_to ? 0 : tail_login))
        << agent;
    EXPECT_EQ(b.login,
              std::max<int64_t>(0, std::min(shift.login_to, now) - midnight))
        << agent;
    for (const StateTotals* t : {&a, &b}) {
      EXPECT_EQ(t->login, t->idle + t->pause + t->busy[0] + t->busy[1] +
                              t->wrapup[0] + t->wrapup[1] + t->dial[0] +
                              t->dial[1]);
    }
  }
}

// Counts a full-day fetch in two stages, as a careful exporter does:
// calls, talk and hold as soon as a record is there; dispositions, wrap-up
// and handling once it shows wrap-up (WrapupDuration > 0 or a Disposition),
// for records that never get a WrapUpEndTime.
struct TwoStageCount {
  std::map<std::string, VisibleTally> visible;
  std::map<std::string, int64_t> wrapup;
  std::map<std::string, int64_t> handling;
  int64_t settled = 0;
};

TwoStageCount CountTwoStages(const rapidjson::Value& details) {
  TwoStageCount count;
  for (const auto& record : details.GetArray()) {
    const bool answered =
        std::string(record["Status"].GetString()) == "Answered" ||
        std::string(record["Status"].GetString()) == "answered";
    const std::string type = record["Type"].GetString();
    const int d = type == "InBound" || type == "inbound" ? 0 : 1;
    const std::string agent = TextOrEmpty(record["AgentID"]);
    VisibleTally& tally = count.visible[agent];
    ++(answered ? tally.calls[d].answered : tally.calls[d].unanswered);
    tally.talk[d] += Hms(record, "TalkTime");
    tally.hold[d] += Hms(record, "HoldDuration");
    const bool wrapped = !answered || Hms(record, "WrapupDuration") > 0;
    if (wrapped) {
      count.wrapup[agent] += Hms(record, "WrapupDuration");
      count.handling[agent] += Hms(record, "HandlingTime");
      ++count.settled;
    }
  }
  return count;
}

class NoWrapUpEndTest : public SimFixture {
 protected:
  void SetUp() override {
    SimOptions options = RelaxedOptions();
    options.no_wrapup_end_rate = 0.3;
    Start(options);
  }
};

TEST_F(NoWrapUpEndTest, AFractionOfAnsweredRecordsNeverShowWrapUpEndTime) {
  auto day = sim_->traffic().Day(TestDate());
  int answered = 0, without = 0;
  for (const Call& call : day->calls) {
    EXPECT_TRUE(call.answered || !call.no_wrapup_end);
    answered += call.answered;
    without += call.no_wrapup_end;
  }
  EXPECT_NEAR(static_cast<double>(without) / answered, 0.3, 0.05);
  SimOptions plain = RelaxedOptions();
  Start(plain);
  for (const Call& call : sim_->traffic().Day(TestDate())->calls) {
    ASSERT_FALSE(call.no_wrapup_end);
  }
}

TEST_F(NoWrapUpEndTest, RecordSettlesWithoutWrapUpEndTime) {
  auto day = sim_->traffic().Day(TestDate());
  auto it =
      std::find_if(day->calls.begin(), day->calls.end(), [](const Call& c) {
        return c.no_wrapup_end && c.disposition >= 0 &&
               c.start > c.start - c.start % 86400 + 1;
      });
  ASSERT_NE(it, day->calls.end());
  const Call& call = *it;
  auto render = [&](int64_t now) {
    CdrView view{&sim_->account(), day.get(), now, false};
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    WriteCdrRecord(&writer, view, call);
    return Parse(buffer.GetString());
  };
  rapidjson::Document during = render(call.end);
  EXPECT_TRUE(during["WrapUpEndTime"].IsNull());
  EXPECT_STREQ(during["WrapupDuration"].GetString(), "00:00:00");
  EXPECT_STREQ(during["Disposition"].GetString(), "");
  EXPECT_EQ(Hms(during, "HandlingTime"), call.talk() + call.hold);
  rapidjson::Document after = render(call.wrap_end);
  EXPECT_TRUE(after["WrapUpEndTime"].IsNull());
  EXPECT_EQ(Hms(after, "WrapupDuration"), call.wrapup());
  EXPECT_EQ(after["Disposition"].GetString(),
            DispositionText(sim_->account(), call));
  EXPECT_EQ(Hms(after, "HandlingTime"), call.handling());
  EXPECT_FALSE(TextOrEmpty(after["WrapUpStartTime"]).empty());
}

TEST_F(NoWrapUpEndTest, TruthStagesMatchATwoStageCountThroughTheDay) {
  for (const char* now : {"09:31:07", "12:00:00", "17:45:10", "23:59:59"}) {
    SCOPED_TRACE(now);
    SetNow(now);
    auto doc = FetchDay(TestDate());
    TwoStageCount count = CountTwoStages(doc["details"]);
    Truth truth = sim_->TruthFor(TestDate(), sim_->NowSeconds());
    int64_t settled = 0;
    for (const AgentTruth& agent : truth.agents) {
      const VisibleTally& seen = count.visible[agent.id];
      for (int d = 0; d < 2; ++d) {
        EXPECT_EQ(agent.visible.calls[d].answered, seen.calls[d].answered);
        EXPECT_EQ(agent.visible.calls[d].unanswered, seen.calls[d].unanswered);
        EXPECT_EQ(agent.visible.talk[d], seen.talk[d]) << agent.id;
        EXPECT_EQ(agent.visible.hold[d], seen.hold[d]) << agent.id;
      }
      EXPECT_EQ(agent.tally.seconds[0].wrapup + agent.tally.seconds[1].wrapup,
                count.wrapup[agent.id]);
      EXPECT_EQ(
          agent.tally.seconds[0].handling + agent.tally.seconds[1].handling,
          count.handling[agent.id]);
    }
    settled = truth.total_calls;
    EXPECT_EQ(settled, count.settled);
    EXPECT_EQ(truth.visible_totals.calls,
              static_cast<int64_t>(doc["details"].Size()));
    EXPECT_GE(truth.visible_totals.calls, truth.total_calls);
  }
}

TEST_F(SimFixture, TruthJsonCarriesTheVisibleStage) {
  SetNow("12:00:00");
  auto doc = Parse(
      sim_->Handle(MakeRequest("GET", "/_sim/truth", "", "date=2026-03-02"))
          .body);
  const Truth truth = sim_->TruthFor(TestDate(), sim_->NowSeconds());
  const auto& agent = doc["agents"]["agent01"]["visible"];
  EXPECT_EQ(agent["calls"]["inbound"]["answered"].GetInt64(),
            truth.agents[0].visible.calls[0].answered);
  EXPECT_EQ(agent["seconds"]["outbound"]["talk"].GetInt64(),
            truth.agents[0].visible.talk[1]);
  EXPECT_TRUE(agent["seconds"]["inbound"].HasMember("hold"));
  EXPECT_TRUE(
      doc["unassigned"]["visible"]["calls"]["inbound"].HasMember("unanswered"));
  EXPECT_TRUE(doc["campaigns"]["Inbound_Main"]["visible"]["queue_wait_seconds"]
                  .IsArray());
  EXPECT_EQ(doc["visible"]["totals"]["calls"].GetInt64(),
            truth.visible_totals.calls);
  EXPECT_EQ(doc["visible"]["talk_seconds"]["inbound"].Size(),
            truth.visible_talk_seconds[0].size());
  EXPECT_GE(truth.visible_totals.calls, truth.total_calls);
}

}  // namespace
}  // namespace callcenter::sim
