#include "centre.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <array>
#include <cstdio>

#include "callcenter/common/timeutil.h"
#include "crm/api.h"
#include "crm/crm_poller.h"
#include "ozonetel/client.h"
#include "ozonetel/failure.h"

namespace callcenter::bench {
namespace {

constexpr Seconds kIst{5 * 3600 + 30 * 60};
// Calls per agent: enough for every direction, status and disposition, with
// counts and second sums of a working day's magnitude.
constexpr int kCallsPerAgent = 12;
// The simulator's disposition list (simulator/src/account.cc); "" renders
// as "none".
constexpr std::array<const char*, 7> kDispositions = {
    "APPOINTMENT_BOOKED", "CALLBACK", "NOT_INTERESTED",  "INFORMATION_PROVIDED",
    "WRONG_NUMBER",       "",         "WRAP_UP_EXCEEDED"};

std::string AgentName(int index) {
  char name[32];
  std::snprintf(name, sizeof(name), "Agent %04d", index + 1);
  return name;
}

const char* Campaign(bool inbound, int k) {
  if (inbound) return k % 4 == 0 ? "Inbound_Main" : "Inbound_Support";
  return k % 4 == 1 ? "Outbound_Sales" : "Outbound_Followup";
}

ozonetel::CallFacts MakeCall(const std::string& agent, int index, int k) {
  const int dispositions = 5 + index % 2;  // D of the series formula
  ozonetel::CallFacts call;
  call.agent = agent;
  call.inbound = k % 2 == 0;
  call.answered = k % 4 != 3;
  call.disposition = kDispositions[static_cast<size_t>(k % dispositions)];
  call.campaign = Campaign(call.inbound, k);
  // Varied so that the values have a day's number of digits.
  const int spread = (index * 7919 + k * 104729) % 1000;
  call.talk = call.answered ? 60 + spread : 0;
  call.hold = call.answered ? spread % 90 : 0;
  call.wrapup = 5 + spread % 85;
  call.handling = call.talk + call.hold + call.wrapup;
  call.queue_wait = call.inbound && call.answered ? spread % 300 : 0;
  return call;
}

// Registers each family and series of a MetricSource in a prometheus-cpp
// Registry, with the values the source renders.
class RegistrySink final : public core::MetricSink {
 public:
  explicit RegistrySink(prometheus::Registry* registry)
      : registry_(*registry) {}

  void Begin(const core::FamilySpec& family) override {
    type_ = family.type;
    switch (family.type) {
      case core::MetricType::kCounter:
        counters_ = &prometheus::BuildCounter()
                         .Name(family.name)
                         .Help(family.help)
                         .Register(registry_);
        break;
      case core::MetricType::kGauge:
        gauges_ = &prometheus::BuildGauge()
                       .Name(family.name)
                       .Help(family.help)
                       .Register(registry_);
        break;
      case core::MetricType::kHistogram:
        histograms_ = &prometheus::BuildHistogram()
                           .Name(family.name)
                           .Help(family.help)
                           .Register(registry_);
        break;
    }
  }

  void Sample(const core::LabelSet& labels, double value) override {
    if (type_ == core::MetricType::kCounter) {
      counters_->Add(ToLabels(labels)).Increment(value);
    } else {
      gauges_->Add(ToLabels(labels)).Set(value);
    }
  }

  void Histogram(const core::LabelSet& labels,
                 const core::HistogramSample& sample) override {
    const prometheus::Histogram::BucketBoundaries bounds(sample.bounds.begin(),
                                                         sample.bounds.end());
    const std::vector<double> increments(sample.buckets.begin(),
                                         sample.buckets.end());
    histograms_->Add(ToLabels(labels), bounds)
        .ObserveMultiple(increments, sample.sum);
  }

 private:
  static prometheus::Labels ToLabels(const core::LabelSet& labels) {
    prometheus::Labels out;
    for (const core::Label& label : labels.view()) {
      out.emplace(std::string(label.name), std::string(label.value));
    }
    return out;
  }

