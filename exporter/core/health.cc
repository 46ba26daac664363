#include "core/health.h"

namespace callcenter::core {
namespace {

enum Family {
  kUp,
  kLastSuccess,
  kRequests,
  kFailures,
  kDuration,
  kLimit,
  kWindow,
  kFamilies
};

}  // namespace

SourceHealth::SourceHealth(Options options, const Clock& clock)
    : options_(std::move(options)), families_(MakeFamilies()), clock_(clock) {
  for (const auto& api : options_.apis) {
    State& state = states_[api];
    for (const auto& reason : options_.reasons) state.failures[reason] = 0;
  }
}

void SourceHealth::RecordRequest(const std::string& api,
                                 std::string_view failure_reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& state = states_[api];
  ++state.requests;
  if (!failure_reason.empty()) ++state.failures[std::string(failure_reason)];
}

void SourceHealth::RecordPoll(const std::string& api, bool success,
                              double duration_seconds,
                              const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& state = states_[api];
  state.up = success;
  state.polled = true;
  state.poll_duration = duration_seconds;
  if (success) {
    state.last_success = ToUnixSeconds(clock_.Now());
  } else {
    state.last_error = error;
  }
}

void SourceHealth::SetLimit(const std::string& api, int requests,
                            double window_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  states_[api].limit = std::make_pair(requests, window_seconds);
}

std::vector<SourceHealth::Status> SourceHealth::Statuses() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Status> out;
  for (const auto& [api, state] : states_) {
    out.push_back({api, state.up, state.polled, state.last_success,
                   state.requests, state.last_error, state.limit});
  }
  return out;
}

std::vector<FamilySpec> SourceHealth::Families() const { return families_; }

std::vector<FamilySpec> SourceHealth::MakeFamilies() const {
  const std::string& p = options_.prefix;
  const std::string& upstream = options_.upstream;
  std::vector<std::string> api;
  if (options_.api_label) api.push_back("api");
  std::vector<std::string> api_reason = api;
  api_reason.push_back("reason");
  return {
      {p + "_up", "1 if the last poll of " + upstream + " succeeded, else 0.",
       MetricType::kGauge, api},
      {p + "_last_success_timestamp_seconds",
       "Time of the last successful poll of " + upstream +
           ", on the exporter's clock; its age is "
           "callcenter_exporter_time_seconds minus this.",
       MetricType::kGauge, api},
      {p + "_api_requests_total",
       "Requests sent to " + upstream +
           ", retries and token generations included.",
       MetricType::kCounter, api},
      {p + "_api_request_failures_total",
       "Requests to " + upstream + " that failed, by reason.",
       MetricType::kCounter, api_reason},
      {p + "_poll_duration_seconds",
       "Duration of the last poll of " + upstream +
           ", waits for the rate budget excluded.",
       MetricType::kGauge, api},
      {p + "_api_limit_requests", "Configured request budget per window.",
       MetricType::kGauge, api},
      {p + "_api_limit_window_seconds",
       "Length of the request budget's sliding window.", MetricType::kGauge,
       api},
  };
}

void SourceHealth::Render(MetricSink& sink) const {
  const std::vector<FamilySpec>& families = families_;
  std::lock_guard<std::mutex> lock(mutex_);
  auto labels = [&](const std::string& api) {
    LabelSet set;
    if (options_.api_label) set.Add("api", api);
    return set;
  };
  sink.Begin(families[kUp]);
  for (const auto& [api, state] : states_) {
    sink.Sample(labels(api), state.up ? 1 : 0);
  }
  sink.Begin(families[kLastSuccess]);
  for (const auto& [api, state] : states_) {
    if (state.last_success) sink.Sample(labels(api), *state.last_success);
  }
  sink.Begin(families[kRequests]);
  for (const auto& [api, state] : states_) {
    sink.Sample(labels(api), static_cast<double>(state.requests));
  }
  sink.Begin(families[kFailures]);
  for (const auto& [api, state] : states_) {
    for (const auto& [reason, count] : state.failures) {
      LabelSet with_reason = labels(api);
      with_reason.Add("reason", reason);
      sink.Sample(with_reason, static_cast<double>(count));
    }
  }
  sink.Begin(families[kDuration]);
  for (const auto& [api, state] : states_) {
    if (state.poll_duration) sink.Sample(labels(api), *state.poll_duration);
  }
  sink.Begin(families[kLimit]);
  for (const auto& [api, state] : states_) {
    if (state.limit) sink.Sample(labels(api), state.limit->first);
  }
  sink.Begin(families[kWindow]);
  for (const auto& [api, state] : states_) {
    if (state.limit) sink.Sample(labels(api), state.limit->second);
  }
}

}  // namespace callcenter::core
