// Internals of the CRM client, exposed for unit tests: the request body, the
// classification of an HTTP result and the parsing of one page.
#ifndef CALLCENTER_CRM_DETAIL_RESPONSE_H_
#define CALLCENTER_CRM_DETAIL_RESPONSE_H_

#include <optional>
#include <string>
#include <string_view>

#include "crm/api.h"
#include "callcenter/common/http_client.h"

namespace callcenter::crm::detail {

struct FieldPaths {
  std::string result_path = "data.calls";
  std::string id_field = "id";
  std::string agent_field = "agentName";
  std::string created_field = "createdAt";
};

// {"query": query, "variables": {"from", "to", "after", "first"}}.
std::string BuildRequestBody(const std::string& query,
                             const PageRequest& request, int first);

// The failure an HTTP result means before its body is read; nullopt for a
// 2xx answer whose body should be parsed.
std::optional<Failure> ClassifyStatus(const HttpStatus& status);

// Parses one GraphQL answer. A non-empty `errors` is a graphql failure even
// when `data` is present; invalid JSON, a missing result path or malformed
// edges are parse failures.
Outcome ParsePage(std::string_view body, const FieldPaths& paths, Page* page);

}  // namespace callcenter::crm::detail

#endif  // CALLCENTER_CRM_DETAIL_RESPONSE_H_
