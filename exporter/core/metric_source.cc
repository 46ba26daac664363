#include "core/metric_source.h"

#include <algorithm>
#include <limits>
#include <set>

namespace callcenter::core {
namespace {

bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || (allow_colon && c == ':') ||
                    (i > 0 && IsAsciiDigit(c));
    if (!ok) return false;
  }
  return true;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

void CheckFamily(const FamilySpec& family, std::vector<std::string>* problems) {
  const std::string& name = family.name;
  if (!IsValidMetricName(name)) {
    problems->push_back("invalid metric name \"" + name + "\"");
    return;
  }
  if (family.type == MetricType::kCounter && !EndsWith(name, "_total")) {
    problems->push_back(name + ": a counter's name must end in _total");
  }
  if (family.type != MetricType::kCounter && EndsWith(name, "_total")) {
    problems->push_back(name + ": only counters end in _total");
  }
  if (family.help.find_first_of("\n\\") != std::string::npos) {
    problems->push_back(name + ": help must be one line without backslashes");
  }
  std::set<std::string> labels;
  for (const std::string& label : family.labels) {
    if (!IsValidLabelName(label)) {
      problems->push_back(name + ": invalid label name \"" + label + "\"");
    } else if (!labels.insert(label).second) {
      problems->push_back(name + ": label \"" + label + "\" declared twice");
    } else if (label == "le" || label == "quantile") {
      problems->push_back(name + ": label \"" + label + "\" is reserved");
    }
  }
  if (family.labels.size() > LabelSet::kMaxLabels - 1) {
    problems->push_back(name + ": too many labels");
  }
}

}  // namespace

void PiecewiseSource::Render(MetricSink& sink) const {
  for (size_t piece = 0; piece < piece_count(); ++piece) {
    RenderPiece(piece, sink);
  }
}

LabelSet::LabelSet(std::initializer_list<Label> labels) {
  for (const Label& label : labels) Add(label.name, label.value);
}

void LabelSet::Add(std::string_view name, std::string_view value) {
  if (size_ < kMaxLabels) labels_[size_++] = Label{name, value};
}

IntHistogram::IntHistogram(const std::vector<int64_t>* bounds)
    : bounds_(bounds), buckets_(bounds->size() + 1, 0) {}

void IntHistogram::Observe(int64_t value) {
  // Buckets are "less than or equal": a 20 s wait belongs to le="20".
  auto it = std::lower_bound(bounds_->begin(), bounds_->end(), value);
  ++buckets_[static_cast<size_t>(it - bounds_->begin())];
  ++count_;
  sum_ = SaturatingAdd(sum_, std::max<int64_t>(value, 0));
}

bool IntHistogram::Restore(std::vector<uint64_t> buckets, int64_t sum) {
  if (buckets.size() != buckets_.size() || sum < 0) return false;
  uint64_t count = 0;
  for (uint64_t n : buckets) {
    if (n > std::numeric_limits<uint64_t>::max() - count) return false;
    count += n;
  }
  buckets_ = std::move(buckets);
  count_ = count;
  sum_ = sum;
  return true;
}

HistogramSample IntHistogram::View() const {
  return {std::span<const int64_t>(*bounds_), buckets_, count_,
          static_cast<double>(sum_)};
}

bool IsValidMetricName(std::string_view name) {
  return IsValidName(name, true);
}

bool IsValidLabelName(std::string_view name) {
  return IsValidName(name, false) && name.substr(0, 2) != "__";
}

std::vector<std::string> CheckFamilies(
    const std::vector<FamilySpec>& families) {
  std::vector<std::string> problems;
  std::set<std::string> names;
  for (const FamilySpec& family : families) {
    CheckFamily(family, &problems);
    if (!names.insert(family.name).second) {
      problems.push_back(family.name + ": declared by more than one source");
    }
  }
  return problems;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) {
    return b > 0 ? std::numeric_limits<int64_t>::max()
                 : std::numeric_limits<int64_t>::min();
  }
  return result;
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  uint64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) {
    return std::numeric_limits<uint64_t>::max();
  }
  return result;
}

}  // namespace callcenter::core
