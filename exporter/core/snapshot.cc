#include "core/snapshot.h"

#include <zlib.h>

#include <array>
#include <exception>
#include <set>
#include <stdexcept>

#include "core/text_writer.h"

namespace callcenter::core {
namespace {

// gzip member header: magic, deflate, no flags, no mtime, no extra flags,
// OS "unix".
constexpr char kGzipHeader[] = {'\x1f', '\x8b', '\x08', '\x00', '\x00',
                                '\x00', '\x00', '\x00', '\x00', '\x03'};
// An empty final block with fixed Huffman codes: BFINAL=1, BTYPE=01, EOB.
constexpr char kFinalBlock[] = {'\x03', '\x00'};

// Raw deflate of `text`, flushed to a byte boundary and not final, so that
// parts compressed independently concatenate into one stream. Level 1: at
// 5,000 agents the text is ~10 MB, and speed beats the last few percent.
// The output grows in steps and is trimmed: a deflateBound-sized buffer
// would keep about the text's size resident for every part.
std::string DeflateRaw(std::string_view text) {
  z_stream stream{};
  if (deflateInit2(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  stream.next_in =
      reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));  // NOLINT
  stream.avail_in = static_cast<uInt>(text.size());
  std::string out;
  std::array<char, size_t{64} * 1024> buffer;
  int result = Z_OK;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    result = deflate(&stream, Z_SYNC_FLUSH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  } while (result == Z_OK && stream.avail_out == 0);
  const bool complete = stream.avail_in == 0;
  deflateEnd(&stream);
  if (result != Z_OK || !complete) throw std::runtime_error("deflate failed");
  out.shrink_to_fit();
  return out;
}

// A part's text is kept for as long as its source does not change: its
// spare capacity (up to half of it after geometric growth) would stay
// resident all that time.
void TrimCapacity(std::string* text) {
  if (text->capacity() - text->size() > text->size() / 8) {
    text->shrink_to_fit();
  }
}

void AppendLittleEndian32(std::string* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

std::shared_ptr<const SnapshotPart> MakePart(std::string text) {
  auto part = std::make_shared<SnapshotPart>();
  TrimCapacity(&text);
  part->text = std::move(text);
  // An empty piece adds nothing to the stream (its CRC-32 is 0 and
  // combines as the identity).
  if (part->text.empty()) return part;
  part->deflate = DeflateRaw(part->text);
  part->crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(part->text.data()),
            static_cast<uInt>(part->text.size())));
  return part;
}

std::shared_ptr<const SnapshotPart> RenderPiece(const PiecewiseSource& source,
                                                size_t piece) {
  std::string text;
  TextWriter writer(&text);
  source.RenderPiece(piece, writer);
  return MakePart(std::move(text));
}

}  // namespace

std::shared_ptr<const SnapshotPart> RenderPart(const MetricSource& source,
                                               size_t expected_bytes) {
  std::string text;
  // A little over the last render's size: the text then grows in place.
  if (expected_bytes > 0) text.reserve(expected_bytes + expected_bytes / 16);
  TextWriter writer(&text);
  source.Render(writer);
  return MakePart(std::move(text));
}

Snapshot::Snapshot(std::vector<std::shared_ptr<const SnapshotPart>> parts,
                   uint64_t generation)
    : parts_(std::move(parts)), generation_(generation) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (const auto& part : parts_) {
    crc =
        crc32_combine(crc, part->crc, static_cast<z_off_t>(part->text.size()));
    text_size_ += part->text.size();
    deflate_size_ += part->deflate.size();
  }
  gzip_tail_.assign(kFinalBlock, sizeof(kFinalBlock));
  AppendLittleEndian32(&gzip_tail_, static_cast<uint32_t>(crc));
  AppendLittleEndian32(&gzip_tail_, static_cast<uint32_t>(text_size_));
}

size_t Snapshot::gzip_size() const {
  return sizeof(kGzipHeader) + deflate_size_ + gzip_tail_.size();
}

std::string Snapshot::Text() const {
  std::string out;
  out.reserve(text_size_);
  SnapshotBody(*this, /*gzip=*/false).WriteTo([&](std::string_view piece) {
    out.append(piece);
    return true;
  });
  return out;
}

std::string Snapshot::Gzip() const {
  std::string out;
  out.reserve(gzip_size());
  SnapshotBody(*this, /*gzip=*/true).WriteTo([&](std::string_view piece) {
    out.append(piece);
    return true;
  });
  return out;
}

SnapshotBody::SnapshotBody(const Snapshot& snapshot, bool gzip)
    : parts_(snapshot.parts_),
      gzip_(gzip),
      gzip_tail_(gzip ? snapshot.gzip_tail_ : std::string()),
      size_(gzip ? snapshot.gzip_size() : snapshot.text_size()) {}

void SnapshotBody::WriteTo(const std::function<bool(std::string_view)>& write) {
  if (written_) return;
  written_ = true;
  bool open =
      !gzip_ || write(std::string_view(kGzipHeader, sizeof(kGzipHeader)));
  for (std::shared_ptr<const SnapshotPart>& part : parts_) {
    const std::string& piece = gzip_ ? part->deflate : part->text;
    if (open && !piece.empty()) open = write(piece);
    part.reset();
  }
  if (open && gzip_) write(gzip_tail_);
}

