// The CRM GraphQL client (ozonetel-api.md §12): one interface for the CRM
// poller, one implementation over an HTTP Transport. One FetchPage is one
// HTTP request, and every request first draws from the RequestGate (family
// "crm"), so paging can never exceed the budget. The client never sleeps,
// retries or logs; failures carry no key.
#ifndef CALLCENTER_CRM_API_H_
#define CALLCENTER_CRM_API_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_client.h"
#include "core/request_gate.h"
#include "core/request_outcome.h"

namespace callcenter::crm {

// The `reason` label values of crm_api_request_failures_total.
enum class FailureReason {
  kHttp,
  kTimeout,
  kAuth,
  kParse,
  kGraphql,
  kRateLimited
};

// "http", "timeout", "auth", "parse", "graphql", "rate_limited".
std::string_view FailureReasonName(FailureReason reason);
// Every reason name, for ApiHealth to pre-set at 0.
const std::vector<std::string>& FailureReasonNames();

using Failure = core::BasicFailure<FailureReason>;
using Outcome = core::BasicOutcome<FailureReason>;

// The budget family and health api of CRM requests.
inline constexpr char kCrmApi[] = "crm";

// One `edges[].node`, reduced to what counting needs.
struct Appointment {
  std::string id;     // as text: numeric ids keep their digits exactly
  std::string agent;  // the agent field's text; "" when absent or null
  std::optional<TimePoint> created;  // nullopt when absent or unparseable
};

struct PageRequest {
  TimePoint from;                    // GraphQL $from, RFC 3339 UTC
  TimePoint to;                      // GraphQL $to
  std::optional<std::string> after;  // $after: nullopt (null) on page one
};

struct Page {
  std::vector<Appointment> nodes;  // nodes with an id, in response order
  int nodes_without_id = 0;        // skipped: they cannot be deduplicated
  bool has_next_page = false;
  std::string end_cursor;
  std::optional<int64_t> total_count;  // the whole window's, when queried
};

class Api {
 public:
  virtual ~Api() = default;
  // Sends one request for one page of the window. `page` is reset first.
  virtual Outcome FetchPage(const PageRequest& request, Page* page) = 0;

  // Called once per request actually sent, with its result. Set by the
  // owner before the first call; may be empty.
  std::function<void(const Outcome&)> on_request;
};

struct ClientOptions {
  std::string url;      // the full endpoint, e.g. https://crm.example/graphql
  std::string api_key;  // sent as a Bearer token, never logged
  std::string query;    // empty: kDefaultCrmQuery
  // Dotted paths: `result_path` from the document root to the connection,
  // the others from each node.
  std::string result_path = "data.calls";
  std::string id_field = "id";
  std::string agent_field = "agentName";
  std::string created_field = "createdAt";
  int page_size = 200;  // GraphQL $first
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  // A page is parsed as one document; a runaway answer fails as `parse`
  // instead of exhausting memory.
  size_t max_body_bytes = size_t{32} << 20;
};

// The default GraphQL query for a Twenty-style CRM (ozonetel-api.md §12).
extern const char kDefaultCrmQuery[];

// `gate` must outlive the client.
std::unique_ptr<Api> MakeClient(ClientOptions options,
                                std::unique_ptr<Transport> transport,
                                core::RequestGate& gate);

}  // namespace callcenter::crm

#endif  // CALLCENTER_CRM_API_H_
