#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "ozonetel_sim/call_view.h"
#include "ozonetel_sim/traffic.h"
#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::Parse;
using testing::TestDate;

constexpr int64_t kTwoTo53 = 9007199254740992LL;

TrafficParams Params(uint64_t seed) {
  TrafficParams params;
  params.seed = seed;
  return params;
}

bool SameCall(const Call& a, const Call& b) {
  return a.call_id == b.call_id && a.ucid == b.ucid && a.start == b.start &&
         a.pickup == b.pickup && a.end == b.end && a.wrap_end == b.wrap_end &&
         a.hold == b.hold && a.queue == b.queue && a.agent == b.agent &&
         a.disposition == b.disposition && a.type == b.type &&
         a.answered == b.answered && a.campaign == b.campaign;
}

int64_t Hms(const rapidjson::Value& record, const char* key) {
  auto value = ParseDuration(record[key].GetString());
  EXPECT_TRUE(value.has_value()) << key;
  return value.value_or(-1);
}

TEST(GeneratorTest, SameSeedAndDateGiveTheSameDay) {
  Account account = MakeAccount("demo", 30);
  TrafficGenerator a(&account, Params(7));
  TrafficGenerator b(&account, Params(7));
  DayData day_a = a.GenerateDay(TestDate(), {});
  DayData day_b = b.GenerateDay(TestDate(), {});
  ASSERT_EQ(day_a.calls.size(), day_b.calls.size());
  ASSERT_GT(day_a.calls.size(), 500u);
  for (size_t i = 0; i < day_a.calls.size(); ++i) {
    EXPECT_TRUE(SameCall(day_a.calls[i], day_b.calls[i])) << i;
  }
  DayData other_seed =
      TrafficGenerator(&account, Params(8)).GenerateDay(TestDate(), {});
  EXPECT_FALSE(other_seed.calls.size() == day_a.calls.size() &&
               SameCall(other_seed.calls[0], day_a.calls[0]));
}

TEST(GeneratorTest, CachedModelMatchesFreshGenerationAndSpikesKeepBaseCalls) {
  Account account = MakeAccount("demo", 10);
  TrafficModel model(&account, Params(1), /*max_cached_days=*/2);
  auto before = model.Day(TestDate());
  // Evict and regenerate through other days.
  model.Day(AddDays(TestDate(), 1));
  model.Day(AddDays(TestDate(), 2));
  auto again = model.Day(TestDate());
  ASSERT_EQ(before->calls.size(), again->calls.size());
  Spike spike;
  spike.from = before->midnight + 11 * 3600;
  spike.to = spike.from + 3600;
  spike.extra_calls_per_hour = 120;
  const int64_t added = model.AddSpike(spike);
  EXPECT_GT(added, 60);
  auto with_spike = model.Day(TestDate());
  EXPECT_EQ(with_spike->calls.size(), before->calls.size() + added);
  // Every base call is still there, unchanged.
  std::map<int64_t, const Call*> by_id;
  for (const Call& call : with_spike->calls) by_id[call.call_id] = &call;
  for (const Call& call : before->calls) {
    ASSERT_TRUE(by_id.count(call.call_id));
    EXPECT_TRUE(SameCall(call, *by_id[call.call_id]));
  }
}

TEST(GeneratorTest, IdsAreUnique17DigitIntegersAbove2To53) {
  Account account = MakeAccount("demo", 50);
  TrafficModel model(&account, Params(3));
  Spike spike;
  spike.from = model.Midnight(TestDate()) + 10 * 3600;
  spike.to = spike.from + 2 * 3600;
  model.AddSpike(spike);
  std::set<int64_t> ids;
  size_t count = 0;
  for (int d = 0; d < 3; ++d) {
    for (const Call& call : model.Day(AddDays(TestDate(), d))->calls) {
      for (int64_t id : {call.call_id, call.ucid}) {
        EXPECT_GT(id, kTwoTo53);
        EXPECT_EQ(std::to_string(id).size(), 17u);
        ids.insert(id);
      }
      count += 2;
    }
  }
  EXPECT_EQ(ids.size(), count);
}

