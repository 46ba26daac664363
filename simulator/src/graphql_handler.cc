// The CRM's Twenty-style GraphQL endpoint (§12): appointments booked, i.e.
// calls whose disposition is APPOINTMENT_BOOKED, created when wrap-up ends.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/rng.h"
#include "ozonetel_sim/simulator.h"

namespace callcenter::sim {
namespace {

constexpr int kDefaultFirst = 200;
constexpr int kMaxFirst = 1000;
constexpr int kMaxLookbackDays = 90;

HttpResponse GraphqlErrors(int status, std::string_view message) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("errors");
  w.StartArray();
  w.StartObject();
  WriteMember(&w, "message", message);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return HttpResponse::Json(status, buffer.GetString());
}

// A UUID-shaped, stable record id.
std::string NodeId(int64_t ucid) {
  const uint64_t a = Mix64(static_cast<uint64_t>(ucid));
  const uint64_t b = Mix64(static_cast<uint64_t>(ucid) ^ 0xC0FFEEULL);
  char text[40];
  std::snprintf(text, sizeof(text),
                "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64
                "-%012" PRIx64,
                a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                0x8000 | ((b >> 48) & 0x3fff), b & uint64_t{0xffffffffffff});
  return text;
}

struct Appointment {
  int64_t created_at;
  std::string id;
  std::string agent_name;
  bool inbound;
};

bool Before(const Appointment& a, int64_t created_at, const std::string& id) {
  return a.created_at != created_at ? a.created_at < created_at : a.id < id;
}

std::string Cursor(const Appointment& a) {
  return std::to_string(a.created_at) + ":" + a.id;
}

bool ParseCursor(const std::string& cursor, int64_t* created_at,
                 std::string* id) {
  const size_t colon = cursor.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    size_t used = 0;
    *created_at = std::stoll(cursor.substr(0, colon), &used);
    if (used != colon) return false;
  } catch (...) {
    return false;
  }
  *id = cursor.substr(colon + 1);
  return true;
}

struct GraphqlArgs {
  int64_t from = INT64_MIN;
  int64_t to = INT64_MAX;
  std::optional<std::string> after;
  int first = kDefaultFirst;
};

// Reads variables.{from,to,after,first}; returns "" or an error message.
std::string ParseArgs(const rapidjson::Value& body, GraphqlArgs* args) {
  auto vars = body.FindMember("variables");
  if (vars == body.MemberEnd() || vars->value.IsNull()) return "";
  if (!vars->value.IsObject()) return "variables must be an object";
  const rapidjson::Value& v = vars->value;
  for (const char* name : {"from", "to"}) {
    auto it = v.FindMember(name);
    if (it == v.MemberEnd() || it->value.IsNull()) continue;
    auto t = it->value.IsString() ? ParseRfc3339(it->value.GetString())
                                  : std::nullopt;
    if (!t) {
      return std::string("Variable \"$") + name +
             "\" got invalid value; expected a DateTime";
    }
    const int64_t s =
        std::chrono::floor<Seconds>(*t).time_since_epoch().count();
    (std::string_view(name) == "from" ? args->from : args->to) = s;
  }
  auto after = v.FindMember("after");
  if (after != v.MemberEnd() && !after->value.IsNull()) {
    if (!after->value.IsString()) return "Variable \"$after\" must be a String";
    args->after = after->value.GetString();
  }
  auto first = v.FindMember("first");
  if (first != v.MemberEnd() && !first->value.IsNull()) {
    if (!first->value.IsInt() || first->value.GetInt() < 1 ||
        first->value.GetInt() > kMaxFirst) {
      return "Variable \"$first\" must be an Int from 1 to 1000";
    }
    args->first = first->value.GetInt();
  }
  return "";
}

void WriteNode(JsonWriter* w, const Appointment& a) {
  w->StartObject();
  w->Key("node");
  w->StartObject();
  WriteMember(w, "id", a.id);
  WriteMember(w, "disposition", "APPOINTMENT_BOOKED");
  WriteMember(w, "agentName", a.agent_name);
  WriteMember(w, "direction", a.inbound ? "INBOUND" : "OUTBOUND");
  WriteMember(w, "callStatus", "COMPLETED");
  WriteMember(w, "createdAt", FormatRfc3339(TimePoint(Seconds(a.created_at))));
  w->EndObject();
  w->EndObject();
}

