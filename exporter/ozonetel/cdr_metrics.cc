#include "ozonetel/cdr_metrics.h"

#include "callcenter/common/strings.h"

namespace callcenter::ozonetel {
namespace {

using core::FamilySpec;
using core::LabelSet;
using core::MetricType;

constexpr char kCacheNote[] =
    " Cached: counted from Ozonetel fetchCDRDetails (2 requests/min), polled "
    "about every 31 s; a call counts at the first poll after it ended.";
constexpr char kSettleNote[] =
    " Cached: counted from Ozonetel fetchCDRDetails once the call's wrap-up "
    "is over (WrapUpEndTime) or settle_timeout passed.";

const char* const kPartNames[] = {"talk", "hold", "wrapup", "handling"};
const char* const kPartSources[] = {"TalkTime", "HoldDuration",
                                    "WrapupDuration", "HandlingTime"};

enum FamilyIndex {
  kCalls,
  kDispositions,
  kCampaignCalls,
  kSecondsFirst,  // four families, one per part
  kTalkDuration = kSecondsFirst + 4,
  kQueueWait,
};

const char* StatusLabel(bool answered) {
  return answered ? "answered" : "unanswered";
}

const char* DirectionLabel(bool inbound) {
  return inbound ? "inbound" : "outbound";
}

std::vector<FamilySpec> MakeFamilies(bool per_agent) {
  auto with_agent = [&](std::vector<std::string> labels) {
    if (per_agent) labels.insert(labels.begin(), "agent");
    return labels;
  };
  std::vector<FamilySpec> families = {
      {"ozonetel_calls_total",
       std::string("Calls by agent (AgentID, unassigned, or other past "
                   "max_agents), direction (inbound for Type InBound, else "
                   "outbound) and status (answered, else unanswered).") +
           kCacheNote,
       MetricType::kCounter, with_agent({"direction", "status"})},
      {"ozonetel_call_dispositions_total",
       std::string("Calls by disposition (none when empty; values past "
                   "max_dispositions are other).") +
           kSettleNote,
       MetricType::kCounter, with_agent({"disposition"})},
      {"ozonetel_campaign_calls_total",
       std::string("Calls by campaign (values past max_campaigns are other), "
                   "direction and status.") +
           kCacheNote,
       MetricType::kCounter, {"campaign", "direction", "status"}},
  };
  for (int part = 0; part < 4; ++part) {
    families.push_back(
        {std::string("ozonetel_call_") + kPartNames[part] + "_seconds_total",
         std::string("Sum of ") + kPartSources[part] +
             " over counted calls, by agent and direction." +
             (part < 2 ? kCacheNote : kSettleNote),
         MetricType::kCounter, with_agent({"direction"})});
  }
  families.push_back(
      {"ozonetel_call_talk_duration_seconds",
       std::string("TalkTime of answered calls, by direction.") + kCacheNote,
       MetricType::kHistogram,
       {"direction"}});
  families.push_back(
      {"ozonetel_call_queue_wait_seconds",
       std::string("Wait before answer (TimeToAnswer, else QueueTime) of "
                   "answered inbound calls, by campaign.") +
           kCacheNote,
       MetricType::kHistogram,
       {"campaign"}});
  return families;
}

void WriteString(rapidjson::Writer<rapidjson::StringBuffer>* w,
                 const std::string& s) {
  w->String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteHistogram(rapidjson::Writer<rapidjson::StringBuffer>* w,
                    const core::IntHistogram& histogram) {
  w->StartObject();
  w->Key("buckets");
  w->StartArray();
  for (uint64_t n : histogram.buckets()) w->Uint64(n);
  w->EndArray();
  w->Key("sum");
  w->Int64(histogram.sum());
  w->EndObject();
}

bool ReadHistogram(const rapidjson::Value& value,
                   core::IntHistogram* histogram) {
  if (!value.IsObject() || !value.HasMember("buckets") ||
      !value["buckets"].IsArray() || !value.HasMember("sum") ||
      !value["sum"].IsInt64()) {
    return false;
  }
  std::vector<uint64_t> buckets;
  for (const auto& n : value["buckets"].GetArray()) {
    if (!n.IsUint64()) return false;
    buckets.push_back(n.GetUint64());
  }
  return histogram->Restore(std::move(buckets), value["sum"].GetInt64());
}

// Reads [["a","b","c",n], ...] rows; false on any malformed row.
template <typename Fn>
bool ReadRows(const rapidjson::Value& doc, const char* name, size_t strings,
              Fn&& on_row) {
  if (!doc.HasMember(name) || !doc[name].IsArray()) return false;
  for (const auto& row : doc[name].GetArray()) {
    if (!row.IsArray() || row.Size() < strings + 1) return false;
    std::vector<std::string> keys;
    for (size_t i = 0; i < strings; ++i) {
      const auto& key = row[static_cast<rapidjson::SizeType>(i)];
      if (!key.IsString()) return false;
      keys.emplace_back(key.GetString(), key.GetStringLength());
    }
    if (!on_row(keys, row)) return false;
  }
  return true;
}

}  // namespace

const std::vector<int64_t>& CdrMetrics::QueueWaitBounds() {
  static const std::vector<int64_t> bounds = {5,  10, 15,  20,  30,  45,
                                              60, 90, 120, 180, 300, 600};
  return bounds;
}

const std::vector<int64_t>& CdrMetrics::TalkDurationBounds() {
  static const std::vector<int64_t> bounds = {10,  30,  60,   120,  180, 300,
                                              600, 900, 1200, 1800, 3600};
  return bounds;
}

CdrMetrics::CdrMetrics(CdrMetricsOptions options)
    : options_(options), families_(MakeFamilies(options.per_agent)) {
  for (const char* direction : {"inbound", "outbound"}) {
    talk_durations_.emplace(direction,
                            core::IntHistogram(&TalkDurationBounds()));
  }
}

std::string CdrMetrics::DispositionLabel(const std::string& raw) {
  const std::string value = SanitizeLabelValue(Trim(raw));
  if (value.empty()) return "none";
  if (admitted_dispositions_.count(value) != 0) return value;
  // The first max_dispositions distinct values keep their name for good;
  // later ones share "other", so a free-text field cannot explode series.
  if (static_cast<int>(admitted_dispositions_.size()) <
      options_.max_dispositions) {
    admitted_dispositions_.insert(value);
    return value;
  }
  return "other";
}

std::string CdrMetrics::CampaignLabel(const std::string& raw) {
  const std::string value = SanitizeLabelValue(Trim(raw));
  if (value.empty()) return "none";
  if (admitted_campaigns_.count(value) != 0) return value;
  if (static_cast<int>(admitted_campaigns_.size()) < options_.max_campaigns) {
    admitted_campaigns_.insert(value);
    return value;
  }
  return "other";
}

std::vector<std::string> CdrMetrics::Campaigns() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {admitted_campaigns_.begin(), admitted_campaigns_.end()};
}

void CdrMetrics::KnowAgent(const std::string& agent) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const char* direction : {"inbound", "outbound"}) {
    for (bool answered : {true, false}) {
      calls_.try_emplace({agent, direction, StatusLabel(answered)}, 0);
    }
    seconds_.try_emplace({agent, direction}, std::array<int64_t, kParts>{});
  }
}

