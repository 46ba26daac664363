// Building blocks for the exposition. Sources keep exact integer state and
// turn it into prometheus-cpp MetricFamily values only when a snapshot is
// rendered, so a scrape never touches live state.
#ifndef CALLCENTER_METRIC_SOURCE_H_
#define CALLCENTER_METRIC_SOURCE_H_

#include <prometheus/metric_family.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace callcenter {

using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricSource {
 public:
  virtual ~MetricSource() = default;
  // Appends this source's families. Must not block on I/O or throw.
  virtual void Collect(std::vector<prometheus::MetricFamily>* out) const = 0;
};

// Publishes another source's families only while `ready()` holds.
class PublishedWhen final : public MetricSource {
 public:
  PublishedWhen(const MetricSource& source, std::function<bool()> ready)
      : source_(source), ready_(std::move(ready)) {}
  void Collect(std::vector<prometheus::MetricFamily>* out) const override {
    if (ready_()) source_.Collect(out);
  }

 private:
  const MetricSource& source_;
  std::function<bool()> ready_;
};

prometheus::MetricFamily MakeFamily(std::string name, std::string help,
                                    prometheus::MetricType type);
void AddCounter(prometheus::MetricFamily* family, const Labels& labels,
                double value);
void AddGauge(prometheus::MetricFamily* family, const Labels& labels,
              double value);

// A fixed-bucket histogram of integer observations, exact across restarts.
class IntHistogram {
 public:
  explicit IntHistogram(const std::vector<int64_t>* bounds);
  void Observe(int64_t value);
  void Merge(const IntHistogram& other);
  uint64_t count() const { return count_; }
  int64_t sum() const { return sum_; }
  // Per-bucket (not cumulative) counts; the last entry is the +Inf bucket.
  const std::vector<uint64_t>& buckets() const { return buckets_; }
  bool Restore(std::vector<uint64_t> buckets, int64_t sum);
  void AddTo(prometheus::MetricFamily* family, const Labels& labels) const;

 private:
  const std::vector<int64_t>* bounds_;
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  int64_t sum_ = 0;
};

// True for a valid metric or label name (hand-built families are not
// validated by prometheus-cpp).
bool IsValidMetricName(const std::string& name);
bool IsValidLabelName(const std::string& name);

}  // namespace callcenter

#endif  // CALLCENTER_METRIC_SOURCE_H_