// Appointments created in [from, min(to, now)], ordered by (createdAt, id).
std::vector<Appointment> CollectAppointments(TrafficModel* traffic,
                                             const Account& account,
                                             const GraphqlArgs& args,
                                             int64_t now) {
  const int64_t to = std::min(args.to, now);
  const Date today = traffic->DateOf(now);
  Date first_day = AddDays(today, -kMaxLookbackDays);
  if (args.from != INT64_MIN) {
    // A night call that started the day before may be created after `from`.
    const int64_t earliest_start =
        traffic->CrossesMidnight() ? args.from - 86400 : args.from;
    first_day = std::max(first_day, traffic->DateOf(earliest_start));
  }
  std::vector<Appointment> items;
  for (Date date = first_day; date <= today && traffic->Midnight(date) <= to;
       date = AddDays(date, 1)) {
    auto day = traffic->Day(date);
    for (const Call& call : day->calls) {
      if (!call.answered || call.agent < 0 ||
          call.disposition != kAppointmentBooked) {
        continue;
      }
      if (call.wrap_end < args.from || call.wrap_end > to) continue;
      items.push_back({call.wrap_end, NodeId(call.ucid),
                       account.agents[call.agent].name, call.inbound()});
    }
  }
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return Before(a, b.created_at, b.id);
  });
  return items;
}

std::string ConnectionBody(const std::vector<Appointment>& items, size_t begin,
                           size_t end) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("data");
  w.StartObject();
  w.Key("calls");
  w.StartObject();
  WriteMember(&w, "totalCount", static_cast<int64_t>(items.size()));
  w.Key("edges");
  w.StartArray();
  for (size_t i = begin; i < end; ++i) WriteNode(&w, items[i]);
  w.EndArray();
  w.Key("pageInfo");
  w.StartObject();
  w.Key("hasNextPage");
  w.Bool(end < items.size());
  w.Key("endCursor");
  if (end > begin) {
    WriteString(&w, Cursor(items[end - 1]));
  } else {
    w.Null();
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

HttpResponse Simulator::Graphql(const HttpRequest& request) {
  if (request.method != "POST") {
    return GraphqlErrors(405, "Only POST is supported");
  }
  if (request.Header("Authorization") != "Bearer " + options_.crm_api_key) {
    return GraphqlErrors(401, "Unauthorized");
  }
  if (faults_.Roll(FaultKind::kGraphql)) {
    return GraphqlErrors(200, "Internal server error (injected)");
  }
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  if (body.HasParseError() || !body.IsObject()) {
    return GraphqlErrors(200, "Body must be a JSON object with a query");
  }
  const std::string query = MemberText(body, "query").value_or("");
  if (query.find("calls") == std::string::npos) {
    return GraphqlErrors(200,
                         "Cannot query field on type \"Query\": only "
                         "\"calls\" is available");
  }
  GraphqlArgs args;
  if (std::string error = ParseArgs(body, &args); !error.empty()) {
    return GraphqlErrors(200, error);
  }
  int64_t after_created = 0;
  std::string after_id;
  if (args.after && !ParseCursor(*args.after, &after_created, &after_id)) {
    return GraphqlErrors(200, "Invalid cursor");
  }

  const std::vector<Appointment> items =
      CollectAppointments(&traffic_, account_, args, NowSeconds());
  size_t begin = 0;
  if (args.after) {
    // Items at or before the cursor come first in the sorted list.
    auto first_after = std::partition_point(
        items.begin(), items.end(), [&](const Appointment& item) {
          return Before(item, after_created, after_id) ||
                 (item.created_at == after_created && item.id == after_id);
        });
    begin = static_cast<size_t>(first_after - items.begin());
  }
  const size_t end =
      std::min(items.size(), begin + static_cast<size_t>(args.first));
  return HttpResponse::Json(200, ConnectionBody(items, begin, end));
}

}  // namespace callcenter::sim