void CdrMetrics::CountCall(const CallFacts& call) {
  KnowAgent(call.agent);
  std::lock_guard<std::mutex> lock(mutex_);
  const char* status = StatusLabel(call.answered);
  const char* direction = DirectionLabel(call.inbound);
  ++calls_[{call.agent, direction, status}];
  auto& parts = seconds_[{call.agent, direction}];
  parts[kTalk] = core::SaturatingAdd(parts[kTalk], call.talk);
  parts[kHold] = core::SaturatingAdd(parts[kHold], call.hold);
  const std::string campaign = CampaignLabel(call.campaign);
  ++campaign_calls_[{campaign, direction, status}];
  if (call.answered) {
    talk_durations_.at(direction).Observe(call.talk);
    if (call.inbound) {
      queue_waits_.try_emplace(campaign, &QueueWaitBounds());
      queue_waits_.at(campaign).Observe(call.queue_wait);
    }
  }
}

void CdrMetrics::CountSettlement(const CallFacts& call) {
  KnowAgent(call.agent);
  std::lock_guard<std::mutex> lock(mutex_);
  ++dispositions_[{call.agent, DispositionLabel(call.disposition)}];
  auto& parts = seconds_[{call.agent, DirectionLabel(call.inbound)}];
  parts[kWrapup] = core::SaturatingAdd(parts[kWrapup], call.wrapup);
  parts[kHandling] = core::SaturatingAdd(parts[kHandling], call.handling);
}

std::vector<FamilySpec> CdrMetrics::Families() const { return families_; }

