#include "callcenter/snapshot.h"

#include <prometheus/text_serializer.h>
#include <zlib.h>

#include <exception>
#include <set>
#include <stdexcept>

namespace callcenter {

std::string GzipCompress(const std::string& data) {
  z_stream stream{};
  // 15 window bits + 16 selects the gzip wrapper.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&stream, data.size()) + 32);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

SnapshotPublisher::SnapshotPublisher(const Logger& logger,
                                     std::chrono::milliseconds min_interval)
    : logger_(logger),
      min_interval_(min_interval),
      current_(std::make_shared<Snapshot>()) {}

SnapshotPublisher::~SnapshotPublisher() { Stop(); }

void SnapshotPublisher::AddSource(const MetricSource* source) {
  sources_.push_back(source);
}

std::string SnapshotPublisher::Render() const {
  std::vector<prometheus::MetricFamily> families;
  for (const MetricSource* source : sources_) source->Collect(&families);
  // Hand-built families skip prometheus-cpp's name checks; one bad or
  // duplicated family would make Prometheus reject the whole scrape.
  std::set<std::string> names;
  std::vector<prometheus::MetricFamily> valid;
  valid.reserve(families.size());
  for (auto& family : families) {
    if (!IsValidMetricName(family.name) || !names.insert(family.name).second) {
      logger_.Error("snapshot", "dropping invalid or duplicate family",
                    {{"name", family.name}});
      continue;
    }
    valid.push_back(std::move(family));
  }
  return prometheus::TextSerializer().Serialize(valid);
}

void SnapshotPublisher::RenderNow() {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->text = Render();
  snapshot->gzip = GzipCompress(snapshot->text);
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  snapshot->generation = ++generation_;
  current_ = std::move(snapshot);
}

void SnapshotPublisher::Start() {
  thread_ = std::thread([this] { RenderLoop(); });
}

void SnapshotPublisher::Stop() {
  {
    std::lock_guard<std::mutex> lock(dirty_mutex_);
    stopping_ = true;
  }
  dirty_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SnapshotPublisher::MarkDirty() {
  {
    std::lock_guard<std::mutex> lock(dirty_mutex_);
    dirty_ = true;
  }
  dirty_cv_.notify_one();
}

std::shared_ptr<const Snapshot> SnapshotPublisher::Current() const {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  return current_;
}

void SnapshotPublisher::RenderLoop() {
  std::unique_lock<std::mutex> lock(dirty_mutex_);
  while (!stopping_) {
    dirty_cv_.wait(lock, [this] { return dirty_ || stopping_; });
    if (stopping_) break;
    dirty_ = false;
    lock.unlock();
    try {
      RenderNow();
    } catch (const std::exception& error) {
      logger_.Error("snapshot", "render failed", {{"err", error.what()}});
    }
    lock.lock();
    // Coalesce bursts of updates (AHT polls can finish many times a
    // second at accelerated time) into one render per interval.
    dirty_cv_.wait_for(lock, min_interval_, [this] { return stopping_; });
  }
}

}  // namespace callcenter
