// A RequestGate that admits (or refuses) at once and counts what it saw.
#ifndef CALLCENTER_TESTS_UNIT_TESTING_FAKE_GATE_H_
#define CALLCENTER_TESTS_UNIT_TESTING_FAKE_GATE_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/request_gate.h"

namespace callcenter::test {

class FakeGate final : public core::RequestGate {
 public:
  core::Admission Acquire(const std::string& family) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++acquired_[family];
    return admission_;
  }
  void OnRateLimited(const std::string& family,
                     std::optional<Seconds> retry_after) override {
    std::lock_guard<std::mutex> lock(mutex_);
    rate_limited_.push_back(family);
    retry_afters_.push_back(retry_after);
  }

  int acquired(const std::string& family) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = acquired_.find(family);
    return it == acquired_.end() ? 0 : it->second;
  }
  std::vector<std::string> rate_limited() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return rate_limited_;
  }
  std::vector<std::optional<Seconds>> retry_afters() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return retry_afters_;
  }
  void set_admission(core::Admission admission) {
    std::lock_guard<std::mutex> lock(mutex_);
    admission_ = admission;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> acquired_;
  std::vector<std::string> rate_limited_;
  std::vector<std::optional<Seconds>> retry_afters_;
  core::Admission admission_ = core::Admission::kGranted;
};

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_TESTING_FAKE_GATE_H_
