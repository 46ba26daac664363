// The Ozonetel CloudAgent client: one interface for the exporter's pollers,
// one implementation over an HTTP Transport. Every HTTP request it sends
// (first tries, the one retry after "Token Expired", token generations)
// first draws from the RequestGate under its API family ("cdr", "summary",
// "aht", "agentdetails", "token"). It never sleeps or backs off itself and
// never logs; failures carry the vendor's message, never a key or token.
#ifndef CALLCENTER_OZONETEL_CLIENT_H_
#define CALLCENTER_OZONETEL_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_client.h"
#include "core/request_gate.h"
#include "ozonetel/failure.h"
#include "ozonetel/records.h"

namespace callcenter::ozonetel {

// The API families, each with its own budget. Endpoints that share a vendor
// quota (fetchCDRDetails, fetchCdrByPagination) share a family.
inline constexpr char kCdrApi[] = "cdr";
inline constexpr char kSummaryApi[] = "summary";
inline constexpr char kAhtApi[] = "aht";
inline constexpr char kAgentDetailsApi[] = "agentdetails";
inline constexpr char kTokenApi[] = "token";

// fromDate/toDate as "YYYY-MM-DD HH:MM:SS" local time, within one day.
struct CdrQuery {
  std::string from;
  std::string to;
};

struct SummaryQuery {
  std::string from;
  std::string to;
  std::vector<std::string> agent_ids;  // empty: omit agentId (all agents)
};

// POST /ca_apis/agentdetails: the agent's current status text.
struct AgentDetails {
  std::string agent_id;
  std::string status;  // "Ready", "Busy", ... (raw; mapped by the caller)
};

class Api {  // one upstream, one interface; the pollers use only this
 public:
  virtual ~Api() = default;
  // Streams each record of the response to on_record as it is parsed, on
  // the calling thread; on_record returning false stops the transfer (the
  // outcome is then a parse failure). On failure some records may already
  // have been delivered: each was complete, and the caller decides what to
  // keep.
  virtual Outcome FetchCdrs(
      const CdrQuery& query,
      const std::function<bool(CdrRecord&&)>& on_record) = 0;
  // "No Data Found" is ok with zero rows. `rows` is cleared first;
  // `invalid_fields` counts totals that were dropped as out of range.
  virtual Outcome FetchSummary(const SummaryQuery& query,
                               std::vector<SummaryRow>* rows,
                               int* invalid_fields) = 0;
  virtual Outcome FetchAgentAht(const std::string& agent_id, AhtValue* out) = 0;
  virtual Outcome FetchCampaignAht(const std::string& campaign,
                                   AhtValue* out) = 0;
  virtual Outcome FetchAgentDetails(const std::string& agent_id,
                                    AgentDetails* out) = 0;

  // Called once per request actually sent (token generations included, as
  // kTokenApi), with its family and result. Set by the owner before the
  // first call; may be empty.
  std::function<void(const std::string& api, const Outcome&)> on_request;
};

struct ClientOptions {
  std::string base_url;  // e.g. https://in1-ccaas-api.ozonetel.com
  std::string user_name;
  enum class Auth { kApiKey, kToken } auth = Auth::kApiKey;
  std::string api_key;  // never logged
  std::string cdr_path = "/ca_reports/fetchCDRDetails";
  std::string summary_path = "/ca_reports/summaryReport";
  std::string aht_path = "/ca_apis/aht";
  std::string agentdetails_path = "/ca_apis/agentdetails";
  std::string token_path = "/ca_apis/CAToken/generateToken";
  std::chrono::seconds token_ttl{55 * 60};
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  // Case-insensitive substrings of `message` that mean "rate limited".
  std::vector<std::string> rate_limit_patterns = {"max limit exceeded",
                                                  "only 1 hit"};
};

// `gate` and `clock` must outlive the client.
std::unique_ptr<Api> MakeClient(ClientOptions options,
                                std::unique_ptr<Transport> transport,
                                core::RequestGate& gate, const Clock& clock);

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_CLIENT_H_
