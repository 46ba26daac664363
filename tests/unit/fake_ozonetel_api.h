// An in-memory Ozonetel API for poller tests. It answers CDR queries from a
// list of records, honouring the [from, to] window on start time the way
// the vendor does, and records every query.
#ifndef CALLCENTER_TESTS_UNIT_FAKE_OZONETEL_API_H_
#define CALLCENTER_TESTS_UNIT_FAKE_OZONETEL_API_H_

#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/timeutil.h"
#include "callcenter/ozonetel/client.h"

namespace callcenter::testing {

class FakeOzonetelApi : public ozonetel::Api {
 public:
  explicit FakeOzonetelApi(Seconds tz) : tz_(tz) {}

  ozonetel::Outcome FetchCdrs(
      const ozonetel::CdrQuery& query,
      const std::function<void(ozonetel::CdrRecord&&)>& on_record) override {
    cdr_queries.push_back(query);
    const auto from = ParseLocalDateTime(query.from, tz_);
    const auto to = ParseLocalDateTime(query.to, tz_);
    size_t delivered = 0;
    for (const auto& record : records) {
      const TimePoint start =
          LocalMidnight(*record.call_date, tz_) + Seconds(*record.start_time);
      if (start < *from || start > *to) continue;
      // A failure after `deliver_before_failure` records mimics a body
      // truncated mid-stream.
      if (next_failure && delivered == deliver_before_failure) break;
      ozonetel::CdrRecord copy = record;
      on_record(std::move(copy));
      ++delivered;
    }
    if (next_failure) {
      auto failure = *next_failure;
      next_failure.reset();
      return ozonetel::Outcome::Fail(failure, "injected");
    }
    return ozonetel::Outcome::Ok();
  }

  ozonetel::Outcome FetchSummary(
      const ozonetel::SummaryQuery& query,
      std::vector<ozonetel::SummaryRow>* rows) override {
    summary_queries.push_back(query);
    *rows = summary_rows;
    if (next_failure) {
      auto failure = *next_failure;
      next_failure.reset();
      return ozonetel::Outcome::Fail(failure, "injected");
    }
    return ozonetel::Outcome::Ok();
  }

  ozonetel::Outcome FetchAgentAht(const std::string& agent_id,
                                  ozonetel::AhtValue* out) override {
    aht_targets.push_back("agent:" + agent_id);
    out->id = agent_id;
    out->seconds = 100 + static_cast<int64_t>(aht_targets.size());
    return ozonetel::Outcome::Ok();
  }

  ozonetel::Outcome FetchCampaignAht(const std::string& campaign,
                                     ozonetel::AhtValue* out) override {
    aht_targets.push_back("campaign:" + campaign);
    out->id = campaign;
    out->seconds = 50;
    return ozonetel::Outcome::Ok();
  }

  std::vector<ozonetel::CdrRecord> records;
  std::vector<ozonetel::SummaryRow> summary_rows;
  std::vector<ozonetel::CdrQuery> cdr_queries;
  std::vector<ozonetel::SummaryQuery> summary_queries;
  std::vector<std::string> aht_targets;
  std::optional<ozonetel::FailureReason> next_failure;
  size_t deliver_before_failure = 0;

 private:
  Seconds tz_;
};

// A settled answered inbound record, started at `hhmmss` on `date`.
inline ozonetel::CdrRecord MakeRecord(const std::string& id,
                                      const std::string& date,
                                      const std::string& hhmmss,
                                      const std::string& agent = "agent01") {
  ozonetel::CdrRecord record;
  record.call_id = id;
  record.call_date = ParseDate(date);
  record.start_time = ParseTimeOfDay(hhmmss);
  record.agent_id = agent;
  record.agent_name = "Name of " + agent;
  record.type = "InBound";
  record.status = "Answered";
  record.disposition = "APPOINTMENT_BOOKED";
  record.campaign = "Inbound_Main";
  record.duration = 60;
  record.talk = 50;
  record.hold = 2;
  record.wrapup = 8;
  record.handling = 60;
  record.time_to_answer = 12;
  record.wrapup_end_time = "later";
  return record;
}

}  // namespace callcenter::testing

#endif  // CALLCENTER_TESTS_UNIT_FAKE_OZONETEL_API_H_
