// How one Ozonetel API call ended. Reasons are the `reason` label values of
// ozonetel_api_request_failures_total, so they are a closed set.
#ifndef CALLCENTER_OZONETEL_FAILURE_H_
#define CALLCENTER_OZONETEL_FAILURE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/request_outcome.h"

namespace callcenter::ozonetel {

enum class FailureReason { kRateLimited, kHttp, kTimeout, kAuth, kParse };

// "rate_limited", "http", "timeout", "auth", "parse".
std::string_view FailureReasonName(FailureReason reason);
// Every reason name, for ApiHealth to pre-set at 0.
const std::vector<std::string>& FailureReasonNames();

using Failure = core::BasicFailure<FailureReason>;
using Outcome = core::BasicOutcome<FailureReason>;

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_FAILURE_H_
