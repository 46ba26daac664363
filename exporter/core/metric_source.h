// The exposition model every source renders into. A source declares its
// families up front (so a duplicate or invalid family fails at start, not at
// a scrape) and renders samples into a MetricSink: a text writer for
// /metrics, a prometheus-cpp MetricFamily collector for backfill and golden
// tests. Label sets live on the stack; rendering allocates nothing per
// sample.
#ifndef CALLCENTER_CORE_METRIC_SOURCE_H_
#define CALLCENTER_CORE_METRIC_SOURCE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace callcenter::core {

enum class MetricType { kCounter, kGauge, kHistogram };

struct FamilySpec {
  std::string name;
  std::string help;  // one line; no backslashes (prometheus-cpp writes it raw)
  MetricType type;
  std::vector<std::string> labels;  // label names, in the order rendered
};

struct Label {
  std::string_view name;
  std::string_view value;
};

// Up to kMaxLabels labels by value; the views must outlive the render call.
class LabelSet {
 public:
  static constexpr size_t kMaxLabels = 8;
  LabelSet() = default;
  LabelSet(std::initializer_list<Label> labels);
  // Appends a label; beyond kMaxLabels the label is dropped (a programming
  // error that the family declaration check in tests catches).
  void Add(std::string_view name, std::string_view value);
  std::span<const Label> view() const { return {labels_.data(), size_}; }
  size_t size() const { return size_; }

 private:
  std::array<Label, kMaxLabels> labels_{};
  size_t size_ = 0;
};

// One histogram series: per-bucket (not cumulative) counts, the last one the
// +Inf bucket, so buckets.size() == bounds.size() + 1.
struct HistogramSample {
  std::span<const int64_t> bounds;
  std::span<const uint64_t> buckets;
  uint64_t count = 0;
  double sum = 0;
};

class MetricSink {
 public:
  virtual ~MetricSink() = default;
  // Starts a family; samples until the next Begin belong to it. The spec
  // must outlive them (sources pass their declared, long-lived specs).
  virtual void Begin(const FamilySpec& family) = 0;
  // A counter or gauge sample.
  virtual void Sample(const LabelSet& labels, double value) = 0;
  virtual void Histogram(const LabelSet& labels,
                         const HistogramSample& sample) = 0;
  // Samples until the next Begin belong to `family`, which an earlier piece
  // of the same source began (see PiecewiseSource): no header of its own.
  // Sinks that keep no per-family state need nothing more than Begin.
  virtual void Continue(const FamilySpec& family) { Begin(family); }
};

class MetricSource {
 public:
  virtual ~MetricSource() = default;
  // Every family Render may write, fixed for the source's lifetime.
  virtual std::vector<FamilySpec> Families() const = 0;
  // Writes samples of declared families, each family at most once. Runs on
  // the render thread: no I/O, no blocking on a poll, never throws.
  virtual void Render(MetricSink& sink) const = 0;
};

// A source large enough that one changed series should not cost a render of
// all of it (AHT: one gauge of 5,000 agents). Its exposition is the
// concatenation of piece_count() pieces, rendered and compressed on their
// own; the publisher re-renders only the pieces the source says changed.
class PiecewiseSource : public MetricSource {
 public:
  // Fixed for the source's lifetime.
  virtual size_t piece_count() const = 0;
  // Writes one piece. A family spread over several pieces is begun in the
  // first of them and continued in the others, and its first piece has a
  // sample whenever any of them has (the header goes with the first sample).
  virtual void RenderPiece(size_t piece, MetricSink& sink) const = 0;
  // The pieces changed since the last call, ascending, each once: every
  // piece on the first call. Called by the publisher's render thread.
  virtual std::vector<size_t> TakeChangedPieces() const = 0;
  // Every piece in order: byte for byte the concatenation of the pieces.
  void Render(MetricSink& sink) const final;
};

// A fixed-bucket histogram of integer observations, exact across restarts.
class IntHistogram {
 public:
  explicit IntHistogram(const std::vector<int64_t>* bounds);
  void Observe(int64_t value);
  uint64_t count() const { return count_; }
  int64_t sum() const { return sum_; }
  const std::vector<uint64_t>& buckets() const { return buckets_; }
  // Replaces the state; false (nothing changed) when the bucket count does
  // not match the bounds or a value is out of range.
  bool Restore(std::vector<uint64_t> buckets, int64_t sum);
  HistogramSample View() const;

 private:
  const std::vector<int64_t>* bounds_;
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  int64_t sum_ = 0;
};

// Prometheus data model names: [a-zA-Z_:][a-zA-Z0-9_:]* for metrics,
// [a-zA-Z_][a-zA-Z0-9_]* without a leading "__" for labels.
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

// Problems with a set of declared families (invalid names, duplicates
// across the set, reserved label names, counters without _total); one line
// each, empty when the set is valid.
std::vector<std::string> CheckFamilies(const std::vector<FamilySpec>& families);

// Adds two non-negative counts without overflow: saturates at the maximum.
int64_t SaturatingAdd(int64_t a, int64_t b);
uint64_t SaturatingAdd(uint64_t a, uint64_t b);

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_METRIC_SOURCE_H_
