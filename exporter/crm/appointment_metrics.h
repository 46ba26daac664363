// crm_appointments_booked_total: appointments counted from the CRM, by agent.
// Exact integer state, saved and restored like CdrMetrics, so a restart
// renders the same values it rendered before.
#ifndef CALLCENTER_CRM_APPOINTMENT_METRICS_H_
#define CALLCENTER_CRM_APPOINTMENT_METRICS_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/metric_source.h"

namespace callcenter::crm {

struct AppointmentMetricsOptions {
  bool per_agent = true;
  // Only quoted in HELP, so readers know how stale a value can be.
  Seconds interval{60};
  int requests_per_minute = 6;
  // Maps a stored CRM agent name to its label at render time, so a booking
  // counted before the name's AgentID was learned from CDRs moves to the
  // AgentID series once it is. Identity when empty.
  std::function<std::string(const std::string&)> agent_label;
  // Labels rendered at 0 until their first booking, so Prometheus sees the
  // series before it counts and increase() never loses a first booking.
  std::function<std::vector<std::string>()> known_agents;
  // Distinct CRM agent names kept; later ones count as "other", so a CRM
  // that invents names cannot explode the series count.
  size_t max_agents = 10000;
};

class AppointmentMetrics final : public core::MetricSource {
 public:
  explicit AppointmentMetrics(AppointmentMetricsOptions options);

  // `agent` is the CRM's agent name (or "unassigned"); see agent_label.
  void Count(const std::string& agent);
  // Pre-creates an agent's series at 0 so it exists before the first booking.
  void KnowAgent(const std::string& agent);
  // Bookings under the label `agent` (after agent_label mapping).
  uint64_t Booked(const std::string& agent) const;
  uint64_t Total() const;

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

  void Save(rapidjson::Writer<rapidjson::StringBuffer>* writer) const;
  // Replaces the counts; on false (with `error`) nothing changed.
  bool Load(const rapidjson::Value& value, std::string* error);

 private:
  const AppointmentMetricsOptions options_;
  const std::string help_;
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> booked_;  // by CRM agent name
};

}  // namespace callcenter::crm

#endif  // CALLCENTER_CRM_APPOINTMENT_METRICS_H_
