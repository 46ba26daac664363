// The immutable, pre-rendered exposition that /metrics serves. Pollers mark
// it dirty; one render thread turns every source into text (and gzip) at
// most every `min_interval`, then swaps a shared_ptr under a short lock. A
// scrape only copies that pointer, however many servers scrape.
#ifndef CALLCENTER_SNAPSHOT_H_
#define CALLCENTER_SNAPSHOT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "callcenter/logging.h"
#include "callcenter/metric_source.h"

namespace callcenter {

struct Snapshot {
  std::string text;
  std::string gzip;  // the same bytes, gzip-compressed
  uint64_t generation = 0;
};

class SnapshotPublisher {
 public:
  SnapshotPublisher(const Logger& logger,
                    std::chrono::milliseconds min_interval);
  ~SnapshotPublisher();
  SnapshotPublisher(const SnapshotPublisher&) = delete;
  SnapshotPublisher& operator=(const SnapshotPublisher&) = delete;

  // Sources are rendered in the order added; add all before Start().
  void AddSource(const MetricSource* source);
  // Renders synchronously (used at start-up and by tests).
  void RenderNow();
  // Starts the render thread; MarkDirty() then schedules a render.
  void Start();
  void Stop();
  void MarkDirty();

  std::shared_ptr<const Snapshot> Current() const;

 private:
  void RenderLoop();
  std::string Render() const;

  const Logger& logger_;
  const std::chrono::milliseconds min_interval_;
  std::vector<const MetricSource*> sources_;

  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const Snapshot> current_;
  uint64_t generation_ = 0;

  std::mutex dirty_mutex_;
  std::condition_variable dirty_cv_;
  bool dirty_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// gzip (RFC 1952) with zlib.
std::string GzipCompress(const std::string& data);

}  // namespace callcenter

#endif  // CALLCENTER_SNAPSHOT_H_
