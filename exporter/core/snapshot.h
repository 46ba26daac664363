// The immutable, pre-rendered exposition that /metrics serves. Each source
// is rendered to text and compressed on its own, and only when it changed
// (a poller or the webhook marks it dirty), on one render thread at most
// every `min_interval`. A snapshot is the list of the sources' parts; it is
// swapped under a short lock, and a scrape writes the shared parts straight
// to the socket: nothing proportional to the body is copied per request.
//
// gzip: every part is a raw deflate stream that ends on a byte boundary
// (Z_SYNC_FLUSH) without a final block, so the parts concatenate into one
// deflate stream (a PiecewiseSource gives a part per piece, so that one
// changed piece is all that is re-rendered and recompressed); a snapshot adds
// the gzip header, an empty final block and the trailer (CRC-32 combined from
// the parts' CRCs). One valid gzip member, whatever the number of sources, and
// a one-gauge change recompresses only its own source.
#ifndef CALLCENTER_CORE_SNAPSHOT_H_
#define CALLCENTER_CORE_SNAPSHOT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/logging.h"
#include "core/metric_source.h"

namespace callcenter::core {

class SnapshotBody;

// One source's rendering.
struct SnapshotPart {
  std::string text;
  std::string deflate;  // raw deflate of `text`, byte-aligned, not final
  uint32_t crc = 0;     // CRC-32 of `text`
};

class Snapshot {
 public:
  Snapshot() = default;
  Snapshot(std::vector<std::shared_ptr<const SnapshotPart>> parts,
           uint64_t generation);

  size_t text_size() const { return text_size_; }
  size_t gzip_size() const;
  uint64_t generation() const { return generation_; }

  // The whole body in one string (tests and benchmarks, not the scrape).
  std::string Text() const;
  std::string Gzip() const;

 private:
  friend class SnapshotBody;
  std::vector<std::shared_ptr<const SnapshotPart>> parts_;
  std::string gzip_tail_;  // final empty block + CRC-32 + ISIZE
  size_t text_size_ = 0;
  size_t deflate_size_ = 0;
  uint64_t generation_ = 0;
};

// One scrape's body: the snapshot's parts (plain text, or the gzip member
// around their deflate streams), held by the scrape itself and let go one
// by one as they are written. A part the render thread replaces meanwhile
// (the call counters re-render megabytes per poll) is then freed once
// every scrape that started before has written it, not when the slowest
// of them ends.
class SnapshotBody {
 public:
  SnapshotBody(const Snapshot& snapshot, bool gzip);
  SnapshotBody(const SnapshotBody&) = delete;
  SnapshotBody& operator=(const SnapshotBody&) = delete;

  size_t size() const { return size_; }
  // Hands `write` the body in pieces, in order; once `write` answers false
  // (the peer is gone) nothing more is written. Each part is released
  // after its piece, so the body is written once: later calls write
  // nothing.
  void WriteTo(const std::function<bool(std::string_view)>& write);

 private:
  std::vector<std::shared_ptr<const SnapshotPart>> parts_;
  bool gzip_;
  std::string gzip_tail_;
  size_t size_;
  bool written_ = false;
};

// Renders `source` into a part (text, deflate, CRC); a piecewise source is
// published as one part per piece instead. `expected_bytes` (the last
// render's size, when known) sizes the text up front.
std::shared_ptr<const SnapshotPart> RenderPart(const MetricSource& source,
                                               size_t expected_bytes = 0);

class SnapshotPublisher {
 public:
  using SourceId = size_t;
  struct Options {
    // Bursts of changes (webhook events, AHT polls) are coalesced into one
    // render per interval.
    std::chrono::milliseconds min_interval{100};
    // Ticking sources (the exporter's clock) are re-rendered this often.
    std::chrono::milliseconds tick{1000};
  };

  SnapshotPublisher(const Logger& logger, Options options);
  ~SnapshotPublisher();
  SnapshotPublisher(const SnapshotPublisher&) = delete;
  SnapshotPublisher& operator=(const SnapshotPublisher&) = delete;

  // Sources render in the order added; add all before Start().
  SourceId Add(std::string name, const MetricSource* source,
               bool ticking = false);
  // Problems with the declared families of every source, one per line.
  std::vector<std::string> CheckFamilies() const;
  // Every family any source declared, in source order.
  std::vector<FamilySpec> DeclaredFamilies() const;

  void MarkDirty(SourceId id);
  void MarkAllDirty();
  // Renders the dirty sources on the calling thread and publishes.
  void RenderNow();
  void Start();
  void Stop();

  std::shared_ptr<const Snapshot> Current() const;
  // Renders done per source since start, for the exporter's self metrics.
  uint64_t renders() const;

 private:
  struct Entry {
    std::string name;
    const MetricSource* source;
    const PiecewiseSource* piecewise;  // the same source, when it is one
    bool ticking;
    bool dirty = true;
    // One part, or one per piece of a piecewise source.
    std::vector<std::shared_ptr<const SnapshotPart>> parts;
  };
  void RenderLoop();
  void RenderDirty();
  // The dirty sources' indexes; clears their flags.
  std::vector<size_t> TakeDirty();
  void RenderEntry(Entry& entry);

  const Logger& logger_;
  const Options options_;

  mutable std::mutex mutex_;  // guards entries_' dirty flags, stopping_
  std::condition_variable changed_;
  std::vector<Entry> entries_;
  bool any_dirty_ = true;
  bool stopping_ = false;
  uint64_t renders_ = 0;

  std::mutex render_mutex_;  // one render at a time (RenderNow vs thread)
  mutable std::mutex current_mutex_;
  std::shared_ptr<const Snapshot> current_;
  uint64_t generation_ = 0;
  std::thread thread_;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_SNAPSHOT_H_
