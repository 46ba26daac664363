// Parsed Ozonetel records, reduced to the fields the exporter uses. PII
// fields (caller numbers, comments, recordings) are never kept.
#ifndef CALLCENTER_OZONETEL_RECORDS_H_
#define CALLCENTER_OZONETEL_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "callcenter/common/timeutil.h"

namespace callcenter::ozonetel {

// One fetchCDRDetails record (§4.4).
struct CdrRecord {
  // Decimal text of CallID/UCID exactly as sent (JSON number or string); the
  // 17-digit ids exceed 2^53, so they never pass through a double. "" if
  // absent or null.
  std::string call_id;
  std::string ucid;
  std::optional<Date> call_date;  // CallDate
  // Seconds after midnight of call_date; nullopt when absent, null or "".
  std::optional<int64_t> start_time, end_time, pickup_time;
  std::string wrapup_end_time;  // raw WrapUpEndTime ("" when absent/null)
  // Strings; null and absent become "". Numbers keep their JSON text.
  std::string agent_id, agent_name, campaign, type, status, disposition;
  // Seconds. A key that is present but null, "" or not "H+:MM:SS" reads as 0
  // and counts in `invalid_fields`; an absent key reads as 0 silently.
  int64_t duration = 0, talk = 0, hold = 0, wrapup = 0, handling = 0,
          queue_time = 0, time_to_answer = 0;
  // Also counts non-empty CallDate/StartTime/EndTime/PickupTime that do not
  // parse.
  int invalid_fields = 0;
};

// One summaryReport row (§6): per agent x CallDate x ModeType.
struct SummaryRow {
  std::string agent_name, agent_incr_id, agent_unique_id, mode_type;
  std::optional<Date> call_date;
  // Seconds from TotalLoginDuration, TotalBusyTime, TotalIdleTime,
  // TotalPauseTime, TotalWrapupTime, TotalDialTime (null/"" → 0).
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
