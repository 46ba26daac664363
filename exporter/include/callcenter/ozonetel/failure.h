// How one Ozonetel API call ended. Reasons are the `reason` label values of
// ozonetel_api_request_failures_total, so they are a closed set.
#ifndef CALLCENTER_OZONETEL_FAILURE_H_
#define CALLCENTER_OZONETEL_FAILURE_H_

#include <optional>
#include <string>
#include <string_view>

namespace callcenter::ozonetel {

enum class FailureReason { kRateLimited, kHttp, kTimeout, kAuth, kParse };

// "rate_limited", "http", "timeout", "auth", "parse".
std::string_view FailureReasonName(FailureReason reason);

struct Failure {
  FailureReason reason;
  std::string
      message;  // the vendor's `message` or a transport error; no secrets
  int http_status = 0;  // 0 when no response arrived
};

struct Outcome {
  std::optional<Failure> failure;
  // RequestGate::Acquire returned false (shutdown): nothing was sent and
  // nothing was learned. Not ok(), yet not a failure to count.
  bool cancelled = false;

  bool ok() const { return !failure && !cancelled; }

  static Outcome Ok() { return {}; }
  static Outcome Cancelled() {
    Outcome outcome;
    outcome.cancelled = true;
    return outcome;
  }
  static Outcome Fail(FailureReason reason, std::string message,
                      int http_status = 0) {
    Outcome outcome;
    outcome.failure = Failure{reason, std::move(message), http_status};
    return outcome;
  }
};

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_FAILURE_H_
