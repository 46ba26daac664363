// How a call looks through the API at a given instant: when its record
// becomes visible, when it is settled, and its CDR JSON.
#ifndef OZONETEL_SIM_CALL_VIEW_H_
#define OZONETEL_SIM_CALL_VIEW_H_

#include <cstdint>
#include <string>

#include "ozonetel_sim/account.h"
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/options.h"
#include "ozonetel_sim/traffic.h"

namespace callcenter::sim {

// Under --late-data, late records of a day stay hidden until 03:00 local of
// the next day (§11); otherwise a record appears when the call ends.
int64_t VisibleAt(const Call& call, const DayData& day, bool late_data);
// When the record reaches its final form: visible and, for answered calls,
// wrap-up over (Disposition, WrapupDuration, HandlingTime and, unless the
// call is one of --no-wrapup-end-rate's, WrapUpEndTime filled in).
int64_t SettledAt(const Call& call, const DayData& day, bool late_data);
// The record's CallDate: the start day, or for a call that ends after the
// next midnight the day the view's rule names.
Date CallDateOf(const Call& call, const DayData& day, CrossingCallDate rule);

struct CdrView {
  const Account* account = nullptr;
  const DayData* day = nullptr;  // the day the call started on
  int64_t now = 0;
  bool ids_as_strings = false;
  CrossingCallDate crossing_call_date = CrossingCallDate::kEnd;
};

// Writes the 47-key record (§4.4 order) as the API shows it at view.now.
void WriteCdrRecord(JsonWriter* writer, const CdrView& view, const Call& call);

std::string TypeText(const Call& call);
std::string StatusText(const Call& call);
// The disposition text; "" for empty and null.
std::string DispositionText(const Account& account, const Call& call);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_CALL_VIEW_H_
