#include "core/state_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "callcenter/common/files.h"
#include "core/json.h"

namespace callcenter::core {
namespace {

constexpr char kJournalSuffix[] = ".journal";
constexpr char kHeaderPrefix[] = "snapshot ";
// 2000-01-01 and 2100-01-01, in Unix milliseconds.
constexpr int64_t kEarliestMillis = 946684800000LL;
constexpr int64_t kLatestMillis = 4102444800000LL;

void PutLittleEndian32(std::string* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

uint32_t GetLittleEndian32(const char* bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i]))
             << (8 * i);
  }
  return value;
}

uint32_t Crc32(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()),
            static_cast<uInt>(data.size())));
}

std::string Frame(std::string_view payload) {
  std::string frame;
  frame.reserve(payload.size() + 8);
  PutLittleEndian32(&frame, static_cast<uint32_t>(payload.size()));
  PutLittleEndian32(&frame, Crc32(payload));
  frame.append(payload);
  return frame;
}

std::string HeaderPayload(uint64_t fingerprint) {
  return kHeaderPrefix + std::to_string(fingerprint);
}

// Splits a journal into its frames; stops at the first torn or corrupt one
// and reports how many bytes were valid.
std::vector<std::string_view> ReadFrames(std::string_view data,
                                         size_t max_entry, size_t* valid) {
  std::vector<std::string_view> frames;
  size_t pos = 0;
  while (data.size() - pos >= 8) {
    const uint32_t length = GetLittleEndian32(data.data() + pos);
    const uint32_t crc = GetLittleEndian32(data.data() + pos + 4);
    if (length > max_entry || data.size() - pos - 8 < length) break;
    std::string_view payload = data.substr(pos + 8, length);
    if (Crc32(payload) != crc) break;
    frames.push_back(payload);
    pos += 8 + length;
  }
  *valid = pos;
  return frames;
}

bool WriteAllFd(int fd, std::string_view data) {
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

bool AnyStateFileIn(const std::string& directory) {
  std::error_code code;
  for (const auto& entry :
       std::filesystem::directory_iterator(directory, code)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".json" || ext == kJournalSuffix) return true;
  }
  return false;
}

}  // namespace

// ------------------------------------------------------------ StorageHealth

void StorageHealth::RecordWrite(const std::string& file, bool ok,
                                const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ok) {
    failing_.erase(file);
    if (failing_.empty()) last_error_.clear();
    return;
  }
  failing_[file] = true;
  last_error_ = file + ": " + error;
  ++failures_;
}

bool StorageHealth::writable() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failing_.empty();
}

std::string StorageHealth::problem() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_error_;
}

std::vector<FamilySpec> StorageHealth::Families() const {
  return {
      {"callcenter_exporter_state_writable",
       "1 if the last write of every state file under --storage.path "
       "succeeded; 0 makes /-/ready fail, and nothing is counted or sent "
       "that could not be recorded.",
       MetricType::kGauge,
       {}},
      {"callcenter_exporter_state_write_failures_total",
       "State file writes (snapshots, journal entries, request history) that "
       "failed.",
       MetricType::kCounter,
       {}},
  };
}

void StorageHealth::Render(MetricSink& sink) const {
  const auto families = Families();
  std::lock_guard<std::mutex> lock(mutex_);
  sink.Begin(families[0]);
  sink.Sample({}, failing_.empty() ? 1 : 0);
  sink.Begin(families[1]);
  sink.Sample({}, static_cast<double>(failures_));
}

// ---------------------------------------------------------------- StateFile

StateFile::StateFile(std::string path, bool journaled, StorageHealth& health,
                     const Logger& logger, StateLimits limits)
    : path_(std::move(path)),
      journal_path_(path_ + kJournalSuffix),
      journaled_(journaled),
      health_(health),
      logger_(logger),
      limits_(limits),
      existed_at_start_(FileExists(path_)) {}

