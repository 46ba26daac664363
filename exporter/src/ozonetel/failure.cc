#include "callcenter/ozonetel/failure.h"

namespace callcenter::ozonetel {

std::string_view FailureReasonName(FailureReason reason) {
  switch (reason) {
    case FailureReason::kRateLimited:
      return "rate_limited";
    case FailureReason::kHttp:
      return "http";
    case FailureReason::kTimeout:
      return "timeout";
    case FailureReason::kAuth:
      return "auth";
    case FailureReason::kParse:
      return "parse";
  }
  return "unknown";
}

}  // namespace callcenter::ozonetel
