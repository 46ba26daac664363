#include "cdr_body.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace callcenter::bench {
namespace {

constexpr int64_t kFirstCallId = 31733467784618213;
constexpr int64_t kFirstUcid = 41733467784618213;
constexpr int64_t kDaySpread = 82000;  // starts from 00:01 to about 22:48
constexpr std::array<const char*, 6> kDispositions = {
    "APPOINTMENT_BOOKED",   "CALLBACK",     "NOT_INTERESTED",
    "INFORMATION_PROVIDED", "WRONG_NUMBER", "WRAP_UP_EXCEEDED"};
constexpr std::array<const char*, 4> kCampaigns = {
    "Inbound_Main", "Inbound_Support", "Outbound_Sales", "Outbound_Followup"};

std::string Clock(int64_t seconds) {
  char text[16];
  std::snprintf(
      text, sizeof(text), "%02d:%02d:%02d", static_cast<int>(seconds / 3600),
      static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return text;
}

std::string Digits(uint64_t seed, int count) {
  std::string digits;
  for (int i = 0; i < count; ++i) {
    digits.push_back(static_cast<char>('0' + seed % 10));
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    seed >>= 1;
  }
  return digits;
}

// Appends "key":"value" (with the separating comma unless first).
void Member(std::string* out, std::string_view key, std::string_view value) {
  if (out->back() != '{') out->push_back(',');
  out->append("\"").append(key).append("\":\"").append(value).append("\"");
}

void Number(std::string* out, std::string_view key, int64_t value) {
  if (out->back() != '{') out->push_back(',');
  out->append("\"").append(key).append("\":").append(std::to_string(value));
}

// The times of one synthetic call, in seconds after midnight.
struct CallShape {
  bool inbound, answered;
  int64_t start, queue, ring, talk, hold, wrapup, end;
};

CallShape Shape(size_t index, size_t records) {
  const int64_t i = static_cast<int64_t>(index);
  CallShape call{};
  call.inbound = i % 3 != 2;
  call.answered = i % 5 != 4;
  call.start = 60 + i * kDaySpread / static_cast<int64_t>(records);
  call.queue = call.inbound ? i % 40 : 0;
  call.ring = 5 + i % 20;
  call.talk = call.answered ? 30 + (i * 37) % 1100 : 0;
  call.hold = call.answered && i % 7 == 0 ? 10 + i % 100 : 0;
  call.wrapup = call.answered ? 5 + i % 85 : 0;
  call.end = call.start + call.queue + call.ring + call.talk + call.hold;
  return call;
}

void AppendIdentity(std::string* out, size_t index, const CdrBodySpec& spec,
                    const CallShape& call) {
  const std::string caller = "98" + Digits(index, 8);
  char agent[32];
  std::snprintf(agent, sizeof(agent), "%04d",
                static_cast<int>(index % static_cast<size_t>(spec.agents)) + 1);
  Member(out, "CallerID", caller);
  Member(out, "DialedNumber", call.inbound ? "500994" : caller);
  Member(out, "E164", "+91" + caller);
  Member(out, "DID", "918000000000");
  Member(out, "Location", call.inbound ? "Bangalore" : "");
  Member(out, "AgentID", std::string("agent") + agent);
  Member(out, "AgentName", std::string("Agent ") + agent);
  Member(out, "Skill", call.inbound ? "General" : "");
  Member(out, "CampaignName", kCampaigns[index % 2 + (call.inbound ? 0 : 2)]);
  Member(out, "CallFlow", "");
  Member(out, "Type", call.inbound ? "InBound" : "Progressive");
  Member(out, "Status", call.answered ? "Answered" : "Unanswered");
  const char* dial = call.answered ? "answered" : "not_answered";
  Member(out, "DialStatus", dial);
  Member(out, "AgentDialStatus", dial);
  Member(out, "CustomerDialStatus", dial);
  Member(out, "Disposition", call.answered ? kDispositions[index % 6] : "");
  Member(out, "Comments", "");
  Member(out, "HangupBy", index % 3 == 0 ? "AgentHangup" : "UserHangup");
}

void AppendTail(std::string* out, size_t index, const CallShape& call) {
  const int64_t ucid = kFirstUcid + static_cast<int64_t>(index);
  Member(out, "QueueTime", Clock(call.queue));
  Member(out, "HoldDuration", Clock(call.hold));
  Member(out, "WrapupDuration", Clock(call.wrapup));
  Member(out, "TimeToAnswer",
         Clock(call.answered ? call.queue + call.ring : 0));
  Number(out, "DialCount", 1);
  Number(out, "UCID", ucid);
  Member(out, "UUI", "");
  Member(out, "CallAudio",
         call.answered ? "https://s3.ap-southeast-1.amazonaws.com/"
                         "recordings.kookoo.in/acme/" +
                             std::to_string(ucid) + ".mp3"
                       : "");
  Member(out, "CallerConfAudioFile", "");
  Member(out, "ConferenceDuration", "00:00:00");
  Member(out, "CustomerRingTime", Clock(call.ring));
  Member(out, "DialOutName", "");
  Member(out, "DynamicDID", "");
  Member(out, "Event", call.inbound ? "" : "AgentDial");
  Member(out, "PickupTime",
         call.answered ? Clock(call.start + call.queue + call.ring) : "");
  Number(out, "Rating", 0);
  Member(out, "RatingComments", "");
  Member(out, "TransferType", "");
  Member(out, "TransferredTo", "");
  Member(out, "VideoRecordingURL", "");
  Member(out, "WrapUpEndTime",
         call.answered ? Clock(call.end + call.wrapup) : "");
  Member(out, "WrapUpStartTime", call.answered ? Clock(call.end) : "");
}

}  // namespace

CdrBodyStream::CdrBodyStream(CdrBodySpec spec, size_t chunk_bytes)
    : spec_(std::move(spec)), chunk_bytes_(chunk_bytes) {}

void CdrBodyStream::AppendRecord(size_t index) {
  const CallShape call = Shape(index, spec_.records);
  if (index > 0) pending_.push_back(',');
  pending_.push_back('{');
  Number(&pending_, "CallID", kFirstCallId + static_cast<int64_t>(index));
  Member(&pending_, "CallDate", spec_.date);
  Member(&pending_, "StartTime", Clock(call.start));
  Member(&pending_, "EndTime", Clock(call.end));
  Member(&pending_, "Duration", Clock(call.end - call.start));
  Member(&pending_, "TalkTime", Clock(call.talk));
  Member(&pending_, "HandlingTime", Clock(call.talk + call.hold + call.wrapup));
  AppendIdentity(&pending_, index, spec_, call);
  AppendTail(&pending_, index, call);
  pending_.push_back('}');
}

std::string_view CdrBodyStream::Next() {
  if (!head_done_) {
    pending_ = R"({"status":"success","message":"","details":[)";
    head_done_ = true;
  }
  while (pending_.size() < chunk_bytes_ && next_record_ < spec_.records) {
    AppendRecord(next_record_++);
  }
  if (next_record_ == spec_.records && !tail_done_) {
    pending_.append("]}");
    tail_done_ = true;
  }
  const size_t n = std::min(chunk_bytes_, pending_.size());
  chunk_.assign(pending_, 0, n);
  pending_.erase(0, n);
  bytes_out_ += n;
  return chunk_;
}

std::string CdrBody(const CdrBodySpec& spec) {
  CdrBodyStream stream(spec, 1 << 20);
  std::string body;
  for (std::string_view piece = stream.Next(); !piece.empty();
       piece = stream.Next()) {
    body.append(piece);
  }
  return body;
}

}  // namespace callcenter::bench
