// How one upstream request ended, for any API whose failures are classified
// by a closed `Reason` enum (ozonetel::FailureReason, crm::FailureReason):
// the enum's names are the `reason` label values of that API's failure
// counter.
#ifndef CALLCENTER_CORE_REQUEST_OUTCOME_H_
#define CALLCENTER_CORE_REQUEST_OUTCOME_H_

#include <optional>
#include <string>
#include <utility>

#include "callcenter/common/clock.h"

namespace callcenter::core {

template <typename Reason>
struct BasicFailure {
  Reason reason;
  std::string message;  // the upstream's message or a transport error;
                        // never a secret
  int http_status = 0;  // 0 when no response arrived
  std::optional<Seconds> retry_after;  // from a Retry-After header
};

template <typename Reason>
struct BasicOutcome {
  std::optional<BasicFailure<Reason>> failure;
  // Nothing was sent: the exporter is shutting down (cancelled), or the
  // request could not be recorded in the request history (unrecorded).
  // Neither is a request failure to count.
  bool cancelled = false;
  bool unrecorded = false;

  bool ok() const { return !failure && !cancelled && !unrecorded; }

  static BasicOutcome Ok() { return {}; }
  static BasicOutcome Cancelled() {
    BasicOutcome outcome;
    outcome.cancelled = true;
    return outcome;
  }
  static BasicOutcome Unrecorded() {
    BasicOutcome outcome;
    outcome.unrecorded = true;
    return outcome;
  }
  static BasicOutcome Fail(Reason reason, std::string message,
                           int http_status = 0) {
    BasicOutcome outcome;
    outcome.failure =
        BasicFailure<Reason>{reason, std::move(message), http_status, {}};
    return outcome;
  }
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_REQUEST_OUTCOME_H_