StateFile::Loaded StateFile::Load() {
  Loaded loaded;
  FileRead snapshot = ReadRegularFile(path_, limits_.max_snapshot_bytes);
  if (snapshot.status == FileRead::Status::kMissing) return loaded;
  auto corrupt = [&](std::string reason) {
    loaded.status = Status::kCorrupt;
    loaded.reason = std::move(reason);
    loaded.snapshot.SetNull();
    loaded.journal.clear();
    SetAside(loaded.reason);
    return std::move(loaded);
  };
  if (snapshot.status == FileRead::Status::kError) {
    return corrupt(snapshot.error);
  }
  JsonLimits json_limits;
  json_limits.max_bytes = limits_.max_snapshot_bytes;
  json_limits.max_depth = limits_.max_depth;
  json_limits.numbers_as_strings = false;
  if (std::string error = ParseJson(snapshot.content, &loaded.snapshot,
                                    json_limits);
      !error.empty()) {
    return corrupt(error);
  }
  if (!loaded.snapshot.IsObject()) return corrupt("not a JSON object");
  snapshot_fingerprint_ = Fingerprint(snapshot.content);

  if (!journaled_) {
    loaded.status = Status::kLoaded;
    return loaded;
  }
  FileRead journal = ReadRegularFile(journal_path_, limits_.max_journal_bytes);
  if (journal.status == FileRead::Status::kError) {
    return corrupt(journal.error);
  }
  journal_valid_bytes_ = 0;
  if (journal.status == FileRead::Status::kOk) {
    size_t valid = 0;
    std::vector<std::string_view> frames =
        ReadFrames(journal.content, limits_.max_entry_bytes, &valid);
    // A journal for another snapshot predates the last compaction: its
    // entries are in the snapshot already.
    if (!frames.empty() &&
        frames.front() == HeaderPayload(*snapshot_fingerprint_)) {
      journal_valid_bytes_ = valid;
      for (size_t i = 1; i < frames.size(); ++i) {
        loaded.journal.emplace_back(frames[i]);
      }
      if (valid < journal.content.size()) {
        logger_.Warn("state", "dropped a torn entry at the end of a journal",
                     {{"file", journal_path_},
                      {"bytes", std::to_string(journal.content.size() - valid)}});
      }
    }
  }
  journal_entries_ = loaded.journal.size();
  journal_bytes_ = journal_valid_bytes_;
  loaded.status = Status::kLoaded;
  return loaded;
}

void StateFile::SetAside(const std::string& reason) {
  CloseJournal();
  std::string error;
  const bool moved = !FileExists(path_) || MoveAside(path_, ".corrupt", &error);
  if (FileExists(journal_path_)) MoveAside(journal_path_, ".corrupt", &error);
  snapshot_fingerprint_.reset();
  journal_valid_bytes_ = 0;
  journal_entries_ = 0;
  journal_bytes_ = 0;
  logger_.Error("state",
                moved ? "state file is corrupt; kept aside as *.corrupt"
                      : "state file is corrupt and cannot be moved aside",
                {{"file", path_}, {"reason", reason}, {"err", error}});
}

bool StateFile::Save(const std::string& snapshot) {
  std::string error;
  CloseJournal();
  bool ok = WriteFileAtomically(path_, snapshot, &error);
  if (ok && journaled_) {
    snapshot_fingerprint_ = Fingerprint(snapshot);
    const std::string header = Frame(HeaderPayload(*snapshot_fingerprint_));
    ok = WriteFileAtomically(journal_path_, header, &error);
    journal_valid_bytes_ = header.size();
    journal_entries_ = 0;
    journal_bytes_ = header.size();
    // Without its journal header the new snapshot still loads, with no
    // journal: nothing is lost, so this failure only marks the store.
    if (!ok) snapshot_fingerprint_.reset();
  }
  health_.RecordWrite(std::filesystem::path(path_).filename(), ok, error);
  return ok;
}

