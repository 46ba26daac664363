// How one upstream request ended, for any API whose failures are classified
// by a closed `Reason` enum (ozonetel::FailureReason, crm::FailureReason):
// the enum's names are the `reason` label values of that API's failure
// counter.
#ifndef CALLCENTER_REQUEST_OUTCOME_H_
#define CALLCENTER_REQUEST_OUTCOME_H_

#include <optional>
#include <string>
#include <utility>

namespace callcenter {

template <typename Reason>
struct BasicFailure {
  Reason reason;
  std::string message;  // the upstream's message or a transport error;
                        // never a secret
  int http_status = 0;  // 0 when no response arrived
};

template <typename Reason>
struct BasicOutcome {
  std::optional<BasicFailure<Reason>> failure;
  // RequestGate::Acquire returned false (shutdown): nothing was sent and
  // nothing was learned. Not ok(), yet not a failure to count.
  bool cancelled = false;

  bool ok() const { return !failure && !cancelled; }

  static BasicOutcome Ok() { return {}; }
  static BasicOutcome Cancelled() {
    BasicOutcome outcome;
    outcome.cancelled = true;
    return outcome;
  }
  static BasicOutcome Fail(Reason reason, std::string message,
                           int http_status = 0) {
    BasicOutcome outcome;
    outcome.failure =
        BasicFailure<Reason>{reason, std::move(message), http_status};
    return outcome;
  }
};

}  // namespace callcenter

#endif  // CALLCENTER_REQUEST_OUTCOME_H_
