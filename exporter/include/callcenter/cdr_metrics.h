// Exact call counters built from settled call detail records. Everything is
// integer seconds and counts, so a restored state renders the same bytes it
// rendered before the restart.
#ifndef CALLCENTER_CDR_METRICS_H_
#define CALLCENTER_CDR_METRICS_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "callcenter/metric_source.h"

namespace callcenter {

// One settled call, reduced to what the metrics need. No ids, no numbers.
struct CallFacts {
  std::string agent;      // AgentID, or "unassigned"
  std::string direction;  // "inbound" or "outbound"
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

class CdrMetrics final : public MetricSource {
 public:
  explicit CdrMetrics(CdrMetricsOptions options);

  void Count(const CallFacts& call);
  // Pre-creates an agent's call series at 0 so they never go missing.
  void KnowAgent(const std::string& agent);

  // Campaign labels seen so far (within max_campaigns), for campaign AHT.
  std::vector<std::string> Campaigns() const;

  void Collect(std::vector<prometheus::MetricFamily>* out) const override;

  void Save(rapidjson::Writer<rapidjson::StringBuffer>* writer) const;
  bool Load(const rapidjson::Value& value, std::string* error);

  static const std::vector<int64_t>& QueueWaitBounds();
  static const std::vector<int64_t>& TalkDurationBounds();

 private:
  enum Part { kTalk = 0, kHold, kWrapup, kHandling, kParts };
  using CallKey = std::tuple<std::string, std::string, std::string>;
  using AgentDirection = std::pair<std::string, std::string>;

  std::string DispositionLabel(const std::string& raw);
  std::string CampaignLabel(const std::string& raw);
  std::string AgentLabel(const std::string& agent) const;
  void CollectCalls(std::vector<prometheus::MetricFamily>* out) const;
  void CollectSeconds(std::vector<prometheus::MetricFamily>* out) const;
  void CollectHistograms(std::vector<prometheus::MetricFamily>* out) const;

  const CdrMetricsOptions options_;
  mutable std::mutex mutex_;
  std::map<CallKey, uint64_t> calls_;  // agent, direction, status
  std::map<std::pair<std::string, std::string>, uint64_t> dispositions_;
  std::map<AgentDirection, std::array<int64_t, kParts>> seconds_;
  std::map<CallKey, uint64_t> campaign_calls_;  // campaign, direction, status
  std::map<std::string, IntHistogram> talk_durations_;  // by direction
  std::map<std::string, IntHistogram> queue_waits_;     // by campaign
  std::set<std::string> admitted_dispositions_;
  std::set<std::string> admitted_campaigns_;
};

}  // namespace callcenter

#endif  // CALLCENTER_CDR_METRICS_H_