bool StateFile::OpenJournalForAppend(std::string* error) {
  if (journal_fd_ >= 0) return true;
  if (!snapshot_fingerprint_) {
    *error = "no snapshot to append to";
    return false;
  }
  journal_fd_ = ::open(journal_path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC,
                       0600);
  if (journal_fd_ < 0) {
    *error = std::string("cannot open ") + journal_path_ + ": " +
             std::strerror(errno);
    return false;
  }
  if (journal_valid_bytes_ == 0) {
    // No matching header yet (a loaded snapshot whose journal was stale).
    const std::string header = Frame(HeaderPayload(*snapshot_fingerprint_));
    if (::ftruncate(journal_fd_, 0) != 0 || !WriteAllFd(journal_fd_, header)) {
      *error = std::string("cannot start ") + journal_path_ + ": " +
               std::strerror(errno);
      CloseJournal();
      return false;
    }
    journal_valid_bytes_ = header.size();
  }
  // Drop a torn tail so new entries follow the last valid one.
  if (::ftruncate(journal_fd_, static_cast<off_t>(journal_valid_bytes_)) != 0 ||
      ::lseek(journal_fd_, static_cast<off_t>(journal_valid_bytes_),
              SEEK_SET) < 0) {
    *error = std::string("cannot position ") + journal_path_ + ": " +
             std::strerror(errno);
    CloseJournal();
    return false;
  }
  return true;
}

bool StateFile::Append(const std::string& entry) {
  std::string error;
  bool ok = journaled_ && entry.size() <= limits_.max_entry_bytes;
  if (!ok) error = journaled_ ? "journal entry too large" : "not journaled";
  ok = ok && OpenJournalForAppend(&error);
  if (ok) {
    const std::string frame = Frame(entry);
    ok = WriteAllFd(journal_fd_, frame) && ::fdatasync(journal_fd_) == 0;
    if (ok) {
      journal_valid_bytes_ += frame.size();
      journal_bytes_ = journal_valid_bytes_;
      ++journal_entries_;
    } else {
      error = std::string("cannot append to ") + journal_path_ + ": " +
              std::strerror(errno);
      // Whatever part of the frame reached the file is cut off on the next
      // append (or ignored as torn on load).
      CloseJournal();
    }
  }
  health_.RecordWrite(std::filesystem::path(path_).filename(), ok, error);
  return ok;
}

void StateFile::CloseJournal() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
  journal_fd_ = -1;
}

// --------------------------------------------------------------- StateStore

StateStore::StateStore(std::string directory, const Logger& logger,
                       StateLimits limits)
    : directory_(std::move(directory)),
      logger_(logger),
      limits_(limits),
      ran_before_(AnyStateFileIn(directory_)) {}

StateFile& StateStore::File(const std::string& name, bool journaled) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& file = files_[name];
  if (!file) {
    file = std::make_unique<StateFile>(directory_ + "/" + name, journaled,
                                       health_, logger_, limits_);
  }
  return *file;
}

bool StateStore::RanBefore() const { return ran_before_; }

// ------------------------------------------------------------------- times

std::optional<TimePoint> TimeFromMillis(int64_t ms) {
  if (ms < kEarliestMillis || ms > kLatestMillis) return std::nullopt;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::milliseconds(ms)));
}

int64_t ToMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

bool ReadOptionalTime(const rapidjson::Value& object, const char* key,
                      std::optional<TimePoint>* out) {
  out->reset();
  if (!object.IsObject()) return false;
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return true;
  if (!it->value.IsInt64()) return false;
  *out = TimeFromMillis(it->value.GetInt64());
  return out->has_value();
}

void WriteOptionalTime(rapidjson::Writer<rapidjson::StringBuffer>* w,
                       const char* key, const std::optional<TimePoint>& t) {
  w->Key(key);
  if (t) {
    w->Int64(ToMillis(*t));
  } else {
    w->Null();
  }
}

uint64_t Fingerprint(std::string_view content) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : content) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash ^ content.size();
}

}  // namespace callcenter::core