TEST(GeneratorTest, TimelinesAreConsistentAndNoCallCrossesMidnight) {
  Account account = MakeAccount("demo", 40);
  DayData day =
      TrafficGenerator(&account, Params(5)).GenerateDay(TestDate(), {});
  for (const Call& call : day.calls) {
    EXPECT_GE(call.start, day.midnight);
    EXPECT_LE(call.wrap_end, day.midnight + 22 * 3600);
    EXPECT_LT(call.start, call.end);
    EXPECT_LE(call.talk(), 1200);
    if (call.answered) {
      EXPECT_GE(call.talk(), 30);
      EXPECT_GE(call.wrapup(), 5);
      EXPECT_LE(call.wrapup(), 90);
    }
    if (call.inbound()) {
      EXPECT_LE(call.queue, 300);
    }
  }
  int working = 0;
  for (const AgentDay& agent : day.agents) {
    if (agent.login_to == agent.login_from) continue;
    ++working;
    int64_t previous_end = agent.login_from;
    int pauses = 0;
    for (const Segment& segment : agent.segments) {
      EXPECT_GE(segment.from, previous_end);
      EXPECT_LT(segment.from, segment.to);
      previous_end = segment.to;
      pauses += segment.state == AgentState::kPause;
    }
    EXPECT_LE(previous_end, agent.login_to);
    EXPECT_EQ(pauses, 2);
    EXPECT_LE(agent.login_to, day.midnight + 22 * 3600);
  }
  EXPECT_GT(working, 30);
}

TEST(GeneratorTest, TrafficMixIsRealistic) {
  Account account = MakeAccount("demo", 100);
  DayData day =
      TrafficGenerator(&account, Params(1)).GenerateDay(TestDate(), {});
  int inbound = 0, inbound_answered = 0, outbound = 0, outbound_answered = 0;
  int unassigned = 0, null_agent = 0, appointments = 0, lower = 0;
  for (const Call& call : day.calls) {
    if (call.inbound()) {
      ++inbound;
      inbound_answered += call.answered;
      unassigned += call.agent < 0;
      null_agent += call.agent_null;
    } else {
      ++outbound;
      outbound_answered += call.answered;
    }
    appointments += call.disposition == kAppointmentBooked;
    lower += call.lower_case;
  }
  EXPECT_NEAR(static_cast<double>(inbound_answered) / inbound, 0.85, 0.04);
  EXPECT_NEAR(static_cast<double>(outbound_answered) / outbound, 0.70, 0.05);
  EXPECT_GT(unassigned, 0);
  EXPECT_GT(null_agent, 0);
  EXPECT_LT(null_agent, unassigned);
  EXPECT_NEAR(static_cast<double>(appointments) /
                  (inbound_answered + outbound_answered),
              0.15, 0.04);
  EXPECT_GT(lower, 0);
}

TEST(GeneratorTest, FiveHundredAgentsGenerate) {
  Account account = MakeAccount("demo", 500);
  EXPECT_EQ(account.agents.front().id, "agent001");
  EXPECT_EQ(account.agents.back().id, "agent500");
  DayData day =
      TrafficGenerator(&account, Params(1)).GenerateDay(TestDate(), {});
  EXPECT_GT(day.calls.size(), 500u * 20);
}

TEST(GeneratorTest, AccountNamesExerciseEscaping) {
  Account account = MakeAccount("demo", 20);
  EXPECT_EQ(account.agents[0].id, "agent01");
  EXPECT_EQ(account.agents[0].name, "Agent 01");
  EXPECT_EQ(account.agents[2].name, "Zo\u00eb O'Brien");
  EXPECT_EQ(account.agents[4].name, "Ravi \"RK\" Kumar");
  EXPECT_EQ(account.FindAgent("agent05"), 4);
  EXPECT_EQ(account.FindAgent("Ravi \"RK\" Kumar"), 4);
  EXPECT_EQ(account.FindAgent("agent99"), -1);
}

