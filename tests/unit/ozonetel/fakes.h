// Test doubles for the Ozonetel client: a transport that replays canned
// responses in chosen chunk sizes, and a gate that counts acquisitions.
#ifndef CALLCENTER_TESTS_UNIT_OZONETEL_FAKES_H_
#define CALLCENTER_TESTS_UNIT_OZONETEL_FAKES_H_

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "callcenter/ozonetel/transport.h"
#include "callcenter/request_gate.h"

namespace callcenter::ozonetel::testing {

struct CannedResponse {
  int status = 200;
  std::string body;
  size_t chunk_size = 0;  // 0: the whole body in one chunk
  bool timed_out = false;
  std::string error;  // a transport failure
};

inline CannedResponse Reply(int status, std::string body,
                            size_t chunk_size = 0) {
  CannedResponse response;
  response.status = status;
  response.body = std::move(body);
  response.chunk_size = chunk_size;
  return response;
}

class FakeTransport : public Transport {
 public:
  HttpStatus Perform(
      const HttpCall& call,
      const std::function<bool(std::string_view)>& on_chunk) override {
    CannedResponse response;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.push_back(call);
      if (responses_.empty()) {
        response = Reply(
            500, "{\"status\":\"error\",\"message\":\"no canned response\"}");
      } else {
        response = std::move(responses_.front());
        responses_.pop_front();
      }
    }
    HttpStatus status;
    status.status = response.status;
    status.timed_out = response.timed_out;
    status.error = response.error;
    const size_t step =
        response.chunk_size == 0 ? response.body.size() : response.chunk_size;
    std::string_view body = response.body;
    while (!body.empty()) {
      std::string_view chunk = body.substr(0, step);
      body.remove_prefix(chunk.size());
      if (!on_chunk(chunk)) {
        status.error = "aborted by callback";
        break;
      }
    }
    return status;
  }

  void Enqueue(CannedResponse response) {
    std::lock_guard<std::mutex> lock(mutex_);
    responses_.push_back(std::move(response));
  }
  std::vector<HttpCall> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<CannedResponse> responses_;
  std::vector<HttpCall> calls_;
};

// Produces a body lazily, chunk by chunk, so a test can stream a large
// response without ever holding it whole.
class GeneratorTransport : public Transport {
 public:
  // Returns the next chunk, or "" at the end.
  explicit GeneratorTransport(std::function<std::string()> next)
      : next_(std::move(next)) {}

  HttpStatus Perform(
      const HttpCall&,
      const std::function<bool(std::string_view)>& on_chunk) override {
    HttpStatus status;
    status.status = 200;
    for (std::string chunk = next_(); !chunk.empty(); chunk = next_()) {
      if (!on_chunk(chunk)) {
        status.error = "aborted by callback";
        break;
      }
    }
    return status;
  }

 private:
  std::function<std::string()> next_;
};

class FakeGate : public RequestGate {
 public:
  bool Acquire(ApiFamily family) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++acquired_[family];
    return allow_;
  }
  void OnRateLimited(ApiFamily family) override {
    std::lock_guard<std::mutex> lock(mutex_);
    rate_limited_.push_back(family);
  }

  int acquired(ApiFamily family) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = acquired_.find(family);
    return it == acquired_.end() ? 0 : it->second;
  }
  std::vector<ApiFamily> rate_limited() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return rate_limited_;
  }
  void set_allow(bool allow) {
    std::lock_guard<std::mutex> lock(mutex_);
    allow_ = allow;
  }

 private:
  mutable std::mutex mutex_;
  std::map<ApiFamily, int> acquired_;
  std::vector<ApiFamily> rate_limited_;
  bool allow_ = true;
};

// The header's value, or nullptr when the call does not carry it.
inline const std::string* FindHeader(const HttpCall& call,
                                     std::string_view name) {
  for (const auto& [key, value] : call.headers) {
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(),
                   [](char a, char b) {
                     return std::tolower(static_cast<unsigned char>(a)) ==
                            std::tolower(static_cast<unsigned char>(b));
                   })) {
      return &value;
    }
  }
  return nullptr;
}

}  // namespace callcenter::ozonetel::testing

#endif  // CALLCENTER_TESTS_UNIT_OZONETEL_FAKES_H_
