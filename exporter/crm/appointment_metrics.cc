#include "crm/appointment_metrics.h"

#include <utility>

namespace callcenter::crm {
namespace {

std::string MakeHelp(const AppointmentMetricsOptions& options) {
  return "Appointments booked in the CRM, by agent (the CDR AgentID of the "
         "CRM's agent name, else the name; unassigned when empty), each CRM "
         "node counted once. Cached: counted from the CRM GraphQL API, polled "
         "every crm.interval (" +
         std::to_string(options.interval.count()) +
         " s) within crm.requests_per_minute (" +
         std::to_string(options.requests_per_minute) + ").";
}

}  // namespace

AppointmentMetrics::AppointmentMetrics(AppointmentMetricsOptions options)
    : options_(std::move(options)), help_(MakeHelp(options_)) {}

void AppointmentMetrics::Count(const std::string& agent) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (booked_.size() >= options_.max_agents && booked_.count(agent) == 0) {
    ++booked_["other"];
    return;
  }
  ++booked_[agent];
}

void AppointmentMetrics::KnowAgent(const std::string& agent) {
  std::lock_guard<std::mutex> lock(mutex_);
  booked_.try_emplace(agent, 0);
}

uint64_t AppointmentMetrics::Booked(const std::string& agent) const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t total = 0;
  for (const auto& [name, n] : booked_) {
    if ((options_.agent_label ? options_.agent_label(name) : name) == agent) {
      total += n;
    }
  }
  return total;
}

uint64_t AppointmentMetrics::Total() const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t total = 0;
  for (const auto& [agent, n] : booked_) total += n;
  return total;
}

std::vector<core::FamilySpec> AppointmentMetrics::Families() const {
  std::vector<std::string> labels;
  if (options_.per_agent) labels.push_back("agent");
  return {{"crm_appointments_booked_total", help_, core::MetricType::kCounter,
           labels}};
}

void AppointmentMetrics::Render(core::MetricSink& sink) const {
  const auto families = Families();
  sink.Begin(families[0]);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!options_.per_agent) {
    // One team-wide series, present at 0 before the first booking so the
    // conversion ratio reads 0 rather than nothing.
    uint64_t total = 0;
    for (const auto& [agent, n] : booked_) total += n;
    sink.Sample({}, static_cast<double>(total));
    return;
  }
  std::map<std::string, uint64_t> by_label;
  for (const auto& [agent, n] : booked_) {
    by_label[options_.agent_label ? options_.agent_label(agent) : agent] += n;
  }
  if (options_.known_agents) {
    for (const auto& agent : options_.known_agents()) {
      by_label.try_emplace(agent, 0);
    }
  }
  for (const auto& [agent, n] : by_label) {
    sink.Sample({{"agent", agent}}, static_cast<double>(n));
  }
}

void AppointmentMetrics::Save(
    rapidjson::Writer<rapidjson::StringBuffer>* w) const {
  std::lock_guard<std::mutex> lock(mutex_);
  w->StartObject();
  w->Key("booked");
  w->StartArray();
  for (const auto& [agent, n] : booked_) {
    w->StartArray();
    w->String(agent.c_str(), static_cast<rapidjson::SizeType>(agent.size()));
    w->Uint64(n);
    w->EndArray();
  }
  w->EndArray();
  w->EndObject();
}

bool AppointmentMetrics::Load(const rapidjson::Value& value,
                              std::string* error) {
  if (!value.IsObject() || !value.HasMember("booked") ||
      !value["booked"].IsArray()) {
    *error = "appointment counters are malformed";
    return false;
  }
  std::map<std::string, uint64_t> booked;
  for (const auto& row : value["booked"].GetArray()) {
    if (!row.IsArray() || row.Size() != 2 || !row[0].IsString() ||
        !row[1].IsUint64()) {
      *error = "appointment counters are malformed";
      return false;
    }
    booked[std::string(row[0].GetString(), row[0].GetStringLength())] =
        row[1].GetUint64();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  booked_ = std::move(booked);
  return true;
}

}  // namespace callcenter::crm
