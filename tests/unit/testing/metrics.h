// Reading rendered metrics in tests: the value of one series in the text
// exposition, gzip decoding, and a sink that checks a source renders only
// what its Families() declare.
#ifndef CALLCENTER_TESTS_UNIT_TESTING_METRICS_H_
#define CALLCENTER_TESTS_UNIT_TESTING_METRICS_H_

#include <prometheus/text_serializer.h>
#include <zlib.h>

#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/metric_source.h"
#include "core/text_writer.h"

namespace callcenter::test {

// The value of the series written exactly as `series` (name and label set),
// or nullopt when the text has no such line.
inline std::optional<double> SampleValue(std::string_view text,
                                         std::string_view series) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    const std::string_view line =
        text.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (line.size() > series.size() &&
        line.substr(0, series.size()) == series && line[series.size()] == ' ') {
      const std::string value(line.substr(series.size() + 1));
      return std::strtod(value.c_str(), nullptr);
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

// What prometheus-cpp's TextSerializer writes for the families `source`
// renders (collected with FamilyCollector): the golden our text must match.
inline std::string Serialized(const core::MetricSource& source) {
  core::FamilyCollector collector;
  source.Render(collector);
  return prometheus::TextSerializer().Serialize(collector.Take());
}

// The value of `series` in what `source` renders now; 0 when absent.
inline double ValueOf(const core::MetricSource& source,
                      std::string_view series) {
  return SampleValue(core::RenderText(source), series).value_or(0);
}

struct Gunzipped {
  bool ok = false;      // one complete gzip member, CRC and size checked
  size_t trailing = 0;  // bytes after the member
  std::string text;
};

// Decodes exactly one gzip member with zlib (no multi-member tolerance).
inline Gunzipped Gunzip(const std::string& data) {
  Gunzipped out;
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  char buffer[65536];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    out.text.append(buffer, sizeof(buffer) - stream.avail_out);
    if (result == Z_BUF_ERROR && stream.avail_in == 0) break;
  }
  out.ok = result == Z_STREAM_END;
  out.trailing = stream.avail_in;
  inflateEnd(&stream);
  return out;
}

// Checks every Begin/Sample/Histogram against the declared families.
class FamilyCheckingSink final : public core::MetricSink {
 public:
  explicit FamilyCheckingSink(std::vector<core::FamilySpec> declared)
      : declared_(std::move(declared)) {}

  void Begin(const core::FamilySpec& family) override {
    current_ = nullptr;
    for (const auto& spec : declared_) {
      if (spec.name == family.name) current_ = &spec;
    }
    if (current_ == nullptr) {
      problems.push_back("renders undeclared family " + family.name);
      return;
    }
    if (current_->type != family.type || current_->labels != family.labels ||
        current_->help != family.help) {
      problems.push_back(family.name +
                         ": rendered spec differs from the "
                         "declared one");
    }
    if (!begun_.insert(family.name).second) {
      problems.push_back(family.name + ": begun twice");
    }
  }
  void Continue(const core::FamilySpec& family) override {
    if (current_ == nullptr || current_->name != family.name) {
      problems.push_back(family.name + ": continued but not the last begun");
    }
  }
  void Sample(const core::LabelSet& labels, double) override {
    ++samples;
    if (!Check(labels)) return;
    if (current_->type == core::MetricType::kHistogram) {
      problems.push_back(current_->name + ": plain sample in a histogram");
    }
  }
  void Histogram(const core::LabelSet& labels,
                 const core::HistogramSample& sample) override {
    ++samples;
    if (!Check(labels)) return;
    if (current_->type != core::MetricType::kHistogram) {
      problems.push_back(current_->name + ": histogram in a " +
                         "non-histogram family");
    }
    if (sample.buckets.size() != sample.bounds.size() + 1) {
      problems.push_back(current_->name + ": bucket count mismatch");
    }
  }

  std::vector<std::string> problems;
  size_t samples = 0;

 private:
  bool Check(const core::LabelSet& labels) {
    if (current_ == nullptr) {
      problems.push_back("sample outside a declared family");
      return false;
    }
    std::vector<std::string> names;
    for (const auto& label : labels.view()) names.emplace_back(label.name);
    if (names != current_->labels) {
      problems.push_back(current_->name +
                         ": sample labels differ from the "
                         "declared ones");
    }
    return true;
  }

  const std::vector<core::FamilySpec> declared_;
  const core::FamilySpec* current_ = nullptr;
  std::set<std::string> begun_;
};

// Every problem of a source: its declared families (core::CheckFamilies)
// and anything it renders beyond them. `samples` receives the sample count.
inline std::vector<std::string> SourceProblems(const core::MetricSource& source,
                                               size_t* samples = nullptr) {
  std::vector<std::string> problems = core::CheckFamilies(source.Families());
  FamilyCheckingSink sink(source.Families());
  source.Render(sink);
  problems.insert(problems.end(), sink.problems.begin(), sink.problems.end());
  if (samples != nullptr) *samples = sink.samples;
  return problems;
}

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_TESTING_METRICS_H_
