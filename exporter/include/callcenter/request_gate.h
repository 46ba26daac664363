// The seam between API clients and the request budgets. A client asks the
// gate before every HTTP request it sends (first tries, retries and token
// generations alike), so no code path can exceed a configured limit.
#ifndef CALLCENTER_REQUEST_GATE_H_
#define CALLCENTER_REQUEST_GATE_H_

#include <string_view>

namespace callcenter {

// API families, each with its own budget. Endpoints that share a vendor
// quota (fetchCDRDetails, fetchCdrByPagination) share a family.
enum class ApiFamily { kCdr, kSummary, kAht, kToken, kCrm };

std::string_view ApiFamilyName(ApiFamily family);  // "cdr", "summary", ...

class RequestGate {
 public:
  virtual ~RequestGate() = default;
  // Blocks until one request of `family` may be sent and records it.
  // Returns false only when the exporter is shutting down.
  virtual bool Acquire(ApiFamily family) = 0;
  // The upstream said "rate limited": send nothing more in this family
  // until the current window has passed.
  virtual void OnRateLimited(ApiFamily family) = 0;
};

}  // namespace callcenter

#endif  // CALLCENTER_REQUEST_GATE_H_