// Renders every settled record and checks the §4.6 identities on the text.
TEST(CallViewTest, RecordsHave47KeysInOrderAndKeepTheIdentities) {
  static const char* kKeys[] = {"CallID",
                                "CallDate",
                                "StartTime",
                                "EndTime",
                                "Duration",
                                "TalkTime",
                                "HandlingTime",
                                "CallerID",
                                "DialedNumber",
                                "E164",
                                "DID",
                                "Location",
                                "AgentID",
                                "AgentName",
                                "Skill",
                                "CampaignName",
                                "CallFlow",
                                "Type",
                                "Status",
                                "DialStatus",
                                "AgentDialStatus",
                                "CustomerDialStatus",
                                "Disposition",
                                "Comments",
                                "HangupBy",
                                "QueueTime",
                                "HoldDuration",
                                "WrapupDuration",
                                "TimeToAnswer",
                                "DialCount",
                                "UCID",
                                "UUI",
                                "CallAudio",
                                "CallerConfAudioFile",
                                "ConferenceDuration",
                                "CustomerRingTime",
                                "DialOutName",
                                "DynamicDID",
                                "Event",
                                "PickupTime",
                                "Rating",
                                "RatingComments",
                                "TransferType",
                                "TransferredTo",
                                "VideoRecordingURL",
                                "WrapUpEndTime",
                                "WrapUpStartTime"};
  static_assert(sizeof(kKeys) / sizeof(kKeys[0]) == 47);
  Account account = MakeAccount("demo", 20);
  DayData day =
      TrafficGenerator(&account, Params(2)).GenerateDay(TestDate(), {});
  CdrView view{&account, &day, day.midnight + 86400, false};
  for (const Call& call : day.calls) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    WriteCdrRecord(&writer, view, call);
    rapidjson::Document record = Parse(buffer.GetString());
    ASSERT_EQ(record.MemberCount(), 47u);
    int i = 0;
    for (auto it = record.MemberBegin(); it != record.MemberEnd(); ++it, ++i) {
      ASSERT_STREQ(it->name.GetString(), kKeys[i]);
    }
    ASSERT_TRUE(record["CallID"].IsInt64());
    EXPECT_EQ(record["CallID"].GetInt64(), call.call_id);
    EXPECT_EQ(record["UCID"].GetInt64(), call.ucid);
    const int64_t start = *ParseTimeOfDay(record["StartTime"].GetString());
    const int64_t end = *ParseTimeOfDay(record["EndTime"].GetString());
    EXPECT_EQ(Hms(record, "Duration"), end - start);
    const int64_t talk = Hms(record, "TalkTime");
    const int64_t hold = Hms(record, "HoldDuration");
    const int64_t wrap = Hms(record, "WrapupDuration");
    EXPECT_EQ(Hms(record, "HandlingTime"), talk + hold + wrap);
    const std::string pickup_text = record["PickupTime"].GetString();
    if (call.answered) {
      const int64_t pickup = *ParseTimeOfDay(pickup_text);
      EXPECT_EQ(Hms(record, "TimeToAnswer"), pickup - start);
      EXPECT_EQ(talk, end - pickup - hold);
      EXPECT_EQ(*ParseTimeOfDay(record["WrapUpEndTime"].GetString()),
                end + wrap);
    } else {
      EXPECT_EQ(pickup_text, "");
      EXPECT_EQ(talk, 0);
      EXPECT_STREQ(record["WrapUpEndTime"].GetString(), "");
    }
  }
}

TEST(CallViewTest, AnsweredCallBeforeWrapUpEndsShowsNoWrapUp) {
  Account account = MakeAccount("demo", 20);
  DayData day =
      TrafficGenerator(&account, Params(2)).GenerateDay(TestDate(), {});
  auto it = std::find_if(day.calls.begin(), day.calls.end(), [](const Call& c) {
    return c.answered && c.disposition >= 0;
  });
  ASSERT_NE(it, day.calls.end());
  CdrView view{&account, &day, it->end, true};
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  WriteCdrRecord(&writer, view, *it);
  rapidjson::Document record = Parse(buffer.GetString());
  EXPECT_STREQ(record["WrapupDuration"].GetString(), "00:00:00");
  EXPECT_STREQ(record["Disposition"].GetString(), "");
  EXPECT_STREQ(record["WrapUpEndTime"].GetString(), "");
  EXPECT_EQ(*ParseDuration(record["HandlingTime"].GetString()),
            it->talk() + it->hold);
  // ids_as_strings
  EXPECT_TRUE(record["CallID"].IsString());
  EXPECT_EQ(record["CallID"].GetString(), std::to_string(it->call_id));
  EXPECT_LT(SettledAt(*it, day, false), it->wrap_end + 1);
  EXPECT_GT(SettledAt(*it, day, false), it->end);
}

TEST(CallViewTest, LateRecordsWaitUntilThreeNextMorning) {
  Account account = MakeAccount("demo", 20);
  DayData day =
      TrafficGenerator(&account, Params(2)).GenerateDay(TestDate(), {});
  int late = 0;
  for (const Call& call : day.calls) {
    if (!call.late) {
      EXPECT_EQ(VisibleAt(call, day, true), call.end);
      continue;
    }
    ++late;
    EXPECT_EQ(VisibleAt(call, day, false), call.end);
    EXPECT_EQ(VisibleAt(call, day, true), day.midnight + 86400 + 3 * 3600);
  }
  EXPECT_NEAR(static_cast<double>(late) / day.calls.size(), 0.10, 0.03);
}

}  // namespace
}  // namespace callcenter::sim
