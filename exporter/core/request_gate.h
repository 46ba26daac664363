// The seam between API clients and the request budgets. A client asks the
// gate before every HTTP request it sends (first tries, retries and token
// generations alike), so no code path can exceed a configured limit, and a
// request whose sending could not be recorded on disk is never sent.
#ifndef CALLCENTER_CORE_REQUEST_GATE_H_
#define CALLCENTER_CORE_REQUEST_GATE_H_

#include <optional>
#include <string>

#include "callcenter/common/clock.h"

namespace callcenter::core {

enum class Admission {
  kGranted,     // send now; the request is on record
  kStopped,     // the exporter is shutting down: send nothing
  kUnrecorded,  // the request history cannot be written: send nothing
};

class RequestGate {
 public:
  virtual ~RequestGate() = default;
  // Blocks until one request of `family` ("cdr", "crm", ...) may be sent
  // and records it.
  virtual Admission Acquire(const std::string& family) = 0;
  // The upstream said "rate limited": send nothing more in this family
  // until `retry_after` (when the answer named it) or a full window passed.
  virtual void OnRateLimited(const std::string& family,
                             std::optional<Seconds> retry_after) = 0;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_REQUEST_GATE_H_
