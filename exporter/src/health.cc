#include "callcenter/health.h"

namespace callcenter {

ApiHealth::ApiHealth(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  for (const auto& api : options_.apis) {
    State& state = states_[api];
    for (const auto& reason : options_.reasons) state.failures[reason] = 0;
  }
}

void ApiHealth::RecordRequest(const std::string& api,
                              std::string_view failure_reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& state = states_[api];
  ++state.requests;
  if (!failure_reason.empty()) ++state.failures[std::string(failure_reason)];
}

void ApiHealth::RecordPoll(const std::string& api, bool success,
                           double duration_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& state = states_[api];
  state.up = success;
  state.poll_duration = duration_seconds;
  if (success) state.last_success = ToUnixSeconds(clock_.Now());
}

void ApiHealth::SetLimit(const std::string& api, int requests,
                         double window_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  states_[api].limit = std::make_pair(requests, window_seconds);
}

Labels ApiHealth::ApiLabels(const std::string& api) const {
  if (!options_.api_label) return {};
  return {{"api", api}};
}

void ApiHealth::Collect(std::vector<prometheus::MetricFamily>* out) const {
  using prometheus::MetricType;
  const std::string& p = options_.prefix;
  const std::string upstream =
      p == "crm" ? "the CRM GraphQL API" : "this Ozonetel API";
  auto up = MakeFamily(
      p + "_up", "1 if the last poll of " + upstream + " succeeded, else 0.",
      MetricType::Gauge);
  auto last = MakeFamily(p + "_last_success_timestamp_seconds",
                         "Unix time of the last successful poll of " +
                             upstream + "; staleness is time() minus this.",
                         MetricType::Gauge);
  auto requests = MakeFamily(p + "_api_requests_total",
                             "Requests sent to " + upstream +
                                 ", retries and token generations included.",
                             MetricType::Counter);
  auto failures =
      MakeFamily(p + "_api_request_failures_total",
                 "Requests to " + upstream + " that failed, by reason.",
                 MetricType::Counter);
  auto duration = MakeFamily(p + "_poll_duration_seconds",
                             "Duration of the last poll of " + upstream +
                                 ", waits for the rate budget included.",
                             MetricType::Gauge);
  auto limit =
      MakeFamily(p + "_api_limit_requests",
                 "Configured request budget per window.", MetricType::Gauge);
  auto window = MakeFamily(p + "_api_limit_window_seconds",
                           "Length of the request budget's sliding window.",
                           MetricType::Gauge);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [api, state] : states_) {
    const Labels labels = ApiLabels(api);
    AddGauge(&up, labels, state.up ? 1 : 0);
    if (state.last_success) AddGauge(&last, labels, *state.last_success);
    AddCounter(&requests, labels, static_cast<double>(state.requests));
    for (const auto& [reason, count] : state.failures) {
      Labels with_reason = labels;
      with_reason.emplace_back("reason", reason);
      AddCounter(&failures, with_reason, static_cast<double>(count));
    }
    if (state.poll_duration) AddGauge(&duration, labels, *state.poll_duration);
    if (state.limit) {
      AddGauge(&limit, labels, state.limit->first);
      AddGauge(&window, labels, state.limit->second);
    }
  }
  for (auto* family :
       {&up, &last, &requests, &failures, &duration, &limit, &window}) {
    if (!family->metric.empty()) out->push_back(std::move(*family));
  }
}

ProcessInfo::ProcessInfo(std::string version, std::string revision,
                         double start_time)
    : version_(std::move(version)),
      revision_(std::move(revision)),
      start_time_(start_time) {}

void ProcessInfo::Collect(std::vector<prometheus::MetricFamily>* out) const {
  using prometheus::MetricType;
  auto build = MakeFamily("callcenter_exporter_build_info",
                          "Build metadata of callcenter_exporter; always 1.",
                          MetricType::Gauge);
  AddGauge(&build, {{"version", version_}, {"revision", revision_}}, 1);
  out->push_back(std::move(build));
  auto start = MakeFamily("process_start_time_seconds",
                          "Start time of the process since the Unix epoch.",
                          MetricType::Gauge);
  AddGauge(&start, {}, start_time_);
  out->push_back(std::move(start));
}

}  // namespace callcenter
