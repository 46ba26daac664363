// The three CDR endpoints (§4, §5): GET with a JSON body, one local day per
// request, records filtered on call start time and shown as they look now.
#include <algorithm>
#include <cctype>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/call_view.h"
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/simulator.h"

namespace callcenter::sim {
namespace {

constexpr int kMaxPageSize = 500;
// A rendered record is 1.1-1.3 kB; reserving a little more avoids regrowth.
constexpr size_t kRecordSizeEstimate = 1300;
constexpr size_t kFlushBytes = size_t{64} * 1024;

HttpResponse Fail(std::string_view message) {
  return HttpResponse::Json(200, MessageStatusBody(message, "fail"));
}

HttpResponse InvalidJson() {
  return HttpResponse::Json(
      200, StatusMessageBody("false", "Invalid Json Pass Valid Json"));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool AllDigits(std::string_view text) {
  return !text.empty() && text.size() <= 9 &&
         std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isdigit(c); });
}

struct CdrQuery {
  int64_t from = 0;
  int64_t to = 0;
  Date date;
  int campaign = -1;
  std::string call_type;
  std::string status;
  std::string ucid;
};

// The query string may carry only the pagination parameters; body fields
// sent there are the classic mistake the API answers with "Invalid Json".
bool QueryStringAllowed(const std::string& query, bool pagination) {
  if (query.empty()) return true;
  if (!pagination) return false;
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    std::string key = UrlDecode(pair.substr(0, pair.find('=')));
    if (!key.empty() && key != "pageNo" && key != "pageSize") return false;
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return true;
}

std::optional<HttpResponse> ParseDates(const rapidjson::Value& body,
                                       Seconds offset, CdrQuery* query) {
  std::optional<std::string> from_text = MemberText(body, "fromDate");
  std::optional<std::string> to_text = MemberText(body, "toDate");
  if (!from_text || !to_text || from_text->empty() || to_text->empty()) {
    return Fail("Missing fromDate and toDate");
  }
  const char* kFormat =
      " format. Please pass the date in the format "
      "yyyy-MM-dd HH:mm:ss";
  auto from = ParseLocalDateTime(*from_text, offset);
  if (!from) return Fail(std::string("Invalid fromDate") + kFormat);
  auto to = ParseLocalDateTime(*to_text, offset);
  if (!to) return Fail(std::string("Invalid toDate") + kFormat);
  if (from_text->substr(0, 10) != to_text->substr(0, 10)) {
    return Fail("fromDate and toDate should be same date");
  }
  query->from = std::chrono::floor<Seconds>(*from).time_since_epoch().count();
  query->to = std::chrono::floor<Seconds>(*to).time_since_epoch().count();
  query->date = *ParseDate(from_text->substr(0, 10));
  return std::nullopt;
}

std::optional<HttpResponse> ParseFilters(const rapidjson::Value& body,
                                         const Account& account,
                                         CdrQuery* query) {
  std::string campaign = MemberText(body, "campaignName").value_or("");
  if (!campaign.empty()) {
    query->campaign = account.FindCampaign(campaign);
    if (query->campaign < 0) return Fail("Invalid campaignName");
  }
  query->call_type = MemberText(body, "callType").value_or("");
  query->status = MemberText(body, "status").value_or("");
  query->ucid = MemberText(body, "ucid").value_or("");
  if (query->ucid.empty()) {
    query->ucid = MemberText(body, "monitorUCID").value_or("");
  }
  return std::nullopt;
}

bool Matches(const CdrQuery& query, const Call& call) {
  if (query.campaign >= 0 && call.campaign != query.campaign) return false;
  if (!query.call_type.empty() &&
      !EqualsIgnoreCase(query.call_type, TypeText(call))) {
    return false;
  }
  if (!query.status.empty()) {
    const bool wants_answered = EqualsIgnoreCase(query.status, "Answered");
    if (wants_answered != call.answered) return false;
  }
  if (!query.ucid.empty() && query.ucid != std::to_string(call.ucid)) {
    return false;
  }
  return true;
}

struct Page {
  int64_t number = 1;
  int64_t size = 100;
};

std::optional<HttpResponse> ParsePage(const HttpRequest& request, Page* page) {
  if (request.HasQueryParam("pageNo")) {
    const std::string text = request.QueryParam("pageNo");
    if (!AllDigits(text)) return Fail("pageNo should be Numeric only");
    page->number = std::max<int64_t>(1, std::stoll(text));
  }
  if (request.HasQueryParam("pageSize")) {
    const std::string text = request.QueryParam("pageSize");
    if (!AllDigits(text) || std::stoll(text) == 0) {
      return Fail("pageSize should not be empty or zero");
    }
    page->size = std::min<int64_t>(kMaxPageSize, std::stoll(text));
  }
  return std::nullopt;
}

// Visible calls that started in [from, to] and pass the body's filters.
std::vector<const Call*> MatchCalls(const DayData& day, const CdrQuery& query,
                                    int64_t now, bool late_data) {
  std::vector<const Call*> matches;
  auto it = std::lower_bound(
      day.calls.begin(), day.calls.end(), query.from,
      [](const Call& call, int64_t t) { return call.start < t; });
  for (; it != day.calls.end() && it->start <= query.to; ++it) {
    if (VisibleAt(*it, day, late_data) > now) continue;
    if (Matches(query, *it)) matches.push_back(&*it);
  }
  return matches;
}

// The §4.6 envelope; with a page, only that page plus totalCount. A day of
// 20,000 agents is about a gigabyte of records, so they are rendered in
// small chunks appended to one reserved string: the body is never held
// twice (HttpResponse still needs it whole; see the README).
std::string CdrBody(const CdrView& view,
                    const std::vector<const Call*>& matches, const Page* page) {
  size_t begin = 0;
  size_t end = matches.size();
  if (page != nullptr) {
    begin = std::min<size_t>(
        matches.size(), static_cast<size_t>((page->number - 1) * page->size));
    end = std::min<size_t>(matches.size(),
                           begin + static_cast<size_t>(page->size));
  }
  std::string body;
  body.reserve(128 + (end - begin) * kRecordSizeEstimate);
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  auto flush = [&buffer, &body] {
    body.append(buffer.GetString(), buffer.GetSize());
    buffer.Clear();
  };
  writer.StartObject();
  WriteMember(&writer, "status", "success");
  WriteMember(&writer, "message", "");
  if (page != nullptr) {
    WriteMember(&writer, "totalCount", static_cast<int64_t>(matches.size()));
  }
  writer.Key("details");
  writer.StartArray();
  for (size_t i = begin; i < end; ++i) {
    WriteCdrRecord(&writer, view, *matches[i]);
    if (buffer.GetSize() > kFlushBytes) flush();
  }
  writer.EndArray();
  writer.EndObject();
  flush();
  return body;
}

}  // namespace