  prometheus::Registry& registry_;
  core::MetricType type_ = core::MetricType::kGauge;
  prometheus::Family<prometheus::Counter>* counters_ = nullptr;
  prometheus::Family<prometheus::Gauge>* gauges_ = nullptr;
  prometheus::Family<prometheus::Histogram>* histograms_ = nullptr;
};

core::SourceHealth::Options OzonetelHealthOptions() {
  return {"ozonetel",
          "this Ozonetel API",
          {ozonetel::kCdrApi, ozonetel::kSummaryApi, ozonetel::kAhtApi},
          true,
          ozonetel::FailureReasonNames()};
}

core::SourceHealth::Options CrmHealthOptions() {
  return {"crm",
          "the CRM GraphQL API",
          {crm::kCrmApi},
          false,
          crm::FailureReasonNames()};
}

}  // namespace

std::string AgentId(int index) {
  char id[32];
  std::snprintf(id, sizeof(id), "agent%04d", index + 1);
  return id;
}

Centre::Centre(int agents, const Clock& clock)
    : agents_(agents),
      clock_(clock),
      directory_(std::make_unique<directory::AgentDirectory>(
          directory::DirectoryConfig{{}, {}, 20000, true})),
      cdr_(std::make_unique<ozonetel::CdrMetrics>(
          ozonetel::CdrMetricsOptions{true, 50, 50})),
      states_(std::make_unique<ozonetel::AgentStateMetrics>(true)),
      aht_(std::make_unique<ozonetel::AhtMetrics>(true)),
      ozonetel_health_(
          std::make_unique<core::SourceHealth>(OzonetelHealthOptions(), clock)),
      crm_health_(
          std::make_unique<core::SourceHealth>(CrmHealthOptions(), clock)) {
  cdr_->Publish();
  cdr_->KnowAgent(directory::kUnassignedAgent);
  for (int agent = 0; agent < agents; ++agent) CountCalls(agent);
  FillStates(agents);
  FillAht(agents);
  FillAppointments(agents);
  for (const char* api :
       {ozonetel::kCdrApi, ozonetel::kSummaryApi, ozonetel::kAhtApi}) {
    ozonetel_health_->RecordRequest(api, {});
    ozonetel_health_->RecordPoll(api, true, 0.25);
  }
  ozonetel_health_->SetLimit(ozonetel::kCdrApi, 2, 60);
  crm_health_->RecordRequest(crm::kCrmApi, {});
  crm_health_->RecordPoll(crm::kCrmApi, true, 0.1);
}

void Centre::CountCalls(int agent) {
  const double last_call = ToUnixSeconds(clock_.Now()) - agent;
  const std::string label =
      directory_->Learn(AgentId(agent), AgentName(agent), last_call);
  for (int k = 0; k < kCallsPerAgent; ++k) {
    const ozonetel::CallFacts call = MakeCall(label, agent, k);
    cdr_->CountCall(call);
    cdr_->CountSettlement(call);
  }
}

void Centre::FillStates(int agents) {
  ozonetel::AgentStateMetrics::Values values;
  values.day = LocalDate(clock_.Now(), kIst);
  for (int agent = 0; agent < agents; ++agent) {
    const int64_t spread = (agent * 7919) % 1800;
    values.agents[AgentId(agent)] = {28800 + spread, 16000 + spread,
                                     6000 + spread,  2400 + spread % 600,
                                     3000 + spread,  1200 + spread % 300};
  }
  states_->Replace(std::move(values));
}

void Centre::FillAht(int agents) {
  const double now = ToUnixSeconds(clock_.Now());
  for (int agent = 0; agent < agents; ++agent) {
    aht_->Set({ozonetel::AhtTarget::Kind::kAgent, AgentId(agent)},
              180 + agent % 240, now - agent % 3600);
  }
  for (const std::string& campaign : cdr_->Campaigns()) {
    aht_->Set({ozonetel::AhtTarget::Kind::kCampaign, campaign}, 240, now);
  }
}

void Centre::FillAppointments(int agents) {
  directory::AgentDirectory* directory = directory_.get();
  appointments_ = std::make_unique<crm::AppointmentMetrics>(
      crm::AppointmentMetricsOptions{true, Seconds(60), 6,
                                     [directory](const std::string& name) {
                                       return crm::AgentLabel(name, *directory);
                                     },
                                     [directory] { return directory->Ids(); }});
  // The CRM names agents by display name; the directory maps them to ids.
  for (int agent = 0; agent < agents; agent += 3) {
    appointments_->Count(AgentName(agent));
  }
}

void Centre::ChangeAht(int agent, int64_t seconds) {
  aht_->Set({ozonetel::AhtTarget::Kind::kAgent, AgentId(agent)}, seconds,
            ToUnixSeconds(clock_.Now()));
}

std::vector<NamedSource> Centre::Sources() const {
  return {{"directory", directory_.get(), false},
          {"ozonetel_cdr", cdr_.get(), false},
          {"ozonetel_summary", states_.get(), false},
          {"ozonetel_aht", aht_.get(), false},
          {"ozonetel_health", ozonetel_health_.get(), true},
          {"ozonetel_records", &record_stats_, true},
          {"crm_appointments", appointments_.get(), false},
          {"crm_health", crm_health_.get(), true}};
}

std::shared_ptr<prometheus::Registry> MakeRegistry(
    const std::vector<NamedSource>& sources) {
  auto registry = std::make_shared<prometheus::Registry>();
  RegistrySink sink(registry.get());
  for (const NamedSource& source : sources) source.source->Render(sink);
  return registry;
}

size_t CountSeries(std::string_view text) {
  size_t series = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    if (end > at && text[at] != '#') ++series;
    at = end + 1;
  }
  return series;
}

}  // namespace callcenter::bench
