#include "ozonetel/client.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <mutex>
#include <utility>

#include "ozonetel/detail/cdr_parser.h"
#include "ozonetel/detail/response.h"

namespace callcenter::ozonetel {
namespace {

using detail::Exchange;

// A flat JSON object of string members, in the given order.
std::string JsonObject(
    const std::vector<std::pair<std::string, std::string>>& members) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [name, value] : members) {
    writer.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
    writer.String(value.c_str(),
                  static_cast<rapidjson::SizeType>(value.size()));
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string JoinUrl(std::string base, const std::string& path) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (path.empty() || path.front() != '/') base.push_back('/');
  return base + path;
}

std::string JoinComma(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined.push_back(',');
    joined += item;
  }
  return joined;
}

Outcome ToOutcome(const detail::Classified& classified) {
  Outcome outcome;
  outcome.failure = classified.failure;
  return outcome;
}

Outcome NotSent(core::Admission admission) {
  return admission == core::Admission::kStopped ? Outcome::Cancelled()
                                                : Outcome::Unrecorded();
}

using ExchangeFn = std::function<Exchange(const HttpCall&)>;

class Client final : public Api {
 public:
  Client(ClientOptions options, std::unique_ptr<Transport> transport,
         core::RequestGate& gate, const Clock& clock)
      : options_(std::move(options)),
        transport_(std::move(transport)),
        gate_(gate),
        clock_(clock) {}

  Outcome FetchCdrs(
      const CdrQuery& query,
      const std::function<bool(CdrRecord&&)>& on_record) override {
    HttpCall call = MakeCall("GET", options_.cdr_path,
                             {{"fromDate", query.from},
                              {"toDate", query.to},
                              {"userName", options_.user_name}});
    return Send(kCdrApi, std::move(call), [&](const HttpCall& c) {
      return detail::StreamCdrExchange(*transport_, c, on_record);
    });
  }

  Outcome FetchSummary(const SummaryQuery& query,
                       std::vector<SummaryRow>* rows,
                       int* invalid_fields) override {
    rows->clear();
    *invalid_fields = 0;
    std::vector<std::pair<std::string, std::string>> body = {
        {"fromDate", query.from},
        {"toDate", query.to},
        {"userName", options_.user_name}};
    if (!query.agent_ids.empty()) {
      body.emplace_back("agentId", JoinComma(query.agent_ids));
    }
    std::vector<SummaryRow> parsed;
    int invalid = 0;
    Outcome outcome = SendBuffered(
        kSummaryApi, MakeCall("POST", options_.summary_path, body),
        [&](std::string_view text) {
          detail::BodyResult result = detail::ParseSummaryBody(text, &parsed);
          invalid = result.invalid_fields;
          return result;
        });
    if (outcome.ok()) {
      *rows = std::move(parsed);
      *invalid_fields = invalid;
    }
    return outcome;
  }

  Outcome FetchAgentAht(const std::string& agent_id, AhtValue* out) override {
    return FetchAht("agentId", agent_id, out);
  }

  Outcome FetchCampaignAht(const std::string& campaign,
                           AhtValue* out) override {
    return FetchAht("campaignName", campaign, out);
  }

  Outcome FetchAgentDetails(const std::string& agent_id,
                            AgentDetails* out) override {
    AgentDetails parsed;
    Outcome outcome = SendBuffered(
        kAgentDetailsApi,
        MakeCall("POST", options_.agentdetails_path,
                 {{"userName", options_.user_name}, {"agentId", agent_id}}),
        [&](std::string_view text) {
          parsed = AgentDetails();
          return detail::ParseAgentDetailsBody(text, &parsed.agent_id,
                                               &parsed.status);
        });
    if (outcome.ok()) *out = std::move(parsed);
    return outcome;
  }

 private:
  bool token_mode() const {
    return options_.auth == ClientOptions::Auth::kToken;
  }

  Outcome FetchAht(const std::string& key, const std::string& value,
                   AhtValue* out) {
    // §7: exactly one of agentId / campaignName.
    AhtValue parsed;
    Outcome outcome =
        SendBuffered(kAhtApi,
                     MakeCall("POST", options_.aht_path,
                              {{"userName", options_.user_name}, {key, value}}),
                     [&](std::string_view text) {
                       parsed = AhtValue();
                       return detail::ParseAhtBody(text, &parsed);
                     });
    if (outcome.ok()) *out = std::move(parsed);
    return outcome;
  }

