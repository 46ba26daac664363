#include "callcenter/metric_source.h"

#include <algorithm>
#include <cctype>

namespace callcenter {
namespace {

prometheus::ClientMetric MakeMetric(const Labels& labels) {
  prometheus::ClientMetric metric;
  metric.label.reserve(labels.size());
  for (const auto& [name, value] : labels) {
    metric.label.push_back({name, value});
  }
  return metric;
}

bool IsNameChar(char c, bool first, bool allow_colon) {
  const bool letter = std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
                      (allow_colon && c == ':');
  return first ? letter : letter || std::isdigit(static_cast<unsigned char>(c));
}

bool IsValidName(const std::string& name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

}  // namespace

prometheus::MetricFamily MakeFamily(std::string name, std::string help,
                                    prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  // prometheus-cpp writes HELP unescaped: keep it to one clean line.
  std::replace(help.begin(), help.end(), '\n', ' ');
  std::replace(help.begin(), help.end(), '\\', '/');
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddCounter(prometheus::MetricFamily* family, const Labels& labels,
                double value) {
  auto metric = MakeMetric(labels);
  metric.counter.value = value;
  family->metric.push_back(std::move(metric));
}

void AddGauge(prometheus::MetricFamily* family, const Labels& labels,
              double value) {
  auto metric = MakeMetric(labels);
  metric.gauge.value = value;
  family->metric.push_back(std::move(metric));
}

IntHistogram::IntHistogram(const std::vector<int64_t>* bounds)
    : bounds_(bounds), buckets_(bounds->size() + 1, 0) {}

void IntHistogram::Observe(int64_t value) {
  // Buckets are "less than or equal": a 20 s wait belongs to le="20".
  auto it = std::lower_bound(bounds_->begin(), bounds_->end(), value);
  ++buckets_[static_cast<size_t>(it - bounds_->begin())];
  ++count_;
  sum_ += value;
}

void IntHistogram::Merge(const IntHistogram& other) {
  for (size_t i = 0; i < buckets_.size() && i < other.buckets_.size(); ++i) {
    buckets_[i] += other.buckets_[i];
  }
  count_ += other.count_;
  sum_ += other.sum_;
}

bool IntHistogram::Restore(std::vector<uint64_t> buckets, int64_t sum) {
  if (buckets.size() != buckets_.size()) return false;
  buckets_ = std::move(buckets);
  count_ = 0;
  for (uint64_t n : buckets_) count_ += n;
  sum_ = sum;
  return true;
}

void IntHistogram::AddTo(prometheus::MetricFamily* family,
                         const Labels& labels) const {
  auto metric = MakeMetric(labels);
  metric.histogram.sample_count = count_;
  metric.histogram.sample_sum = static_cast<double>(sum_);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_->size(); ++i) {
    cumulative += buckets_[i];
    metric.histogram.bucket.push_back(
        {cumulative, static_cast<double>((*bounds_)[i])});
  }
  family->metric.push_back(std::move(metric));
}

bool IsValidMetricName(const std::string& name) {
  return IsValidName(name, true);
}

bool IsValidLabelName(const std::string& name) {
  return IsValidName(name, false) && name.rfind("__", 0) != 0;
}

}  // namespace callcenter
