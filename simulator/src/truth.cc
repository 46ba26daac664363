#include "ozonetel_sim/truth.h"

#include <algorithm>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/call_view.h"
#include "ozonetel_sim/json_util.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kDay = 86400;

CallTally EmptyTally(const Account& account) {
  CallTally tally;
  for (const std::string& name : account.dispositions)
    tally.dispositions[name] = 0;
  tally.dispositions["none"] = 0;
  return tally;
}

void AddCall(const Account& account, const Call& call, CallTally* tally) {
  const int direction = call.inbound() ? 0 : 1;
  DirectionCounts& counts = tally->calls[direction];
  ++(call.answered ? counts.answered : counts.unanswered);
  const std::string disposition = DispositionText(account, call);
  ++tally->dispositions[disposition.empty() ? "none" : disposition];
  SecondsTally& seconds = tally->seconds[direction];
  seconds.talk += call.talk();
  seconds.hold += call.hold_seconds();
  seconds.wrapup += call.wrapup();
  seconds.handling += call.handling();
}

void AddVisible(const Call& call, VisibleTally* tally) {
  const int direction = call.inbound() ? 0 : 1;
  ++(call.answered ? tally->calls[direction].answered
                   : tally->calls[direction].unanswered);
  tally->talk[direction] += call.talk();
  tally->hold[direction] += call.hold_seconds();
}

void AddTotals(const Call& call, Totals* totals) {
  ++totals->calls;
  if (call.answered) ++totals->answered;
  if (!call.answered && call.inbound()) ++totals->missed;
}

void WriteCounts(JsonWriter* w, const DirectionCounts (&calls)[2]) {
  w->StartObject();
  const char* names[2] = {"inbound", "outbound"};
  for (int d = 0; d < 2; ++d) {
    w->Key(names[d]);
    w->StartObject();
    WriteMember(w, "answered", calls[d].answered);
    WriteMember(w, "unanswered", calls[d].unanswered);
    w->EndObject();
  }
  w->EndObject();
}

void WriteTally(JsonWriter* w, const CallTally& tally) {
  w->Key("calls");
  WriteCounts(w, tally.calls);
  w->Key("dispositions");
  w->StartObject();
  for (const auto& [name, count] : tally.dispositions)
    WriteMember(w, name, count);
  w->EndObject();
  w->Key("seconds");
  w->StartObject();
  const char* names[2] = {"inbound", "outbound"};
  for (int d = 0; d < 2; ++d) {
    w->Key(names[d]);
    w->StartObject();
    WriteMember(w, "talk", tally.seconds[d].talk);
    WriteMember(w, "hold", tally.seconds[d].hold);
    WriteMember(w, "wrapup", tally.seconds[d].wrapup);
    WriteMember(w, "handling", tally.seconds[d].handling);
    w->EndObject();
  }
  w->EndObject();
}

void WriteVisible(JsonWriter* w, const VisibleTally& tally) {
  w->Key("visible");
  w->StartObject();
  w->Key("calls");
  WriteCounts(w, tally.calls);
  w->Key("seconds");
  w->StartObject();
  const char* names[2] = {"inbound", "outbound"};
  for (int d = 0; d < 2; ++d) {
    w->Key(names[d]);
    w->StartObject();
    WriteMember(w, "talk", tally.talk[d]);
    WriteMember(w, "hold", tally.hold[d]);
    w->EndObject();
  }
  w->EndObject();
  w->EndObject();
}

void WriteTotals(JsonWriter* w, const Totals& totals) {
  w->StartObject();
  WriteMember(w, "calls", totals.calls);
  WriteMember(w, "answered", totals.answered);
  WriteMember(w, "missed", totals.missed);
  w->EndObject();
}

void WriteStates(JsonWriter* w, const StateTotals& s) {
  w->StartObject();
  WriteMember(w, "login", s.login);
  WriteMember(w, "busy", s.busy[0] + s.busy[1]);
  WriteMember(w, "idle", s.idle);
  WriteMember(w, "pause", s.pause);
  WriteMember(w, "wrapup", s.wrapup[0] + s.wrapup[1]);
  WriteMember(w, "dial", s.dial[0] + s.dial[1]);
  w->EndObject();
}

void WriteList(JsonWriter* w, const std::vector<int64_t>& values) {
  w->StartArray();
  for (int64_t v : values) w->Int64(v);
  w->EndArray();
}

// The visible stage of one call: by agent, campaign and day.
void CountVisible(const Call& call, Truth* truth) {
  AddVisible(call, call.agent >= 0 ? &truth->agents[call.agent].visible
                                   : &truth->unassigned_visible);
  const int direction = call.inbound() ? 0 : 1;
  CampaignTruth& campaign = truth->campaigns[call.campaign];
  ++(call.answered ? campaign.visible_calls[direction].answered
                   : campaign.visible_calls[direction].unanswered);
  if (call.answered && call.inbound()) {
    campaign.visible_queue_wait_seconds.push_back(call.time_to_answer());
  }
  if (call.answered) {
    truth->visible_talk_seconds[direction].push_back(call.talk());
  }
  AddTotals(call, &truth->visible_totals);
}

