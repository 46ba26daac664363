// The CRM GraphQL page parser, crm::detail::ParsePage, with field paths
// chosen by the fuzzer; and BuildRequestBody, whose JSON must read back.
//
// Input (fuzz/README.md): optionally a first line
//   #<result_path>|<id_field>|<agent_field>|<created_field>
// (the defaults data.calls, id, agentName, createdAt otherwise), then the
// response body.
//
// Invariants: a page that failed holds nothing (so no caller counts half a
// page) and says why; a GraphQL message is cut at 200 bytes; a good page
// has only nodes with an id, and an end cursor whenever it has a next
// page; the request body built from the input (as the query and the
// cursor) is JSON that reads back to the same query and cursor.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/timeutil.h"
#include "core/json.h"
#include "crm/api.h"
#include "crm/detail/response.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callcenter;
  using namespace callcenter::crm;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  detail::FieldPaths paths;
  if (!body.empty() && body[0] == '#') {
    const size_t end = body.find('\n');
    const std::string_view line =
        body.substr(1, end == body.npos ? body.npos : end - 1);
    std::vector<std::string_view> parts = fuzz::SplitAt(line, "|");
    parts.resize(4);
    paths.result_path = std::string(parts[0]);
    paths.id_field = std::string(parts[1]);
    paths.agent_field = std::string(parts[2]);
    paths.created_field = std::string(parts[3]);
    body = end == body.npos ? std::string_view() : body.substr(end + 1);
  }

  Page page;
  page.nodes_without_id = 7;  // reset by the parser
  const Outcome outcome = detail::ParsePage(body, paths, &page);
  FUZZ_CHECK(!outcome.cancelled && !outcome.unrecorded);
  if (!outcome.ok()) {
    FUZZ_CHECK(!outcome.failure->message.empty());
    FUZZ_CHECK(page.nodes.empty() && page.nodes_without_id == 0 &&
               !page.has_next_page && page.end_cursor.empty() &&
               !page.total_count);
    if (outcome.failure->reason == FailureReason::kGraphql) {
      FUZZ_CHECK(outcome.failure->message.size() <= 200);
    }
  } else {
    for (const Appointment& node : page.nodes) FUZZ_CHECK(!node.id.empty());
    if (page.has_next_page) FUZZ_CHECK(!page.end_cursor.empty());
    FUZZ_CHECK(page.nodes_without_id >= 0);
  }

  // The request: the input as the query text and as the cursor.
  PageRequest request;
  request.from = *ParseLocalDateTime("2026-03-02 00:00:00", Seconds(0));
  request.to = request.from + Seconds(3600);
  request.after = std::string(body.substr(0, 256));
  const std::string json =
      detail::BuildRequestBody(std::string(body), request, 200);
  rapidjson::Document doc;
  core::JsonLimits limits;
  limits.max_bytes = json.size();
  FUZZ_CHECK(core::ParseJson(json, &doc, limits).empty());
  const auto query = core::StringMember(doc, "query");
  FUZZ_CHECK(query && *query == body);
  const rapidjson::Value* variables = core::FindMember(doc, "variables");
  FUZZ_CHECK(variables != nullptr);
  const auto after = core::StringMember(*variables, "after");
  FUZZ_CHECK(after && *after == *request.after);
  return 0;
}