void CdrMetrics::RenderCalls(core::MetricSink& sink) const {
  // Without per-agent labels the agent key collapses, and the maps below
  // sum every agent into one series.
  const bool per_agent = options_.per_agent;
  sink.Begin(families_[kCalls]);
  if (per_agent) {
    for (const auto& [key, n] : calls_) {
      sink.Sample({{"agent", std::get<0>(key)},
                   {"direction", std::get<1>(key)},
                   {"status", std::get<2>(key)}},
                  static_cast<double>(n));
    }
  } else {
    std::map<std::pair<std::string, std::string>, uint64_t> sums;
    for (const auto& [key, n] : calls_) {
      sums[{std::get<1>(key), std::get<2>(key)}] += n;
    }
    for (const auto& [key, n] : sums) {
      sink.Sample({{"direction", key.first}, {"status", key.second}},
                  static_cast<double>(n));
    }
  }
  sink.Begin(families_[kDispositions]);
  if (per_agent) {
    for (const auto& [key, n] : dispositions_) {
      sink.Sample({{"agent", key.first}, {"disposition", key.second}},
                  static_cast<double>(n));
    }
  } else {
    std::map<std::string, uint64_t> sums;
    for (const auto& [key, n] : dispositions_) sums[key.second] += n;
    for (const auto& [disposition, n] : sums) {
      sink.Sample({{"disposition", disposition}}, static_cast<double>(n));
    }
  }
  sink.Begin(families_[kCampaignCalls]);
  for (const auto& [key, n] : campaign_calls_) {
    sink.Sample({{"campaign", std::get<0>(key)},
                 {"direction", std::get<1>(key)},
                 {"status", std::get<2>(key)}},
                static_cast<double>(n));
  }
}

void CdrMetrics::RenderSeconds(core::MetricSink& sink) const {
  std::map<AgentDirection, std::array<int64_t, kParts>> sums;
  if (!options_.per_agent) {
    for (const auto& [key, parts] : seconds_) {
      auto& sum = sums[{std::string(), key.second}];
      for (int i = 0; i < kParts; ++i) {
        sum[i] = core::SaturatingAdd(sum[i], parts[i]);
      }
    }
  }
  const auto& rows = options_.per_agent ? seconds_ : sums;
  for (int part = 0; part < kParts; ++part) {
    sink.Begin(families_[kSecondsFirst + part]);
    for (const auto& [key, parts] : rows) {
      LabelSet labels;
      if (options_.per_agent) labels.Add("agent", key.first);
      labels.Add("direction", key.second);
      sink.Sample(labels, static_cast<double>(parts[part]));
    }
  }
}

void CdrMetrics::RenderHistograms(core::MetricSink& sink) const {
  sink.Begin(families_[kTalkDuration]);
  for (const auto& [direction, histogram] : talk_durations_) {
    sink.Histogram({{"direction", direction}}, histogram.View());
  }
  sink.Begin(families_[kQueueWait]);
  for (const auto& [campaign, histogram] : queue_waits_) {
    sink.Histogram({{"campaign", campaign}}, histogram.View());
  }
}

