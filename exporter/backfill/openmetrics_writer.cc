#include "backfill/openmetrics_writer.h"

#include <cmath>
#include <sstream>

#include "core/text_writer.h"

namespace callcenter::backfill {
namespace {

std::string EscapeLabel(const std::string& value) {
  std::string out;
  core::AppendLabelValue(&out, value);
  return out;
}

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";  // OpenMetrics' spelling
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out.precision(17);
  out << value;
  return out.str();
}

std::string Labels(const std::vector<prometheus::ClientMetric::Label>& labels,
                   const std::string& extra_name = "",
                   const std::string& extra_value = "") {
  std::string out;
  for (const auto& label : labels) {
    out += (out.empty() ? "" : ",") + label.name + "=\"" +
           EscapeLabel(label.value) + "\"";
  }
  if (!extra_name.empty()) {
    out += (out.empty() ? "" : ",") + extra_name + "=\"" + extra_value + "\"";
  }
  return out.empty() ? "" : "{" + out + "}";
}

// OpenMetrics names a counter family without its _total suffix.
std::string FamilyName(const std::string& name, prometheus::MetricType type) {
  const std::string suffix = "_total";
  if (type == prometheus::MetricType::Counter && name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return name.substr(0, name.size() - suffix.size());
  }
  return name;
}

const char* TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    case prometheus::MetricType::Histogram:
      return "histogram";
    default:
      return "unknown";
  }
}

}  // namespace

void OpenMetricsSeries::Add(
    int64_t unix_seconds,
    const std::vector<prometheus::MetricFamily>& families) {
  for (const auto& family : families) {
    Family& entry = families_[family.name];
    entry.help = family.help;
    entry.type = family.type;
    entry.times.insert(unix_seconds);
    for (const auto& metric : family.metric) {
      entry.series[metric.label][unix_seconds] = metric;
    }
  }
}

size_t OpenMetricsSeries::series_count() const {
  size_t count = 0;
  for (const auto& [name, family] : families_) count += family.series.size();
  return count;
}

void OpenMetricsSeries::WriteFamily(std::ostream& out, const std::string& name,
                                    const Family& family) const {
  const std::string family_name = FamilyName(name, family.type);
  out << "# TYPE " << family_name << " " << TypeName(family.type) << "\n";
  if (!family.help.empty()) {
    out << "# HELP " << family_name << " " << family.help << "\n";
  }
  for (const auto& [labels, points] : family.series) {
    const prometheus::ClientMetric* last = nullptr;
    for (int64_t t : family.times) {
      auto it = points.find(t);
      // Before a series' first point it was zero; a gauge (such as an
      // info metric) only exists where it was observed.
      if (it == points.end() &&
          (family.type == prometheus::MetricType::Gauge || last != nullptr)) {
        continue;
      }
      static const prometheus::ClientMetric kZero{};
      const prometheus::ClientMetric& m =
          it != points.end() ? it->second : (last ? *last : kZero);
      if (it != points.end()) last = &it->second;
      const std::string ts = " " + std::to_string(t) + "\n";
      switch (family.type) {
        case prometheus::MetricType::Counter:
          out << name << Labels(labels) << " " << FormatNumber(m.counter.value)
              << ts;
          break;
        case prometheus::MetricType::Gauge:
          out << name << Labels(labels) << " " << FormatNumber(m.gauge.value)
              << ts;
          break;
        case prometheus::MetricType::Histogram: {
          const auto& reference = points.rbegin()->second.histogram.bucket;
          for (size_t b = 0; b < reference.size(); ++b) {
            const uint64_t count = b < m.histogram.bucket.size()
                                       ? m.histogram.bucket[b].cumulative_count
                                       : 0;
            out << name << "_bucket"
                << Labels(labels, "le", FormatNumber(reference[b].upper_bound))
                << " " << count << ts;
          }
          out << name << "_bucket" << Labels(labels, "le", "+Inf") << " "
              << m.histogram.sample_count << ts;
          out << name << "_count" << Labels(labels) << " "
              << m.histogram.sample_count << ts;
          out << name << "_sum" << Labels(labels) << " "
              << FormatNumber(m.histogram.sample_sum) << ts;
          break;
        }
        default:
          break;
      }
    }
  }
}

void OpenMetricsSeries::Write(std::ostream& out) const {
  for (const auto& [name, family] : families_) WriteFamily(out, name, family);
  out << "# EOF\n";
}

}  // namespace callcenter::backfill