HttpResponse Simulator::FetchCdrDetails(const HttpRequest& request) {
  return FetchCdr(request, CdrMode::kDetails);
}

HttpResponse Simulator::FetchCdrByPagination(const HttpRequest& request) {
  return FetchCdr(request, CdrMode::kPagination);
}

HttpResponse Simulator::FetchCdrByUcid(const HttpRequest& request) {
  return FetchCdr(request, CdrMode::kUcid);
}

HttpResponse Simulator::FetchCdr(const HttpRequest& request, CdrMode mode) {
  // A POST gets a bare 405 [PROD]; so does anything else but GET.
  if (request.method != "GET") return HttpResponse::Text(405, "");
  if (!QueryStringAllowed(request.query, mode == CdrMode::kPagination)) {
    return InvalidJson();
  }
  if (auto error = CheckCredentials(request, Dialect::kCdr)) return *error;
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  if (body.HasParseError() || !body.IsObject()) return InvalidJson();
  if (auto error = CheckUserName(body, Dialect::kCdr)) return *error;
  Page page;
  if (mode == CdrMode::kPagination) {
    if (auto error = ParsePage(request, &page)) return *error;
  }
  CdrQuery query;
  if (auto error = ParseDates(body, options_.utc_offset, &query)) return *error;
  if (query.from > query.to) {
    return Fail("fromDate should not be greater than toDate");
  }
  // One reading of the clock per request keeps the checks and the records
  // consistent under a scaled clock.
  const int64_t now = NowSeconds();
  if (options_.reject_future && query.to > now) {
    return Fail("fromDate and toDate should not be future dates");
  }
  if (auto error = ParseFilters(body, account_, &query)) return *error;
  if (mode == CdrMode::kUcid && query.ucid.empty()) return Fail("Invalid ucid");

  std::shared_ptr<const DayData> day = traffic_.Day(query.date);
  std::vector<const Call*> matches;
  // Past the retention window the API answers an empty list, not an error.
  const int64_t oldest_day =
      DaysSinceEpoch(traffic_.DateOf(now)) - options_.retention_days;
  if (DaysSinceEpoch(query.date) >= oldest_day) {
    matches = MatchCalls(*day, query, now, options_.late_data);
  }
  if (mode == CdrMode::kUcid && matches.size() > 1) matches.resize(1);
  CdrView view{&account_, day.get(), now, faults_.Get().ids_as_strings,
               options_.crossing_call_date};
  return HttpResponse::Json(
      200,
      CdrBody(view, matches, mode == CdrMode::kPagination ? &page : nullptr));
}

}  // namespace callcenter::sim
