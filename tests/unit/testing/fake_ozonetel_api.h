// An in-memory Ozonetel API for poller tests. It answers CDR queries from a
// list of calls, selecting by start time within [from, to] the way the
// vendor does, draws from a RequestGate first when given one (as the real
// client does), and records every query.
#ifndef CALLCENTER_TESTS_UNIT_TESTING_FAKE_OZONETEL_API_H_
#define CALLCENTER_TESTS_UNIT_TESTING_FAKE_OZONETEL_API_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/timeutil.h"
#include "core/day_ledger.h"
#include "core/request_gate.h"
#include "ozonetel/client.h"

namespace callcenter::test {

inline const Seconds kIst{5 * 3600 + 30 * 60};

inline TimePoint At(const std::string& local) {
  return *ParseLocalDateTime(local, kIst);
}

struct FakeCall {
  TimePoint start;  // what the vendor selects on
  ozonetel::CdrRecord record;
};

// An answered inbound call of 60 s with its wrap-up done, started at
// `local` ("YYYY-MM-DD HH:MM:SS", IST).
inline FakeCall SettledCall(const std::string& id, const std::string& local,
                            const std::string& agent = "agent01") {
  FakeCall call;
  call.start = At(local);
  ozonetel::CdrRecord& r = call.record;
  r.call_id = core::CompactId(id);
  r.call_date = ParseDate(local.substr(0, 10));
  r.start_time = ParseTimeOfDay(local.substr(11));
  r.end_time = (*r.start_time + 60) % 86400;
  r.has_wrapup_end = true;
  r.agent_id = agent;
  r.agent_name = "Name of " + agent;
  r.inbound = true;
  r.answered = true;
  r.disposition = "APPOINTMENT_BOOKED";
  r.campaign = "Inbound_Main";
  r.duration = 60;
  r.talk = 50;
  r.hold = 2;
  r.wrapup = 8;
  r.handling = 60;
  r.time_to_answer = 12;
  return call;
}

class FakeOzonetelApi final : public ozonetel::Api {
 public:
  explicit FakeOzonetelApi(core::RequestGate* gate = nullptr) : gate(gate) {}

  ozonetel::Outcome FetchCdrs(
      const ozonetel::CdrQuery& query,
      const std::function<bool(ozonetel::CdrRecord&&)>& on_record) override {
    cdr_queries.push_back(query);
    if (auto refused = Admit(ozonetel::kCdrApi)) return *refused;
    ++cdr_requests;
    if (std::optional<ozonetel::Failure> failure = NextFailure(&cdr_failures)) {
      ozonetel::Outcome outcome;
      outcome.failure = failure;
      return outcome;
    }
    const TimePoint from = *ParseLocalDateTime(query.from, kIst);
    const TimePoint to = *ParseLocalDateTime(query.to, kIst);
    size_t delivered = 0;
    for (const FakeCall& call : calls) {
      if (call.start < from || call.start > to) continue;
      if (truncate_after && delivered == *truncate_after) {
        truncate_after.reset();
        return ozonetel::Outcome::Fail(ozonetel::FailureReason::kParse,
                                       "the body ended inside the document");
      }
      ozonetel::CdrRecord copy = call.record;
      if (!on_record(std::move(copy))) {
        return ozonetel::Outcome::Fail(ozonetel::FailureReason::kParse,
                                       "stopped by the record reader");
      }
      ++delivered;
    }
    return ozonetel::Outcome::Ok();
  }

  ozonetel::Outcome FetchSummary(const ozonetel::SummaryQuery& query,
                                 std::vector<ozonetel::SummaryRow>* rows,
                                 int* invalid_fields) override {
    summary_queries.push_back(query);
    rows->clear();
    *invalid_fields = 0;
    if (auto refused = Admit(ozonetel::kSummaryApi)) return *refused;
    if (std::optional<ozonetel::Failure> failure =
            NextFailure(&summary_failures)) {
      ozonetel::Outcome outcome;
      outcome.failure = failure;
      return outcome;
    }
    *rows = summary_rows;
    *invalid_fields = summary_invalid_fields;
    return ozonetel::Outcome::Ok();
  }

  ozonetel::Outcome FetchAgentAht(const std::string& agent_id,
                                  ozonetel::AhtValue* out) override {
    return Aht("agent:" + agent_id, agent_id, out);
  }
  ozonetel::Outcome FetchCampaignAht(const std::string& campaign,
                                     ozonetel::AhtValue* out) override {
    return Aht("campaign:" + campaign, campaign, out);
  }
  ozonetel::Outcome FetchAgentDetails(const std::string& agent_id,
                                      ozonetel::AgentDetails* out) override {
    out->agent_id = agent_id;
    out->status = "Ready";
    return ozonetel::Outcome::Ok();
  }

  // What the fake holds and saw.
  std::vector<FakeCall> calls;
  std::vector<ozonetel::CdrQuery> cdr_queries;
  int cdr_requests = 0;  // queries actually "sent" (admitted by the gate)
  // Failures answered in turn before any data: each is used once.
  std::vector<ozonetel::Failure> cdr_failures;
  // Deliver this many records of the next answer, then fail it as a
  // truncated body (once).
  std::optional<size_t> truncate_after;

  std::vector<ozonetel::SummaryRow> summary_rows;
  int summary_invalid_fields = 0;
  std::vector<ozonetel::SummaryQuery> summary_queries;
  std::vector<ozonetel::Failure> summary_failures;

  // Drawn from before every request, as the real client does; may be null.
  core::RequestGate* gate;

  std::vector<std::string> aht_targets;
  // Per target ("agent:ID", "campaign:NAME"): failures answered each time.
  std::map<std::string, ozonetel::Failure> aht_failures;

 private:
  std::optional<ozonetel::Outcome> Admit(const std::string& family) {
    if (gate == nullptr) return std::nullopt;
    switch (gate->Acquire(family)) {
      case core::Admission::kGranted:
        return std::nullopt;
      case core::Admission::kStopped:
        return ozonetel::Outcome::Cancelled();
      case core::Admission::kUnrecorded:
        return ozonetel::Outcome::Unrecorded();
    }
    return std::nullopt;
  }

  static std::optional<ozonetel::Failure> NextFailure(
      std::vector<ozonetel::Failure>* failures) {
    if (failures->empty()) return std::nullopt;
    ozonetel::Failure failure = failures->front();
    failures->erase(failures->begin());
    return failure;
  }

  ozonetel::Outcome Aht(const std::string& target, const std::string& id,
                        ozonetel::AhtValue* out) {
    aht_targets.push_back(target);
    if (auto refused = Admit(ozonetel::kAhtApi)) return *refused;
    if (auto it = aht_failures.find(target); it != aht_failures.end()) {
      ozonetel::Outcome outcome;
      outcome.failure = it->second;
      return outcome;
    }
    out->id = id;
    out->seconds = 100 + static_cast<int64_t>(aht_targets.size());
    return ozonetel::Outcome::Ok();
  }
};

inline ozonetel::Failure Failure(ozonetel::FailureReason reason,
                                 std::string message, int http_status = 0) {
  return ozonetel::Failure{reason, std::move(message), http_status, {}};
}

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_TESTING_FAKE_OZONETEL_API_H_
