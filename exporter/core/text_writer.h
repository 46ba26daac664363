// Renders a MetricSource straight to the Prometheus text format (version
// 0.0.4), byte for byte as prometheus-cpp's TextSerializer writes the same
// families, without building its intermediate MetricFamily vectors. One
// deliberate difference: a newline in a label value is written as "\n"
// (TextSerializer 1.0.1 writes a raw newline, which breaks the scrape).
#ifndef CALLCENTER_CORE_TEXT_WRITER_H_
#define CALLCENTER_CORE_TEXT_WRITER_H_

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "core/metric_source.h"

namespace callcenter::core {

class TextWriter final : public MetricSink {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit TextWriter(std::string* out) : out_(*out) {}

  void Begin(const FamilySpec& family) override;
  void Continue(const FamilySpec& family) override;
  void Sample(const LabelSet& labels, double value) override;
  void Histogram(const LabelSet& labels,
                 const HistogramSample& sample) override;

 private:
  // A family's HELP and TYPE lines are written with its first sample, so a
  // family without samples leaves no trace (as prometheus-cpp's registry).
  void WriteHeaderOnce();
  void WriteSeries(std::string_view suffix, const LabelSet& labels,
                   std::string_view extra_name = {},
                   std::string_view extra_value = {});

  std::string& out_;
  const FamilySpec* family_ = nullptr;
  bool header_written_ = false;
};

// Builds prometheus-cpp MetricFamily values: for the backfill's OpenMetrics
// writer and for golden tests against TextSerializer.
class FamilyCollector final : public MetricSink {
 public:
  void Begin(const FamilySpec& family) override;
  // Appends to the last family when it has this name.
  void Continue(const FamilySpec& family) override;
  void Sample(const LabelSet& labels, double value) override;
  void Histogram(const LabelSet& labels,
                 const HistogramSample& sample) override;

  // The families with at least one sample, in render order.
  std::vector<prometheus::MetricFamily> Take();

 private:
  std::vector<prometheus::MetricFamily> families_;
  MetricType type_ = MetricType::kGauge;
};

// A value as TextSerializer writes it: "%.16g", "Nan", "+Inf", "-Inf".
void AppendNumber(std::string* out, double value);
// Appends a label value escaped for the text format.
void AppendLabelValue(std::string* out, std::string_view value);

// Renders one source (or several) to text; for tests and benchmarks.
std::string RenderText(const MetricSource& source);

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_TEXT_WRITER_H_
