// GraphQL answers for CRM tests: a Twenty-style `calls` connection page.
#ifndef CALLCENTER_TESTS_UNIT_CRM_CRM_PAGES_H_
#define CALLCENTER_TESTS_UNIT_CRM_CRM_PAGES_H_

#include <string>
#include <vector>

namespace callcenter::test {

struct Node {
  std::string id;  // emitted as a JSON number when `numeric_id`
  std::string agent;
  std::string created;  // RFC 3339; "" omits the field
  bool numeric_id = false;
};

inline std::string PageJson(const std::vector<Node>& nodes, bool has_next,
                            const std::string& cursor, int total_count = -1) {
  std::string json = R"({"data":{"calls":{)";
  if (total_count >= 0) {
    json += R"("totalCount":)" + std::to_string(total_count) + ",";
  }
  json += R"("edges":[)";
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (i > 0) json += ",";
    json += R"({"node":{"id":)";
    json += n.numeric_id ? n.id : "\"" + n.id + "\"";
    json += R"(,"disposition":"APPOINTMENT_BOOKED","agentName":)";
    json += n.agent.empty() ? "null" : "\"" + n.agent + "\"";
    if (!n.created.empty()) json += R"(,"createdAt":")" + n.created + "\"";
    json += "}}";
  }
  json += R"(],"pageInfo":{"hasNextPage":)";
  json += has_next ? "true" : "false";
  json += R"(,"endCursor":)";
  json += cursor.empty() ? "null" : "\"" + cursor + "\"";
  json += "}}}}";
  return json;
}

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_CRM_CRM_PAGES_H_
