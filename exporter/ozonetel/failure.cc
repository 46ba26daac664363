#include "ozonetel/failure.h"

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

const std::vector<std::string>& FailureReasonNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (FailureReason reason : {FailureReason::kRateLimited,
                                 FailureReason::kHttp, FailureReason::kTimeout,
                                 FailureReason::kAuth, FailureReason::kParse}) {
      out.emplace_back(FailureReasonName(reason));
    }
    return out;
  }();
  return names;
}

}  // namespace callcenter::ozonetel
