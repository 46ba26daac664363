// summaryReport (§6), aht (§7) and agentdetails (§8).
#include <algorithm>
#include <cctype>
#include <set>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/agent_state.h"
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/simulator.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kDay = 86400;

HttpResponse Error(std::string_view message) {
  return HttpResponse::Json(200, StatusMessageBody("error", message));
}

std::string Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const size_t comma = text.find(',');
    std::string item = Trim(text.substr(0, comma));
    if (!item.empty()) items.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return items;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Which of the two rows (Inbound, Manual) a modeType list selects. Every
// outbound dial mode maps to the one outbound row the simulator emits.
bool ParseModes(const std::string& text, bool* inbound, bool* outbound) {
  std::vector<std::string> modes = SplitList(text);
  if (modes.empty()) {
    *inbound = *outbound = true;
    return true;
  }
  *inbound = *outbound = false;
  for (const std::string& raw : modes) {
    const std::string mode = Lower(raw);
    if (mode == "inbound") {
      *inbound = true;
    } else if (mode == "manual" || mode == "progressive" || mode == "preview" ||
               mode == "predictive") {
      *outbound = true;
    } else if (mode == "blended") {
      *inbound = *outbound = true;
    } else {
      return false;
    }
  }
  return true;
}

struct SummaryRow {
  int agent;
  Date date;
  bool inbound;
  StateTotals totals;
};

void WriteRow(JsonWriter* w, const Account& account, const SummaryRow& row) {
  const AgentInfo& agent = account.agents[row.agent];
  const StateTotals& t = row.totals;
  const int d = row.inbound ? 0 : 1;
  // Login, idle and pause belong to the agent, not a direction: they go on
  // the Inbound row, so consumers must sum the rows.
  w->StartObject();
  WriteMember(w, "AgentIncrID", agent.incr_id);
  WriteMember(w, "AgentName", agent.name);
  WriteMember(w, "AgentUniqueID", agent.id);
  WriteMember(w, "CallDate", FormatDate(row.date));
  WriteMember(w, "ModeType", row.inbound ? "Inbound" : "Manual");
  WriteMember(w, "TotalBusyTime", FormatDuration(t.busy[d]));
  WriteMember(w, "TotalDialTime", FormatDuration(t.dial[d]));
  WriteMember(w, "TotalIdleTime", FormatDuration(row.inbound ? t.idle : 0));
  WriteMember(w, "TotalLoginDuration",
              FormatDuration(row.inbound ? t.login : 0));
  WriteMember(w, "TotalPauseTime", FormatDuration(row.inbound ? t.pause : 0));
  WriteMember(w, "TotalWrapupTime", FormatDuration(t.wrapup[d]));
  w->EndObject();
}

std::string SummaryBody(const Account& account,
                        const std::vector<SummaryRow>& rows,
                        Envelope envelope) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "status", "success");
  WriteKey(&w, envelope == Envelope::kDataArray ? "data" : "message");
  if (envelope == Envelope::kMessageObject && rows.size() == 1) {
    WriteRow(&w, account, rows.front());
  } else {
    w.StartArray();
    for (const SummaryRow& row : rows) WriteRow(&w, account, row);
    w.EndArray();
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

struct SummaryQuery {
  int64_t from = 0;
  int64_t to = 0;  // inclusive second
  bool inbound = true;
  bool outbound = true;
  std::set<int> agents;
};

std::optional<HttpResponse> ParseSummaryQuery(const rapidjson::Value& body,
                                              const Account& account,
                                              Seconds offset,
                                              SummaryQuery* query) {
  auto from =
      ParseLocalDateTime(MemberText(body, "fromDate").value_or(""), offset);
  auto to = ParseLocalDateTime(MemberText(body, "toDate").value_or(""), offset);
  if (!from || !to) {
    return Error("From and To Date should be in yyyy-mm-dd HH:mm:ss Format");
  }
  if (*from > *to) return Error("From Date Should not be Greater than To Date");
  if (*to - *from > Seconds(30 * kDay)) {
    return Error(
        "Difference Between From and To Date should not be Greater than 30 "
        "Days");
  }
  query->from = std::chrono::floor<Seconds>(*from).time_since_epoch().count();
  query->to = std::chrono::floor<Seconds>(*to).time_since_epoch().count();
  if (!ParseModes(MemberText(body, "modeType").value_or(""), &query->inbound,
                  &query->outbound)) {
    return Error("Mode Type is Invalid");
  }
  // agentId takes ids (or display names); invalid entries in a mixed list
  // just produce no rows.
  const std::vector<std::string> listed =
      SplitList(MemberText(body, "agentId").value_or(""));
  for (const std::string& key : listed) {
    const int index = account.FindAgent(key);
    if (index >= 0) query->agents.insert(index);
  }
  if (!listed.empty() && query->agents.empty())
    return Error("agentId is Invalid");
  if (listed.empty()) {
    for (int i = 0; i < static_cast<int>(account.agents.size()); ++i) {
      query->agents.insert(i);
    }
  }
  return std::nullopt;
}

// Rows per agent per date that has login time inside [from, min(to, now)].
std::vector<SummaryRow> SummaryRows(TrafficModel* traffic,
                                    const SummaryQuery& query, int64_t now) {
  const int64_t end = std::min(query.to + 1, now);
  std::vector<SummaryRow> rows;
  for (Date date = traffic->DateOf(query.from); traffic->Midnight(date) < end;
       date = AddDays(date, 1)) {
    const int64_t midnight = traffic->Midnight(date);
    const int64_t window_from = std::max(query.from, midnight);
    const int64_t window_to = std::min(end, midnight + kDay);
    if (window_to <= window_from) continue;
    auto day = traffic->Day(date);
    std::shared_ptr<const DayData> previous;
    if (traffic->CrossesMidnight()) previous = traffic->Day(AddDays(date, -1));
    for (int agent : query.agents) {
      StateTotals totals =
          ComputeStates(*day, previous.get(), agent, window_from, window_to);
      if (totals.login == 0) continue;
      if (query.inbound) rows.push_back({agent, date, true, totals});
      if (query.outbound) rows.push_back({agent, date, false, totals});
    }
  }
  return rows;
}

}  // namespace

