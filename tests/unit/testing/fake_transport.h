// Transports for client tests: one that replays canned answers in chosen
// chunk sizes and records every call, and one that produces a body lazily,
// chunk by chunk, so a test can stream far more than it could hold.
#ifndef CALLCENTER_TESTS_UNIT_TESTING_FAKE_TRANSPORT_H_
#define CALLCENTER_TESTS_UNIT_TESTING_FAKE_TRANSPORT_H_

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_client.h"

namespace callcenter::test {

struct Canned {
  int status = 200;
  std::string body;
  size_t chunk_size = 0;  // 0: the whole body in one chunk
  bool timed_out = false;
  std::string error;  // a transport failure
  std::optional<std::chrono::seconds> retry_after;
};

inline Canned Reply(int status, std::string body, size_t chunk_size = 0) {
  Canned canned;
  canned.status = status;
  canned.body = std::move(body);
  canned.chunk_size = chunk_size;
  return canned;
}

class FakeTransport final : public Transport {
 public:
  FakeTransport() = default;
  // Each request advances `clock` by `latency`, standing in for the time a
  // real request takes (so a real budget lets the next request through).
  FakeTransport(FakeClock* clock, std::chrono::seconds latency)
      : clock_(clock), latency_(latency) {}

  HttpStatus Perform(
      const HttpCall& call,
      const std::function<bool(std::string_view)>& on_chunk) override {
    Canned answer;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.push_back(call);
      if (answers_.empty()) {
        answer.status = 0;
        answer.error = "no canned answer left";
      } else {
        answer = std::move(answers_.front());
        answers_.pop_front();
      }
    }
    if (clock_ != nullptr) clock_->Advance(latency_);
    HttpStatus status;
    status.status = answer.status;
    status.timed_out = answer.timed_out;
    status.error = answer.error;
    status.retry_after = answer.retry_after;
    const size_t step =
        answer.chunk_size == 0 ? answer.body.size() : answer.chunk_size;
    std::string_view body = answer.body;
    while (!body.empty()) {
      const std::string_view chunk = body.substr(0, step);
      body.remove_prefix(chunk.size());
      if (!on_chunk(chunk)) {
        status.error = "aborted by the write callback";
        break;
      }
    }
    return status;
  }

  void Enqueue(Canned answer) {
    std::lock_guard<std::mutex> lock(mutex_);
    answers_.push_back(std::move(answer));
  }
  std::vector<HttpCall> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  FakeClock* clock_ = nullptr;
  std::chrono::seconds latency_{0};
  mutable std::mutex mutex_;
  std::deque<Canned> answers_;
  std::vector<HttpCall> calls_;
};

class GeneratorTransport final : public Transport {
 public:
  // `next` returns the next chunk, or "" at the end of the body.
  explicit GeneratorTransport(std::function<std::string()> next)
      : next_(std::move(next)) {}

  HttpStatus Perform(
      const HttpCall&,
      const std::function<bool(std::string_view)>& on_chunk) override {
    HttpStatus status;
    status.status = 200;
    for (std::string chunk = next_(); !chunk.empty(); chunk = next_()) {
      if (!on_chunk(chunk)) {
        status.error = "aborted by the write callback";
        break;
      }
    }
    return status;
  }

 private:
  std::function<std::string()> next_;
};

// The header's value, or nullopt when the call does not carry it.
inline std::optional<std::string> FindHeader(const HttpCall& call,
                                             std::string_view name) {
  for (const auto& [key, value] : call.headers) {
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(),
                   [](char a, char b) {
                     return std::tolower(static_cast<unsigned char>(a)) ==
                            std::tolower(static_cast<unsigned char>(b));
                   })) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_TESTING_FAKE_TRANSPORT_H_
