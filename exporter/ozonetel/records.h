// Parsed Ozonetel records, reduced to the fields the exporter uses. PII
// fields (caller numbers, comments, recordings) are never kept, and the
// parser keeps nothing it does not use.
#ifndef CALLCENTER_OZONETEL_RECORDS_H_
#define CALLCENTER_OZONETEL_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "callcenter/common/timeutil.h"

namespace callcenter::ozonetel {

// The longest duration a record may carry: nothing in a contact centre
// lasts a week, and a larger value would poison a counter for good.
inline constexpr int64_t kMaxRecordDuration = int64_t{7} * 86400;

// One fetchCDRDetails record (ozonetel-api.md §4.4).
struct CdrRecord {
  // CallID as a compact 64-bit id (core::CompactId): the 17-digit decimal
  // ids are their own value and never pass through a double. nullopt when
  // absent, null or "".
  std::optional<uint64_t> call_id;
  std::optional<Date> call_date;  // CallDate
  // Seconds after midnight; nullopt when absent, null or "".
  std::optional<int64_t> start_time, end_time;
  bool has_wrapup_end = false;  // a WrapUpEndTime time of day was given
  // Strings; null and absent become "". Numbers keep their JSON text.
  std::string agent_id, agent_name, campaign, disposition;
  bool inbound = false;   // Type is InBound, in any case
  bool answered = false;  // Status is Answered, in any case
  // Seconds, 0 to kMaxRecordDuration. A key that is present but null, "",
  // not "H+:MM:SS" or out of range reads as 0 and counts in
  // `invalid_fields`; an absent key reads as 0 silently.
  int64_t duration = 0, talk = 0, hold = 0, wrapup = 0, handling = 0,
          queue_time = 0, time_to_answer = 0;
  // Also counts non-empty CallDate/StartTime/EndTime/WrapUpEndTime that do
  // not parse or lie outside their range.
  int invalid_fields = 0;
};

// One summaryReport row (§6): per agent x CallDate x ModeType.
struct SummaryRow {
  std::string agent_name, agent_incr_id, agent_unique_id, mode_type;
  std::optional<Date> call_date;
  // Seconds from TotalLoginDuration, TotalBusyTime, TotalIdleTime,
  // TotalPauseTime, TotalWrapupTime, TotalDialTime (null/"" -> 0; -1 when
  // the value was not a duration of at most a day: unknown).
  int64_t login = 0, busy = 0, idle = 0, pause = 0, wrapup = 0, dial = 0;
};

// One aht answer (§7): AgentID/AgentName or CampaignID/CampaignName.
struct AhtValue {
  std::string id;
  std::string name;
  int64_t seconds = 0;
};

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_RECORDS_H_