SnapshotPublisher::SnapshotPublisher(const Logger& logger, Options options)
    : logger_(logger),
      options_(options),
      current_(std::make_shared<Snapshot>(
          std::vector<std::shared_ptr<const SnapshotPart>>{}, 0)) {}

SnapshotPublisher::~SnapshotPublisher() { Stop(); }

SnapshotPublisher::SourceId SnapshotPublisher::Add(std::string name,
                                                   const MetricSource* source,
                                                   bool ticking) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.push_back(Entry{std::move(name),
                           source,
                           dynamic_cast<const PiecewiseSource*>(source),
                           ticking,
                           true,
                           {}});
  any_dirty_ = true;
  return entries_.size() - 1;
}

std::vector<FamilySpec> SnapshotPublisher::DeclaredFamilies() const {
  std::vector<FamilySpec> all;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Entry& entry : entries_) {
    for (FamilySpec& family : entry.source->Families()) {
      all.push_back(std::move(family));
    }
  }
  return all;
}

std::vector<std::string> SnapshotPublisher::CheckFamilies() const {
  return core::CheckFamilies(DeclaredFamilies());
}

void SnapshotPublisher::MarkDirty(SourceId id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (id >= entries_.size()) return;
    entries_[id].dirty = true;
    any_dirty_ = true;
  }
  changed_.notify_one();
}

void SnapshotPublisher::MarkAllDirty() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Entry& entry : entries_) entry.dirty = true;
    any_dirty_ = true;
  }
  changed_.notify_one();
}

void SnapshotPublisher::RenderDirty() {
  std::lock_guard<std::mutex> render_lock(render_mutex_);
  // A change that lands mid-render (an event applied to the floor, then
  // counted by the receiver) can leave a rendered count beside a floor part
  // from before it. Sources dirtied meanwhile are rendered again before
  // publishing, so a snapshot that shows a count shows what it counts; the
  // bound keeps a steady stream of changes from holding the snapshot back.
  constexpr int kMaxRounds = 3;
  uint64_t rendered = 0;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::vector<size_t> dirty = TakeDirty();
    if (dirty.empty()) break;
    for (size_t i : dirty) RenderEntry(entries_[i]);
    rendered += dirty.size();
  }
  std::vector<std::shared_ptr<const SnapshotPart>> parts;
  for (const Entry& entry : entries_) {
    for (const auto& part : entry.parts) {
      if (part && !part->text.empty()) parts.push_back(part);
    }
  }
  std::lock_guard<std::mutex> lock(current_mutex_);
  renders_ += rendered;
  current_ = std::make_shared<const Snapshot>(std::move(parts), ++generation_);
}

std::vector<size_t> SnapshotPublisher::TakeDirty() {
  std::vector<size_t> dirty;
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].dirty) dirty.push_back(i);
    entries_[i].dirty = false;
  }
  any_dirty_ = false;
  return dirty;
}

// `entry.parts` is only touched under render_mutex_.
void SnapshotPublisher::RenderEntry(Entry& entry) {
  try {
    if (entry.piecewise == nullptr) {
      const size_t last_size = entry.parts.empty() || !entry.parts[0]
                                   ? 0
                                   : entry.parts[0]->text.size();
      auto part = RenderPart(*entry.source, last_size);
      entry.parts.clear();
      entry.parts.push_back(std::move(part));
      return;
    }
    entry.parts.resize(entry.piecewise->piece_count());
    for (size_t piece : entry.piecewise->TakeChangedPieces()) {
      if (piece < entry.parts.size()) {
        entry.parts[piece] = RenderPiece(*entry.piecewise, piece);
      }
    }
  } catch (const std::exception& error) {
    // Keep the previous parts: an old value beats a missing family.
    logger_.Error("snapshot", "render failed; kept the previous one",
                  {{"source", entry.name}, {"err", error.what()}});
  }
}

void SnapshotPublisher::RenderNow() { RenderDirty(); }

void SnapshotPublisher::Start() {
  thread_ = std::thread([this] { RenderLoop(); });
}

void SnapshotPublisher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const Snapshot> SnapshotPublisher::Current() const {
  std::lock_guard<std::mutex> lock(current_mutex_);
  return current_;
}

uint64_t SnapshotPublisher::renders() const {
  std::lock_guard<std::mutex> lock(current_mutex_);
  return renders_;
}

void SnapshotPublisher::RenderLoop() {
  auto next_tick = std::chrono::steady_clock::now() + options_.tick;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    changed_.wait_until(lock, next_tick,
                        [this] { return any_dirty_ || stopping_; });
    if (stopping_) break;
    if (std::chrono::steady_clock::now() >= next_tick) {
      for (Entry& entry : entries_) {
        if (entry.ticking) entry.dirty = any_dirty_ = true;
      }
      next_tick = std::chrono::steady_clock::now() + options_.tick;
    }
    if (!any_dirty_) continue;
    lock.unlock();
    try {
      RenderDirty();
    } catch (const std::exception& error) {
      logger_.Error("snapshot", "render failed", {{"err", error.what()}});
    }
    lock.lock();
    changed_.wait_for(lock, options_.min_interval,
                      [this] { return stopping_; });
  }
}

}  // namespace callcenter::core