  HttpCall MakeCall(
      std::string method, const std::string& path,
      const std::vector<std::pair<std::string, std::string>>& body) const {
    HttpCall call;
    call.method = std::move(method);
    call.url = JoinUrl(options_.base_url, path);
    call.headers = {{"Content-Type", "application/json"}};
    call.body = JsonObject(body);
    call.timeout = options_.request_timeout;
    call.connect_timeout = options_.connect_timeout;
    return call;
  }

  Outcome SendBuffered(
      const std::string& family, HttpCall call,
      const std::function<detail::BodyResult(std::string_view)>& parse) {
    return Send(family, std::move(call), [&](const HttpCall& c) {
      return detail::BufferedExchange(*transport_, c, parse);
    });
  }

  // One logical request of `family`: authenticate, draw from the gate,
  // send, classify, report. In token mode a "Token Expired" answer costs one
  // regeneration and one retry, each drawn from its own budget.
  Outcome Send(const std::string& family, HttpCall call,
               const ExchangeFn& exchange) {
    const size_t base_headers = call.headers.size();
    for (int attempt = 0;; ++attempt) {
      call.headers.resize(base_headers);
      std::string token;
      if (token_mode()) {
        Outcome got = GetToken(&token);
        if (!got.ok()) return got;
        call.headers.emplace_back("Authorization", "Bearer " + token);
      } else {
        call.headers.emplace_back("apiKey", options_.api_key);
      }
      bool token_expired = false;
      Outcome outcome = SendOnce(family, call, exchange, &token_expired);
      if (!token_expired || !token_mode()) return outcome;
      // A dead token stays dropped even when we give up, so the next poll
      // starts with a fresh one.
      InvalidateToken(token);
      if (attempt > 0) return outcome;
    }
  }

  Outcome SendOnce(const std::string& family, const HttpCall& call,
                   const ExchangeFn& exchange, bool* token_expired) {
    const core::Admission admission = gate_.Acquire(family);
    if (admission != core::Admission::kGranted) return NotSent(admission);
    detail::Classified classified =
        detail::Classify(exchange(call), options_.rate_limit_patterns);
    if (classified.rate_limited) {
      gate_.OnRateLimited(family, classified.failure->retry_after);
    }
    *token_expired = classified.token_expired;
    Outcome outcome = ToOutcome(classified);
    if (on_request) on_request(family, outcome);
    return outcome;
  }

  // The shared token, generated when missing or older than token_ttl. The
  // lock is held across generation so concurrent pollers never spend two
  // of the ten hourly generations (and a new token revokes older ones).
  Outcome GetToken(std::string* token) {
    std::lock_guard<std::mutex> lock(token_mutex_);
    if (!token_.empty() && clock_.Now() < token_expiry_) {
      *token = token_;
      return Outcome::Ok();
    }
    token_.clear();
    HttpCall call = MakeCall("POST", options_.token_path,
                             {{"userName", options_.user_name}});
    call.headers.emplace_back("apiKey", options_.api_key);
    std::string fresh;
    bool unused = false;
    // TTL counts from just before sending: the server's clock starts no
    // earlier than that.
    TimePoint sent_at;
    Outcome outcome = SendOnce(
        kTokenApi, call,
        [&](const HttpCall& c) {
          sent_at = clock_.Now();
          return detail::BufferedExchange(
              *transport_, c, [&](std::string_view text) {
                return detail::ParseTokenBody(text, &fresh);
              });
        },
        &unused);
    if (!outcome.ok()) return outcome;
    token_ = std::move(fresh);
    token_expiry_ = sent_at + options_.token_ttl;
    *token = token_;
    return outcome;
  }

  // Drops the cached token unless another thread already replaced it.
  void InvalidateToken(const std::string& used) {
    std::lock_guard<std::mutex> lock(token_mutex_);
    if (token_ == used) token_.clear();
  }

  const ClientOptions options_;
  const std::unique_ptr<Transport> transport_;
  core::RequestGate& gate_;
  const Clock& clock_;

  std::mutex token_mutex_;
  std::string token_;
  TimePoint token_expiry_;
};

}  // namespace

std::unique_ptr<Api> MakeClient(ClientOptions options,
                                std::unique_ptr<Transport> transport,
                                core::RequestGate& gate, const Clock& clock) {
  return std::make_unique<Client>(std::move(options), std::move(transport),
                                  gate, clock);
}

}  // namespace callcenter::ozonetel