void CdrMetrics::Render(core::MetricSink& sink) const {
  if (!published()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  RenderCalls(sink);
  RenderSeconds(sink);
  RenderHistograms(sink);
}

void CdrMetrics::Save(rapidjson::Writer<rapidjson::StringBuffer>* w) const {
  std::lock_guard<std::mutex> lock(mutex_);
  w->StartObject();
  auto write_tuple_rows = [&](const char* name,
                              const std::map<CallKey, uint64_t>& rows) {
    w->Key(name);
    w->StartArray();
    for (const auto& [key, n] : rows) {
      w->StartArray();
      WriteString(w, std::get<0>(key));
      WriteString(w, std::get<1>(key));
      WriteString(w, std::get<2>(key));
      w->Uint64(n);
      w->EndArray();
    }
    w->EndArray();
  };
  write_tuple_rows("calls", calls_);
  write_tuple_rows("campaign_calls", campaign_calls_);
  w->Key("dispositions");
  w->StartArray();
  for (const auto& [key, n] : dispositions_) {
    w->StartArray();
    WriteString(w, key.first);
    WriteString(w, key.second);
    w->Uint64(n);
    w->EndArray();
  }
  w->EndArray();
  w->Key("seconds");
  w->StartArray();
  for (const auto& [key, parts] : seconds_) {
    w->StartArray();
    WriteString(w, key.first);
    WriteString(w, key.second);
    for (int64_t s : parts) w->Int64(s);
    w->EndArray();
  }
  w->EndArray();
  auto write_histograms =
      [&](const char* name,
          const std::map<std::string, core::IntHistogram>& map) {
        w->Key(name);
        w->StartObject();
        for (const auto& [key, histogram] : map) {
          WriteString(w, key);
          WriteHistogram(w, histogram);
        }
        w->EndObject();
      };
  write_histograms("talk_durations", talk_durations_);
  write_histograms("queue_waits", queue_waits_);
  auto write_set = [&](const char* name, const std::set<std::string>& set) {
    w->Key(name);
    w->StartArray();
    for (const auto& s : set) WriteString(w, s);
    w->EndArray();
  };
  write_set("admitted_dispositions", admitted_dispositions_);
  write_set("admitted_campaigns", admitted_campaigns_);
  w->EndObject();
}

bool CdrMetrics::Load(const rapidjson::Value& doc, std::string* error) {
  if (!doc.IsObject()) {
    *error = "counters are not an object";
    return false;
  }
  CdrMetrics loaded(options_);
  auto count_at = [](const rapidjson::Value& row, size_t index, uint64_t* n) {
    const auto& v = row[static_cast<rapidjson::SizeType>(index)];
    if (!v.IsUint64()) return false;
    *n = v.GetUint64();
    return true;
  };
  bool ok =
      ReadRows(doc, "calls", 3,
               [&](const std::vector<std::string>& k, const rapidjson::Value& r) {
                 return count_at(r, 3, &loaded.calls_[{k[0], k[1], k[2]}]);
               }) &&
      ReadRows(doc, "campaign_calls", 3,
               [&](const std::vector<std::string>& k, const rapidjson::Value& r) {
                 return count_at(r, 3,
                                 &loaded.campaign_calls_[{k[0], k[1], k[2]}]);
               }) &&
      ReadRows(doc, "dispositions", 2,
               [&](const std::vector<std::string>& k, const rapidjson::Value& r) {
                 return count_at(r, 2, &loaded.dispositions_[{k[0], k[1]}]);
               }) &&
      ReadRows(doc, "seconds", 2,
               [&](const std::vector<std::string>& k, const rapidjson::Value& r) {
                 if (r.Size() != 2 + kParts) return false;
                 auto& parts = loaded.seconds_[{k[0], k[1]}];
                 for (int i = 0; i < kParts; ++i) {
                   const auto& v = r[static_cast<rapidjson::SizeType>(2 + i)];
                   if (!v.IsInt64() || v.GetInt64() < 0) return false;
                   parts[i] = v.GetInt64();
                 }
                 return true;
               });
  auto read_histograms = [&](const char* name,
                             const std::vector<int64_t>* bounds,
                             std::map<std::string, core::IntHistogram>* map) {
    if (!doc.HasMember(name) || !doc[name].IsObject()) return false;
    for (const auto& member : doc[name].GetObject()) {
      core::IntHistogram histogram(bounds);
      if (!ReadHistogram(member.value, &histogram)) return false;
      map->insert_or_assign(member.name.GetString(), histogram);
    }
    return true;
  };
  ok = ok &&
       read_histograms("talk_durations", &TalkDurationBounds(),
                       &loaded.talk_durations_) &&
       read_histograms("queue_waits", &QueueWaitBounds(), &loaded.queue_waits_);
  auto read_set = [&](const char* name, std::set<std::string>* set) {
    if (!doc.HasMember(name) || !doc[name].IsArray()) return false;
    for (const auto& s : doc[name].GetArray()) {
      if (!s.IsString()) return false;
      set->insert(s.GetString());
    }
    return true;
  };
  ok = ok &&
       read_set("admitted_dispositions", &loaded.admitted_dispositions_) &&
       read_set("admitted_campaigns", &loaded.admitted_campaigns_) &&
       talk_durations_.size() == loaded.talk_durations_.size();
  if (!ok) {
    *error = "counters are malformed";
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  calls_ = std::move(loaded.calls_);
  campaign_calls_ = std::move(loaded.campaign_calls_);
  dispositions_ = std::move(loaded.dispositions_);
  seconds_ = std::move(loaded.seconds_);
  talk_durations_ = std::move(loaded.talk_durations_);
  queue_waits_ = std::move(loaded.queue_waits_);
  admitted_dispositions_ = std::move(loaded.admitted_dispositions_);
  admitted_campaigns_ = std::move(loaded.admitted_campaigns_);
  return true;
}

}  // namespace callcenter::ozonetel
