// Exact call counters built from call detail records, in two stages: what is
// final at hang-up (the call, its direction and status, talk and hold
// seconds, the histograms) counts on the first poll that sees the ended
// call; what is final only after wrap-up (disposition, wrap-up and handling
// seconds) counts once the wrap-up is over. Everything is integer seconds
// and counts, sums saturate, and a restored state renders the same bytes.
#ifndef CALLCENTER_OZONETEL_CDR_METRICS_H_
#define CALLCENTER_OZONETEL_CDR_METRICS_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/metric_source.h"

namespace callcenter::ozonetel {

// One call, reduced to what the metrics need. No ids, no numbers.
struct CallFacts {
  std::string agent;  // the directory's label: AgentID, unassigned or other
  bool inbound = false;
  bool answered = false;
  std::string disposition;  // raw text, "" when none was picked
  std::string campaign;     // "" when absent
  int64_t talk = 0;
  int64_t hold = 0;
  int64_t wrapup = 0;
  int64_t handling = 0;
  int64_t queue_wait = 0;  // time to answer, for answered inbound calls
};

struct CdrMetricsOptions {
  bool per_agent = true;
  int max_dispositions = 50;
  int max_campaigns = 50;
};

class CdrMetrics final : public core::MetricSource {
 public:
  explicit CdrMetrics(CdrMetricsOptions options);

  // Stage one: the call itself (final at hang-up).
  void CountCall(const CallFacts& call);
  // Stage two: what the wrap-up decides.
  void CountSettlement(const CallFacts& call);
  // Pre-creates an agent's call series at 0 so they never go missing.
  void KnowAgent(const std::string& agent);

  // Campaign labels seen so far (within max_campaigns), for campaign AHT.
  std::vector<std::string> Campaigns() const;

  // Rendering is withheld until `Publish()`: see CdrPoller::CaughtUp.
  void Publish() { published_.store(true); }
  bool published() const { return published_.load(); }

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

  void Save(rapidjson::Writer<rapidjson::StringBuffer>* writer) const;
  bool Load(const rapidjson::Value& value, std::string* error);

  static const std::vector<int64_t>& QueueWaitBounds();
  static const std::vector<int64_t>& TalkDurationBounds();

 private:
  enum Part { kTalk = 0, kHold, kWrapup, kHandling, kParts };
  // (agent, direction, status) and (campaign, direction, status).
  using CallKey = std::tuple<std::string, std::string, std::string>;
  using AgentDirection = std::pair<std::string, std::string>;

  std::string DispositionLabel(const std::string& raw);
  std::string CampaignLabel(const std::string& raw);
  void RenderCalls(core::MetricSink& sink) const;
  void RenderSeconds(core::MetricSink& sink) const;
  void RenderHistograms(core::MetricSink& sink) const;

  const CdrMetricsOptions options_;
  const std::vector<core::FamilySpec> families_;
  std::atomic<bool> published_{false};
  mutable std::mutex mutex_;
  std::map<CallKey, uint64_t> calls_;
  std::map<std::pair<std::string, std::string>, uint64_t> dispositions_;
  std::map<AgentDirection, std::array<int64_t, kParts>> seconds_;
  std::map<CallKey, uint64_t> campaign_calls_;
  std::map<std::string, core::IntHistogram> talk_durations_;  // by direction
  std::map<std::string, core::IntHistogram> queue_waits_;     // by campaign
  std::set<std::string> admitted_dispositions_;
  std::set<std::string> admitted_campaigns_;
};

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_CDR_METRICS_H_
