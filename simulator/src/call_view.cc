#include "ozonetel_sim/call_view.h"

#include <algorithm>
#include <cstdio>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/rng.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kLateDataRelease = 3 * 3600;  // 03:00 local, next day

// Fake but stable PII digits for a call.
std::string FakeDigits(uint64_t hash, int count) {
  std::string digits;
  for (int i = 0; i < count; ++i) {
    digits.push_back(static_cast<char>('0' + hash % 10));
    hash /= 10;
  }
  return digits;
}

class RecordWriter {
 public:
  RecordWriter(JsonWriter* writer, const CdrView& view, const Call& call)
      : w_(writer), view_(view), call_(call) {}

  void Write() {
    const bool settled = !call_.answered || call_.wrap_end <= view_.now;
    const std::string caller = "98" + FakeDigits(Mix64(call_.ucid), 8);
    w_->StartObject();
    Id("CallID", call_.call_id);
    Str("CallDate",
        FormatDate(CallDateOf(call_, *view_.day, view_.crossing_call_date)));
    Str("StartTime", TimeOfDay(call_.start));
    Str("EndTime", TimeOfDay(call_.end));
    Str("Duration", FormatDuration(call_.end - call_.start));
    Str("TalkTime", FormatDuration(call_.talk()));
    Str("HandlingTime",
        FormatDuration(settled ? call_.handling() : call_.talk() + call_.hold));
    Str("CallerID", caller);
    Str("DialedNumber", call_.inbound() ? "500994" : caller);
    Str("E164", "+91" + caller);
    Str("DID", "918000000000");
    Str("Location", call_.inbound() ? "Bangalore" : "");
    WriteAgent();
    Str("Skill", Skill());
    Str("CampaignName", view_.account->campaigns[call_.campaign]);
    Str("CallFlow", "");
    Str("Type", TypeText(call_));
    Str("Status", StatusText(call_));
    WriteDialStatuses();
    if (settled) {
      Disposition();
    } else {
      Str("Disposition", "");
    }
    Str("Comments", "");
    Str("HangupBy", HangupBy());
    Str("QueueTime", FormatDuration(call_.inbound() ? call_.queue : 0));
    Str("HoldDuration", FormatDuration(call_.hold_seconds()));
    Str("WrapupDuration", FormatDuration(settled ? call_.wrapup() : 0));
    Str("TimeToAnswer", FormatDuration(call_.time_to_answer()));
    WriteMember(w_, "DialCount", 1);
    Id("UCID", call_.ucid);
    Str("UUI", "");
    Str("CallAudio", call_.answered ? AudioUrl() : "");
    Str("CallerConfAudioFile", "");
    Str("ConferenceDuration", "00:00:00");
    Str("CustomerRingTime", FormatDuration(call_.ring));
    Str("DialOutName", "");
    Str("DynamicDID", "");
    Str("Event", call_.inbound() ? "" : "AgentDial");
    Str("PickupTime", call_.answered ? TimeOfDay(call_.pickup) : "");
    WriteMember(w_, "Rating", 0);
    Str("RatingComments", "");
    Str("TransferType", "");
    Str("TransferredTo", "");
    Str("VideoRecordingURL", "");
    WrapUpEndTime(settled);
    Str("WrapUpStartTime", call_.answered ? TimeOfDay(call_.end) : "");
    w_->EndObject();
  }

 private:
  void Str(std::string_view key, std::string_view value) {
    WriteMember(w_, key, value);
  }

  void Id(std::string_view key, int64_t id) {
    WriteKey(w_, key);
    if (view_.ids_as_strings) {
      WriteString(w_, std::to_string(id));
    } else {
      w_->Int64(id);
    }
  }

  // A call that crosses midnight ends (and wraps up) at 00:xx:xx.
  std::string TimeOfDay(int64_t t) const {
    return FormatDuration((t - view_.day->midnight) % kDay);
  }

  void WrapUpEndTime(bool settled) {
    if (call_.no_wrapup_end) {
      WriteKey(w_, "WrapUpEndTime");
      w_->Null();
      return;
    }
    Str("WrapUpEndTime",
        call_.answered && settled ? TimeOfDay(call_.wrap_end) : "");
  }

  void WriteAgent() {
    if (call_.agent < 0) {
      WriteKey(w_, "AgentID");
      call_.agent_null ? w_->Null() : w_->String("");
      WriteKey(w_, "AgentName");
      call_.agent_null ? w_->Null() : w_->String("");
      return;
    }
    const AgentInfo& agent = view_.account->agents[call_.agent];
    Str("AgentID", agent.id);
    Str("AgentName", agent.name);
  }

  void WriteDialStatuses() {
    const char* customer = call_.answered    ? "answered"
                           : call_.inbound() ? "user_disconnected"
                                             : "not_answered";
    const char* agent = call_.answered                        ? "answered"
                        : call_.agent >= 0 && call_.inbound() ? "not_answered"
                        : call_.inbound()                     ? ""
                                                              : "answered";
    Str("DialStatus", customer);
    Str("AgentDialStatus", agent);
    Str("CustomerDialStatus", customer);
  }

  void Disposition() {
    WriteKey(w_, "Disposition");
    if (call_.disposition == kDispositionNull) {
      w_->Null();
    } else {
      WriteString(w_, DispositionText(*view_.account, call_));
    }
  }

  std::string Skill() const {
    if (!call_.inbound()) return "";
    return call_.campaign == kInboundMain ? "General" : "Support";
  }

  std::string HangupBy() const {
    if (!call_.answered) return call_.inbound() ? "UserHangup" : "AgentHangup";
    return Mix64(call_.call_id) % 3 == 0 ? "AgentHangup" : "UserHangup";
  }

  std::string AudioUrl() const {
    return "https://s3.ap-southeast-1.amazonaws.com/recordings.kookoo.in/" +
           view_.account->user_name + "/" + std::to_string(call_.ucid) + ".mp3";
  }

  JsonWriter* w_;
  const CdrView& view_;
  const Call& call_;
};

}  // namespace

int64_t VisibleAt(const Call& call, const DayData& day, bool late_data) {
  if (late_data && call.late) {
    return std::max(call.end, day.midnight + kDay + kLateDataRelease);
  }
  return call.end;
}

int64_t SettledAt(const Call& call, const DayData& day, bool late_data) {
  const int64_t visible = VisibleAt(call, day, late_data);
  return call.answered ? std::max(visible, call.wrap_end) : visible;
}

Date CallDateOf(const Call& call, const DayData& day, CrossingCallDate rule) {
  const bool crosses = call.end >= day.midnight + kDay;
  return crosses && rule == CrossingCallDate::kEnd ? AddDays(day.date, 1)
                                                   : day.date;
}

void WriteCdrRecord(JsonWriter* writer, const CdrView& view, const Call& call) {
  RecordWriter(writer, view, call).Write();
}

std::string TypeText(const Call& call) {
  switch (call.type) {
    case CallType::kInBound:
      return call.lower_case ? "inbound" : "InBound";
    case CallType::kManual:
      return "Manual";
    case CallType::kProgressive:
      return "Progressive";
    case CallType::kPreview:
      return "Preview";
  }
  return "";
}

std::string StatusText(const Call& call) {
  if (call.answered) return call.lower_case ? "answered" : "Answered";
  return call.lower_case ? "unanswered" : "Unanswered";
}

std::string DispositionText(const Account& account, const Call& call) {
  if (call.disposition < 0) return "";
  return account.dispositions[call.disposition];
}

}  // namespace callcenter::sim
