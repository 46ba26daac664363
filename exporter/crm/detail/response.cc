#include "crm/detail/response.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <vector>

#include "callcenter/common/timeutil.h"
#include "core/json.h"

namespace callcenter::crm::detail {
namespace {

// Long GraphQL messages would bloat log lines; the start says enough.
constexpr size_t kMaxMessage = 200;

void WriteString(rapidjson::Writer<rapidjson::StringBuffer>* w,
                 std::string_view s) {
  w->String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    parts.push_back(path.substr(0, dot));
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return parts;
}

// The value at a dotted path below `root`, or nullptr when any step is
// missing or not an object.
const rapidjson::Value* Walk(const rapidjson::Value& root,
                             std::string_view path) {
  const rapidjson::Value* value = &root;
  for (std::string_view part : SplitPath(path)) {
    if (!value->IsObject()) return nullptr;
    auto it = value->FindMember(rapidjson::Value(
        part.data(), static_cast<rapidjson::SizeType>(part.size())));
    if (it == value->MemberEnd()) return nullptr;
    value = &it->value;
  }
  return value;
}

// Numbers are parsed as strings (kParseNumbersAsStringsFlag), so a numeric
// id above 2^53 keeps every digit.
std::optional<std::string> FieldText(const rapidjson::Value& node,
                                     std::string_view path) {
  const rapidjson::Value* value = Walk(node, path);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return std::string(value->GetString(), value->GetStringLength());
}

std::string Truncate(std::string text) {
  if (text.size() > kMaxMessage) text.resize(kMaxMessage);
  return text;
}

// "errors": absent, null or [] is fine; anything else fails the page.
std::optional<std::string> GraphqlError(const rapidjson::Value& doc) {
  auto it = doc.FindMember("errors");
  if (it == doc.MemberEnd() || it->value.IsNull()) return std::nullopt;
  const rapidjson::Value& errors = it->value;
  if (errors.IsArray() && errors.Empty()) return std::nullopt;
  if (errors.IsArray() && errors[0].IsObject()) {
    auto message = FieldText(errors[0], "message");
    if (message && !message->empty()) return Truncate(*message);
  }
  // A reason that explains nothing would read as " (pages read: 0)".
  return std::string("GraphQL errors in the response");
}

bool ReadNode(const rapidjson::Value& edge, const FieldPaths& paths,
              Page* page) {
  if (!edge.IsObject()) return false;
  auto node = edge.FindMember("node");
  if (node == edge.MemberEnd() || !node->value.IsObject()) return false;
  std::optional<std::string> id = FieldText(node->value, paths.id_field);
  if (!id || id->empty()) {
    ++page->nodes_without_id;
    return true;
  }
  Appointment appointment;
  appointment.id = std::move(*id);
  appointment.agent = FieldText(node->value, paths.agent_field).value_or("");
  if (auto created = FieldText(node->value, paths.created_field)) {
    appointment.created = ParseRfc3339(*created);
  }
  page->nodes.push_back(std::move(appointment));
  return true;
}

Outcome ReadPageInfo(const rapidjson::Value& connection, Page* page) {
  // Without pageInfo the query asked for one page only.
  const rapidjson::Value* info = Walk(connection, "pageInfo");
  if (info == nullptr || info->IsNull()) return Outcome::Ok();
  if (!info->IsObject()) {
    return Outcome::Fail(FailureReason::kParse, "pageInfo is not an object");
  }
  const rapidjson::Value* next = Walk(*info, "hasNextPage");
  page->has_next_page = next != nullptr && next->IsBool() && next->GetBool();
  page->end_cursor = FieldText(*info, "endCursor").value_or("");
  if (page->has_next_page && page->end_cursor.empty()) {
    return Outcome::Fail(FailureReason::kParse,
                         "hasNextPage without an endCursor");
  }
  return Outcome::Ok();
}

std::optional<int64_t> ReadTotalCount(const rapidjson::Value& connection) {
  std::optional<std::string> text = FieldText(connection, "totalCount");
  if (!text) return std::nullopt;
  int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::string BuildRequestBody(const std::string& query,
                             const PageRequest& request, int first) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("query");
  WriteString(&w, query);
  w.Key("variables");
  w.StartObject();
  w.Key("from");
  WriteString(&w, FormatRfc3339(request.from));
  w.Key("to");
  WriteString(&w, FormatRfc3339(request.to));
  w.Key("after");
  if (request.after) {
    WriteString(&w, *request.after);
  } else {
    w.Null();
  }
  w.Key("first");
  w.Int(first);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<Failure> ClassifyStatus(const HttpStatus& status) {
  if (status.timed_out) {
    return Failure{FailureReason::kTimeout,
                   status.error.empty() ? "request timed out" : status.error,
                   status.status, std::nullopt};
  }
  if (!status.error.empty()) {
    return Failure{FailureReason::kHttp, status.error, status.status,
                   std::nullopt};
  }
  const int code = status.status;
  const std::string text = "HTTP " + std::to_string(code);
  if (code == 401 || code == 403) {
    return Failure{FailureReason::kAuth, text + ": API key rejected", code,
                   std::nullopt};
  }
  if (code == 429) {
    return Failure{FailureReason::kRateLimited, text, code, status.retry_after};
  }
  if (code < 200 || code > 299) {
    return Failure{FailureReason::kHttp, text, code, std::nullopt};
  }
  return std::nullopt;
}

namespace {

Outcome ParseInto(std::string_view body, const FieldPaths& paths, Page* page) {
  rapidjson::Document doc;
  // Iterative and depth-limited: a million '[' is a parse failure, not a
  // stack overflow. Numbers stay text, so numeric ids keep their digits.
  if (std::string error = core::ParseJson(body, &doc); !error.empty()) {
    return Outcome::Fail(FailureReason::kParse, error);
  }
  if (!doc.IsObject()) {
    return Outcome::Fail(FailureReason::kParse, "response is not an object");
  }
  if (auto error = GraphqlError(doc)) {
    return Outcome::Fail(FailureReason::kGraphql, *error);
  }
  const rapidjson::Value* connection = Walk(doc, paths.result_path);
  if (connection == nullptr || !connection->IsObject()) {
    return Outcome::Fail(FailureReason::kParse,
                         "no object at " + paths.result_path);
  }
  const rapidjson::Value* edges = Walk(*connection, "edges");
  if (edges == nullptr || !edges->IsArray()) {
    return Outcome::Fail(FailureReason::kParse,
                         "no edges array at " + paths.result_path);
  }
  for (const auto& edge : edges->GetArray()) {
    if (!ReadNode(edge, paths, page)) {
      return Outcome::Fail(FailureReason::kParse, "an edge without a node");
    }
  }
  page->total_count = ReadTotalCount(*connection);
  return ReadPageInfo(*connection, page);
}

}  // namespace

Outcome ParsePage(std::string_view body, const FieldPaths& paths, Page* page) {
  *page = Page{};
  Outcome outcome = ParseInto(body, paths, page);
  // A failed page holds nothing, so no caller can count half of it.
  if (!outcome.ok()) *page = Page{};
  return outcome;
}

}  // namespace callcenter::crm::detail
