#include "core/text_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace callcenter::core {
namespace {

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

prometheus::MetricType ToPrometheus(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return prometheus::MetricType::Counter;
    case MetricType::kGauge:
      return prometheus::MetricType::Gauge;
    case MetricType::kHistogram:
      return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

void AppendUnsigned(std::string* out, uint64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, end);
}

prometheus::ClientMetric MakeMetric(const LabelSet& labels) {
  prometheus::ClientMetric metric;
  for (const Label& label : labels.view()) {
    metric.label.push_back({std::string(label.name), std::string(label.value)});
  }
  return metric;
}

}  // namespace

void AppendNumber(std::string* out, double value) {
  if (std::isnan(value)) {
    out->append("Nan");
  } else if (std::isinf(value)) {
    out->append(value < 0 ? "-Inf" : "+Inf");
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    // Whole numbers below 10^15 print the same in %.16g and as integers;
    // to_chars of an integer is several times faster.
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer),
                                   static_cast<int64_t>(value));
    if (value == 0 && std::signbit(value)) out->push_back('-');
    out->append(buffer, end);
  } else {
    char buffer[32];
    const int n = std::snprintf(buffer, sizeof(buffer), "%.16g", value);
    out->append(buffer, static_cast<size_t>(n));
  }
}

void AppendLabelValue(std::string* out, std::string_view value) {
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out->append(value.substr(start, i - start));
    out->push_back('\\');
    out->push_back(c == '\n' ? 'n' : c);
    start = i + 1;
  }
  out->append(value.substr(start));
}

void TextWriter::Begin(const FamilySpec& family) {
  family_ = &family;
  header_written_ = false;
}

void TextWriter::Continue(const FamilySpec& family) {
  family_ = &family;
  header_written_ = true;
}

void TextWriter::WriteHeaderOnce() {
  if (header_written_ || family_ == nullptr) return;
  header_written_ = true;
  if (!family_->help.empty()) {
    out_.append("# HELP ").append(family_->name).append(" ");
    out_.append(family_->help).append("\n");
  }
  out_.append("# TYPE ").append(family_->name).append(" ");
  out_.append(TypeName(family_->type)).append("\n");
}

void TextWriter::WriteSeries(std::string_view suffix, const LabelSet& labels,
                             std::string_view extra_name,
                             std::string_view extra_value) {
  out_.append(family_->name).append(suffix);
  if (labels.size() > 0 || !extra_name.empty()) {
    out_.push_back('{');
    const char* separator = "";
    for (const Label& label : labels.view()) {
      out_.append(separator).append(label.name).append("=\"");
      AppendLabelValue(&out_, label.value);
      out_.push_back('"');
      separator = ",";
    }
    if (!extra_name.empty()) {
      out_.append(separator).append(extra_name).append("=\"");
      out_.append(extra_value).push_back('"');
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
}

void TextWriter::Sample(const LabelSet& labels, double value) {
  if (family_ == nullptr) return;
  WriteHeaderOnce();
  WriteSeries({}, labels);
  AppendNumber(&out_, value);
  out_.push_back('\n');
}

void TextWriter::Histogram(const LabelSet& labels,
                           const HistogramSample& sample) {
  if (family_ == nullptr) return;
  WriteHeaderOnce();
  WriteSeries("_count", labels);
  AppendUnsigned(&out_, sample.count);
  out_.push_back('\n');
  WriteSeries("_sum", labels);
  AppendNumber(&out_, sample.sum);
  out_.push_back('\n');
  uint64_t cumulative = 0;
  std::string bound;
  for (size_t i = 0; i < sample.bounds.size(); ++i) {
    cumulative += i < sample.buckets.size() ? sample.buckets[i] : 0;
    bound.clear();
    AppendNumber(&bound, static_cast<double>(sample.bounds[i]));
    WriteSeries("_bucket", labels, "le", bound);
    AppendUnsigned(&out_, cumulative);
    out_.push_back('\n');
  }
  WriteSeries("_bucket", labels, "le", "+Inf");
  AppendUnsigned(&out_, sample.count);
  out_.push_back('\n');
}

void FamilyCollector::Begin(const FamilySpec& family) {
  prometheus::MetricFamily out;
  out.name = family.name;
  out.help = family.help;
  out.type = ToPrometheus(family.type);
  type_ = family.type;
  families_.push_back(std::move(out));
}

void FamilyCollector::Continue(const FamilySpec& family) {
  if (families_.empty() || families_.back().name != family.name) {
    Begin(family);
    return;
  }
  type_ = family.type;
}

void FamilyCollector::Sample(const LabelSet& labels, double value) {
  if (families_.empty()) return;
  prometheus::ClientMetric metric = MakeMetric(labels);
  if (type_ == MetricType::kCounter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  families_.back().metric.push_back(std::move(metric));
}

void FamilyCollector::Histogram(const LabelSet& labels,
                                const HistogramSample& sample) {
  if (families_.empty()) return;
  prometheus::ClientMetric metric = MakeMetric(labels);
  metric.histogram.sample_count = sample.count;
  metric.histogram.sample_sum = sample.sum;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < sample.bounds.size(); ++i) {
    cumulative += i < sample.buckets.size() ? sample.buckets[i] : 0;
    metric.histogram.bucket.push_back(
        {cumulative, static_cast<double>(sample.bounds[i])});
  }
  families_.back().metric.push_back(std::move(metric));
}

std::vector<prometheus::MetricFamily> FamilyCollector::Take() {
  std::vector<prometheus::MetricFamily> out;
  for (auto& family : families_) {
    if (!family.metric.empty()) out.push_back(std::move(family));
  }
  families_.clear();
  return out;
}

std::string RenderText(const MetricSource& source) {
  std::string text;
  TextWriter writer(&text);
  source.Render(writer);
  return text;
}

}  // namespace callcenter::core