// The settled stage of one call.
void CountSettled(const Account& account, const Call& call, Truth* truth) {
  const int direction = call.inbound() ? 0 : 1;
  AddCall(
      account, call,
      call.agent >= 0 ? &truth->agents[call.agent].tally : &truth->unassigned);
  CampaignTruth& campaign = truth->campaigns[call.campaign];
  ++(call.answered ? campaign.calls[direction].answered
                   : campaign.calls[direction].unanswered);
  if (call.answered && call.inbound()) {
    campaign.queue_wait_seconds.push_back(call.time_to_answer());
  }
  if (call.answered) truth->talk_seconds[direction].push_back(call.talk());
  ++truth->total_calls;
  if (call.answered) ++truth->total_answered;
  if (!call.answered && call.inbound()) ++truth->total_missed;
}

}  // namespace

Truth ComputeTruth(const Account& account, const DayData& day,
                   const DayData* previous, int64_t until, bool late_data) {
  Truth truth;
  truth.date = day.date;
  truth.until = until;
  truth.unassigned = EmptyTally(account);
  const int64_t state_end = std::min(day.midnight + kDay, until);
  for (size_t i = 0; i < account.agents.size(); ++i) {
    AgentTruth agent;
    agent.id = account.agents[i].id;
    agent.name = account.agents[i].name;
    agent.tally = EmptyTally(account);
    agent.states = ComputeStates(day, previous, static_cast<int>(i),
                                 day.midnight, state_end);
    truth.agents.push_back(std::move(agent));
  }
  for (const std::string& name : account.campaigns) {
    CampaignTruth campaign;
    campaign.name = name;
    truth.campaigns.push_back(std::move(campaign));
  }
  for (const Call& call : day.calls) {
    // The CRM shows an appointment once wrap-up ends, independent of the
    // CDR store's late data.
    if (call.agent >= 0 && call.answered && call.wrap_end <= until &&
        call.disposition == kAppointmentBooked) {
      ++truth.agents[call.agent].appointments;
    }
    if (VisibleAt(call, day, late_data) > until) continue;
    CountVisible(call, &truth);
    if (SettledAt(call, day, late_data) <= until) {
      CountSettled(account, call, &truth);
    }
  }
  return truth;
}

std::string TruthToJson(const Truth& truth) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "date", FormatDate(truth.date));
  WriteMember(&w, "until", truth.until);
  w.Key("agents");
  w.StartObject();
  for (const AgentTruth& agent : truth.agents) {
    WriteKey(&w, agent.id);
    w.StartObject();
    WriteMember(&w, "name", agent.name);
    WriteTally(&w, agent.tally);
    WriteVisible(&w, agent.visible);
    w.Key("state_seconds");
    WriteStates(&w, agent.states);
    WriteMember(&w, "appointments", agent.appointments);
    w.EndObject();
  }
  w.EndObject();
  w.Key("unassigned");
  w.StartObject();
  WriteTally(&w, truth.unassigned);
  WriteVisible(&w, truth.unassigned_visible);
  w.EndObject();
  w.Key("campaigns");
  w.StartObject();
  for (const CampaignTruth& campaign : truth.campaigns) {
    WriteKey(&w, campaign.name);
    w.StartObject();
    w.Key("calls");
    WriteCounts(&w, campaign.calls);
    w.Key("queue_wait_seconds");
    WriteList(&w, campaign.queue_wait_seconds);
    w.Key("visible");
    w.StartObject();
    w.Key("calls");
    WriteCounts(&w, campaign.visible_calls);
    w.Key("queue_wait_seconds");
    WriteList(&w, campaign.visible_queue_wait_seconds);
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
  w.Key("talk_seconds");
  w.StartObject();
  w.Key("inbound");
  WriteList(&w, truth.talk_seconds[0]);
  w.Key("outbound");
  WriteList(&w, truth.talk_seconds[1]);
  w.EndObject();
  w.Key("totals");
  WriteTotals(&w,
              {truth.total_calls, truth.total_answered, truth.total_missed});
  w.Key("visible");
  w.StartObject();
  w.Key("talk_seconds");
  w.StartObject();
  w.Key("inbound");
  WriteList(&w, truth.visible_talk_seconds[0]);
  w.Key("outbound");
  WriteList(&w, truth.visible_talk_seconds[1]);
  w.EndObject();
  w.Key("totals");
  WriteTotals(&w, truth.visible_totals);
  w.EndObject();
  w.EndObject();
  return buffer.GetString();
}

}  // namespace callcenter::sim