HttpResponse Simulator::SummaryReport(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "POST") {
    return HttpResponse::Text(405, "");
  }
  if (auto error = CheckCredentials(request, Dialect::kReport)) return *error;
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  if (body.HasParseError() || !body.IsObject()) {
    return Error("Invalid Json Pass Valid Json");
  }
  if (auto error = CheckUserName(body, Dialect::kReport)) return *error;
  SummaryQuery query;
  if (auto error =
          ParseSummaryQuery(body, account_, options_.utc_offset, &query)) {
    return *error;
  }
  const std::vector<SummaryRow> rows =
      SummaryRows(&traffic_, query, NowSeconds());
  if (rows.empty()) return Error("No Data Found");
  return HttpResponse::Json(
      200, SummaryBody(account_, rows, faults_.Get().envelope));
}

HttpResponse Simulator::Aht(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "POST") {
    return HttpResponse::Text(405, "");
  }
  if (auto error = CheckCredentials(request, Dialect::kReport)) return *error;
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  if (body.HasParseError() || !body.IsObject()) {
    return Error("Invalid Json Pass Valid Json");
  }
  if (auto error = CheckUserName(body, Dialect::kReport)) return *error;
  const std::string agent_id = MemberText(body, "agentId").value_or("");
  const std::string campaign = MemberText(body, "campaignName").value_or("");
  // §7: the docs pair these texts the other way round; see the contract.
  if (!agent_id.empty() && !campaign.empty()) {
    return Error("Both agentId and campaignName cannot be passed at a time");
  }
  if (agent_id.empty() && campaign.empty()) {
    return Error("Both agentId and campaignName cannot be empty");
  }
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "status", "success");
  w.Key("message");
  w.StartObject();
  if (!agent_id.empty()) {
    const int agent = account_.FindAgent(agent_id);
    if (agent < 0) return Error("agentId is Invalid");
    WriteMember(&w, "AgentID", account_.agents[agent].id);
    WriteMember(&w, "AgentName", account_.agents[agent].name);
    WriteMember(&w, "AHT",
                FormatDuration(AgentAht(agent, NowSeconds()).seconds));
  } else {
    const int index = account_.FindCampaign(campaign);
    if (index < 0) return Error("campaignName is Invalid");
    WriteMember(&w, "CampaignID", std::to_string(3100 + index));
    WriteMember(&w, "CampaignName", campaign);
    WriteMember(&w, "AHT",
                FormatDuration(CampaignAht(index, NowSeconds()).seconds));
  }
  w.EndObject();
  w.EndObject();
  return HttpResponse::Json(200, buffer.GetString());
}

HttpResponse Simulator::AgentDetails(const HttpRequest& request) {
  if (request.method != "POST") return HttpResponse::Text(405, "");
  if (auto error = CheckCredentials(request, Dialect::kReport)) return *error;
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  if (body.HasParseError() || !body.IsObject()) {
    return Error("Invalid Json Pass Valid Json");
  }
  if (auto error = CheckUserName(body, Dialect::kReport)) return *error;
  const std::string agent_id = MemberText(body, "agentId").value_or("");
  if (agent_id.empty()) return Error("agentId should not be empty");
  const int agent = account_.FindAgent(agent_id);
  if (agent < 0) return Error("agentId is Invalid");
  // The same floor as the pushed events and /_sim/live.
  const Floor floor = FloorAt(NowSeconds(), FloorView::kOzonetel);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "status", "success");
  w.Key("message");
  w.StartObject();
  WriteMember(&w, "AgentID", account_.agents[agent].id);
  WriteMember(&w, "AgentName", account_.agents[agent].name);
  WriteMember(&w, "Status", AgentDetailsStatus(floor.agents[agent]));
  w.EndObject();
  w.EndObject();
  return HttpResponse::Json(200, buffer.GetString());
}

}  // namespace callcenter::sim
