#include <utility>

#include "crm/api.h"
#include "crm/detail/response.h"

namespace callcenter::crm {

const char kDefaultCrmQuery[] =
    R"(query AppointmentsBooked($from: DateTime!, $to: DateTime!, $after: String, $first: Int) {
  calls(filter: { and: [
          { disposition: { eq: "APPOINTMENT_BOOKED" } },
          { createdAt: { gte: $from } }, { createdAt: { lte: $to } } ] },
        orderBy: { createdAt: AscNullsFirst }, first: $first, after: $after) {
    totalCount
    edges { node { id disposition agentName direction callStatus createdAt } }
    pageInfo { hasNextPage endCursor }
  }
})";

std::string_view FailureReasonName(FailureReason reason) {
  switch (reason) {
    case FailureReason::kHttp:
      return "http";
    case FailureReason::kTimeout:
      return "timeout";
    case FailureReason::kAuth:
      return "auth";
    case FailureReason::kParse:
      return "parse";
    case FailureReason::kGraphql:
      return "graphql";
    case FailureReason::kRateLimited:
      return "rate_limited";
  }
  return "http";
}

const std::vector<std::string>& FailureReasonNames() {
  static const std::vector<std::string> names = {
      "http", "timeout", "auth", "parse", "graphql", "rate_limited"};
  return names;
}

namespace {

class GraphqlClient final : public Api {
 public:
  GraphqlClient(ClientOptions options,
                std::unique_ptr<Transport> transport, core::RequestGate& gate)
      : options_(std::move(options)),
        transport_(std::move(transport)),
        gate_(gate) {
    if (options_.query.empty()) options_.query = kDefaultCrmQuery;
    paths_ = {options_.result_path, options_.id_field, options_.agent_field,
              options_.created_field};
  }

  Outcome FetchPage(const PageRequest& request, Page* page) override {
    *page = Page{};
    const core::Admission admission = gate_.Acquire(kCrmApi);
    if (admission == core::Admission::kStopped) return Outcome::Cancelled();
    if (admission == core::Admission::kUnrecorded) return Outcome::Unrecorded();
    Outcome outcome = Send(request, page);
    if (outcome.failure &&
        outcome.failure->reason == FailureReason::kRateLimited) {
      // Retry-After when the CRM gave one, else one of our windows.
      gate_.OnRateLimited(kCrmApi, outcome.failure->retry_after);
    }
    if (on_request) on_request(outcome);
    return outcome;
  }

 private:
  HttpCall MakeCall(const PageRequest& request) const {
    HttpCall call;
    call.method = "POST";
    call.url = options_.url;
    call.headers = {{"Authorization", "Bearer " + options_.api_key},
                    {"Content-Type", "application/json"},
                    {"Accept", "application/json"}};
    call.body =
        detail::BuildRequestBody(options_.query, request, options_.page_size);
    call.timeout = options_.request_timeout;
    call.connect_timeout = options_.connect_timeout;
    return call;
  }

  Outcome Send(const PageRequest& request, Page* page) {
    std::string body;
    bool too_large = false;
    const HttpStatus status =
        transport_->Perform(MakeCall(request), [&](std::string_view chunk) {
          if (body.size() + chunk.size() > options_.max_body_bytes) {
            too_large = true;
            return false;
          }
          body.append(chunk);
          return true;
        });
    if (too_large) {
      return Outcome::Fail(FailureReason::kParse,
                           "response larger than " +
                               std::to_string(options_.max_body_bytes) +
                               " bytes",
                           status.status);
    }
    if (auto failure = detail::ClassifyStatus(status)) {
      Outcome outcome;
      outcome.failure = std::move(*failure);
      return outcome;
    }
    Outcome outcome = detail::ParsePage(body, paths_, page);
    if (outcome.failure) outcome.failure->http_status = status.status;
    return outcome;
  }

  ClientOptions options_;
  detail::FieldPaths paths_;
  std::unique_ptr<Transport> transport_;
  core::RequestGate& gate_;
};

}  // namespace

std::unique_ptr<Api> MakeClient(ClientOptions options,
                                std::unique_ptr<Transport> transport,
                                core::RequestGate& gate) {
  return std::make_unique<GraphqlClient>(std::move(options),
                                         std::move(transport), gate);
}

}  // namespace callcenter::crm
