#include "callcenter/cdr_metrics.h"

#include <cctype>

namespace callcenter {
namespace {

constexpr char kCacheNote[] =
    " Cached: counted from Ozonetel fetchCDRDetails (2 requests/min), polled "
    "about every 31 s; a call appears once its record is settled.";

const char* const kPartNames[] = {"talk", "hold", "wrapup", "handling"};
const char* const kPartSources[] = {"TalkTime", "HoldDuration",
                                    "WrapupDuration", "HandlingTime"};

std::string Trim(const std::string& text) {
  size_t start = 0;
  size_t end = text.size();
  while (start < end && std::isspace(static_cast<unsigned char>(text[start]))) {
    ++start;
  }
  while (end > start &&
         std::isspace(static_cast<unsigned char>(text[end - 1]))) {
    --end;
  }
  return text.substr(start, end - start);
}

const char* StatusLabel(bool answered) {
  return answered ? "answered" : "unanswered";
}

void WriteString(rapidjson::Writer<rapidjson::StringBuffer>* w,
                 const std::string& s) {
  w->String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteHistogram(rapidjson::Writer<rapidjson::StringBuffer>* w,
                    const IntHistogram& histogram) {
  w->StartObject();
  w->Key("buckets");
  w->StartArray();
  for (uint64_t n : histogram.buckets()) w->Uint64(n);
  w->EndArray();
  w->Key("sum");
  w->Int64(histogram.sum());
  w->EndObject();
}

bool ReadHistogram(const rapidjson::Value& value, IntHistogram* histogram) {
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
      if (!row[static_cast<rapidjson::SizeType>(i)].IsString()) return false;
      keys.emplace_back(row[static_cast<rapidjson::SizeType>(i)].GetString());
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

CdrMetrics::CdrMetrics(CdrMetricsOptions options) : options_(options) {
  for (const char* direction : {"inbound", "outbound"}) {
    talk_durations_.emplace(direction, IntHistogram(&TalkDurationBounds()));
  }
}

std::string CdrMetrics::DispositionLabel(const std::string& raw) {
  std::string value = Trim(raw);
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
  std::string value = Trim(raw);
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

void CdrMetrics::Count(const CallFacts& call) {
  KnowAgent(call.agent);
  std::lock_guard<std::mutex> lock(mutex_);
  const char* status = StatusLabel(call.answered);
  ++calls_[{call.agent, call.direction, status}];
  ++dispositions_[{call.agent, DispositionLabel(call.disposition)}];
  auto& parts = seconds_[{call.agent, call.direction}];
  parts[kTalk] += call.talk;
  parts[kHold] += call.hold;
  parts[kWrapup] += call.wrapup;
  parts[kHandling] += call.handling;
  const std::string campaign = CampaignLabel(call.campaign);
  ++campaign_calls_[{campaign, call.direction, status}];
  if (call.answered) {
    talk_durations_.at(call.direction).Observe(call.talk);
    if (call.direction == "inbound") {
      queue_waits_.try_emplace(campaign, &QueueWaitBounds());
      queue_waits_.at(campaign).Observe(call.queue_wait);
    }
  }
}

std::string CdrMetrics::AgentLabel(const std::string& agent) const {
  return options_.per_agent ? agent : std::string();
}

void CdrMetrics::CollectCalls(
    std::vector<prometheus::MetricFamily>* out) const {
  using prometheus::MetricType;
  // Without per-agent labels the agent key collapses to "", and the maps
  // below sum every agent into one series.
  std::map<CallKey, uint64_t> calls;
  for (const auto& [key, n] : calls_) {
    calls[{AgentLabel(std::get<0>(key)), std::get<1>(key), std::get<2>(key)}] +=
        n;
  }
  auto family = MakeFamily(
      "ozonetel_calls_total",
      std::string("Calls by agent (AgentID, or unassigned), direction "
                  "(inbound for Type InBound, else outbound) and status "
                  "(answered, else unanswered).") +
          kCacheNote,
      MetricType::Counter);
  for (const auto& [key, n] : calls) {
    Labels labels;
    if (options_.per_agent) labels.emplace_back("agent", std::get<0>(key));
    labels.emplace_back("direction", std::get<1>(key));
    labels.emplace_back("status", std::get<2>(key));
    AddCounter(&family, labels, static_cast<double>(n));
  }
  out->push_back(std::move(family));

  std::map<std::pair<std::string, std::string>, uint64_t> dispositions;
  for (const auto& [key, n] : dispositions_) {
    dispositions[{AgentLabel(key.first), key.second}] += n;
  }
  auto disposition_family = MakeFamily(
      "ozonetel_call_dispositions_total",
      std::string("Calls by disposition (none when empty; values past "
                  "max_dispositions are other).") +
          kCacheNote,
      MetricType::Counter);
  for (const auto& [key, n] : dispositions) {
    Labels labels;
    if (options_.per_agent) labels.emplace_back("agent", key.first);
    labels.emplace_back("disposition", key.second);
    AddCounter(&disposition_family, labels, static_cast<double>(n));
  }
  out->push_back(std::move(disposition_family));

  auto campaign_family = MakeFamily(
      "ozonetel_campaign_calls_total",
      std::string("Calls by campaign (values past max_campaigns are other), "
                  "direction and status.") +
          kCacheNote,
      MetricType::Counter);
  for (const auto& [key, n] : campaign_calls_) {
    AddCounter(&campaign_family,
               {{"campaign", std::get<0>(key)},
                {"direction", std::get<1>(key)},
                {"status", std::get<2>(key)}},
               static_cast<double>(n));
  }
  out->push_back(std::move(campaign_family));
}

void CdrMetrics::CollectSeconds(
    std::vector<prometheus::MetricFamily>* out) const {
  std::map<AgentDirection, std::array<int64_t, kParts>> seconds;
  for (const auto& [key, parts] : seconds_) {
    auto& sum = seconds[{AgentLabel(key.first), key.second}];
    for (int i = 0; i < kParts; ++i) sum[i] += parts[i];
  }
  for (int part = 0; part < kParts; ++part) {
    auto family = MakeFamily(
        std::string("ozonetel_call_") + kPartNames[part] + "_seconds_total",
        std::string("Sum of ") + kPartSources[part] +
            " over counted calls, by agent and direction." + kCacheNote,
        prometheus::MetricType::Counter);
    for (const auto& [key, parts] : seconds) {
      Labels labels;
      if (options_.per_agent) labels.emplace_back("agent", key.first);
      labels.emplace_back("direction", key.second);
      AddCounter(&family, labels, static_cast<double>(parts[part]));
    }
    out->push_back(std::move(family));
  }
}

void CdrMetrics::CollectHistograms(
    std::vector<prometheus::MetricFamily>* out) const {
  auto talk = MakeFamily(
      "ozonetel_call_talk_duration_seconds",
      std::string("TalkTime of answered calls, by direction.") + kCacheNote,
      prometheus::MetricType::Histogram);
  for (const auto& [direction, histogram] : talk_durations_) {
    histogram.AddTo(&talk, {{"direction", direction}});
  }
  out->push_back(std::move(talk));
  auto wait = MakeFamily(
      "ozonetel_call_queue_wait_seconds",
      std::string("Wait before answer (TimeToAnswer, else QueueTime) of "
                  "answered inbound calls, by campaign.") +
          kCacheNote,
      prometheus::MetricType::Histogram);
  for (const auto& [campaign, histogram] : queue_waits_) {
    histogram.AddTo(&wait, {{"campaign", campaign}});
  }
  if (!wait.metric.empty()) out->push_back(std::move(wait));
}

void CdrMetrics::Collect(std::vector<prometheus::MetricFamily>* out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  CollectCalls(out);
  CollectSeconds(out);
  CollectHistograms(out);
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
  auto write_histograms = [&](const char* name,
                              const std::map<std::string, IntHistogram>& map) {
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
  auto count_row = [](const rapidjson::Value& row, size_t index, uint64_t* n) {
    const auto& v = row[static_cast<rapidjson::SizeType>(index)];
    if (!v.IsUint64()) return false;
    *n = v.GetUint64();
    return true;
  };
  bool ok =
      ReadRows(
          doc, "calls", 3,
          [&](const std::vector<std::string>& k, const rapidjson::Value& r) {
            return count_row(r, 3, &loaded.calls_[{k[0], k[1], k[2]}]);
          }) &&
      ReadRows(
          doc, "campaign_calls", 3,
          [&](const std::vector<std::string>& k, const rapidjson::Value& r) {
            return count_row(r, 3, &loaded.campaign_calls_[{k[0], k[1], k[2]}]);
          }) &&
      ReadRows(
          doc, "dispositions", 2,
          [&](const std::vector<std::string>& k, const rapidjson::Value& r) {
            return count_row(r, 2, &loaded.dispositions_[{k[0], k[1]}]);
          }) &&
      ReadRows(
          doc, "seconds", 2,
          [&](const std::vector<std::string>& k, const rapidjson::Value& r) {
            if (r.Size() != 2 + kParts) return false;
            auto& parts = loaded.seconds_[{k[0], k[1]}];
            for (int i = 0; i < kParts; ++i) {
              const auto& v = r[static_cast<rapidjson::SizeType>(2 + i)];
              if (!v.IsInt64()) return false;
              parts[i] = v.GetInt64();
            }
            return true;
          });
  auto read_histograms = [&](const char* name,
                             const std::vector<int64_t>* bounds,
                             std::map<std::string, IntHistogram>* map) {
    if (!doc.HasMember(name) || !doc[name].IsObject()) return false;
    for (const auto& member : doc[name].GetObject()) {
      IntHistogram histogram(bounds);
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
       read_set("admitted_campaigns", &loaded.admitted_campaigns_);
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

}  // namespace callcenter
