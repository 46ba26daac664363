// Persistent state under --storage.path. Every state file is a JSON snapshot
// written atomically, optionally followed by a journal of appended entries,
// so a poll writes what it changed instead of the day (the CDR ledger at
// 5,000 agents is megabytes). A journal starts with the fingerprint of the
// snapshot it extends: after a crash between a compaction's rename and the
// journal's reset, the stale journal no longer matches and is ignored, so no
// entry is ever applied twice. Entries are framed with their length and
// CRC-32; a torn last entry (kill -9 mid-write) is dropped and truncated.
//
// Every write goes through StorageHealth: a failure shows in
// callcenter_exporter_state_writable and _write_failures_total and makes
// /-/ready answer 503 until a write succeeds again. Callers fail closed:
// what could not be written is not counted and not sent.
#ifndef CALLCENTER_CORE_STATE_STORE_H_
#define CALLCENTER_CORE_STATE_STORE_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/logging.h"
#include "core/metric_source.h"

namespace callcenter::core {

class StorageHealth final : public MetricSource {
 public:
  void RecordWrite(const std::string& file, bool ok, const std::string& error);
  bool writable() const;
  // The last failure ("cdr_state.json: cannot write ...: No space left"),
  // empty while writable.
  std::string problem() const;

  std::vector<FamilySpec> Families() const override;
  void Render(MetricSink& sink) const override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, bool> failing_;  // by file
  std::string last_error_;
  uint64_t failures_ = 0;
};

struct StateLimits {
  size_t max_snapshot_bytes = size_t{256} << 20;
  size_t max_journal_bytes = size_t{256} << 20;
  size_t max_entry_bytes = size_t{64} << 20;
  int max_depth = 64;
};

class StateFile {
 public:
  enum class Status { kLoaded, kMissing, kCorrupt };
  struct Loaded {
    Status status = Status::kMissing;
    rapidjson::Document snapshot;
    std::vector<std::string> journal;  // entries after the snapshot, in order
    std::string reason;                // why kCorrupt
  };

  // `journaled`: Save also starts a journal for Append; without it Save
  // writes the snapshot alone (one fsync'd rename per save).
  StateFile(std::string path, bool journaled, StorageHealth& health,
            const Logger& logger, StateLimits limits = {});

  // Reads the snapshot (depth and size limited) and the journal that
  // extends it. A file that cannot be parsed is set aside (see SetAside).
  Loaded Load();
  // The caller found the content unusable: both files are renamed to
  // *.corrupt (replacing older ones) and one error line says so.
  void SetAside(const std::string& reason);

  // Replaces the snapshot atomically and starts an empty journal after it.
  bool Save(const std::string& snapshot);
  // Appends one entry durably (fdatasync). Needs a snapshot saved or loaded
  // first; false when it could not be written, and then nothing was added.
  bool Append(const std::string& entry);

  // A snapshot is on disk for journal entries to follow.
  bool has_snapshot() const { return snapshot_fingerprint_.has_value(); }
  size_t journal_entries() const { return journal_entries_; }
  size_t journal_bytes() const { return journal_bytes_; }
  const std::string& path() const { return path_; }
  bool existed_at_start() const { return existed_at_start_; }

 private:
  bool OpenJournalForAppend(std::string* error);
  void CloseJournal();

  const std::string path_;
  const std::string journal_path_;
  const bool journaled_;
  StorageHealth& health_;
  const Logger& logger_;
  const StateLimits limits_;
  const bool existed_at_start_;
  std::optional<uint64_t> snapshot_fingerprint_;
  int journal_fd_ = -1;
  uint64_t journal_valid_bytes_ = 0;  // where the next entry goes
  size_t journal_entries_ = 0;
  size_t journal_bytes_ = 0;
};

// Owns the storage path's files and their shared health.
class StateStore {
 public:
  StateStore(std::string directory, const Logger& logger,
             StateLimits limits = {});
  // The file `name` under the directory; created once, owned by the store.
  StateFile& File(const std::string& name, bool journaled = false);
  StorageHealth& health() { return health_; }
  const std::string& directory() const { return directory_; }
  // Whether any state file existed when the exporter started: a missing file
  // then means it was lost, not that this is a first start.
  bool RanBefore() const;

 private:
  const std::string directory_;
  const Logger& logger_;
  const StateLimits limits_;
  StorageHealth health_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<StateFile>> files_;
  const bool ran_before_;
};

// State files keep times as Unix milliseconds. A time outside 2000..2100 is
// not a time this exporter wrote: the file is corrupt.
std::optional<TimePoint> TimeFromMillis(int64_t ms);
int64_t ToMillis(TimePoint t);
// A member holding such a time; `present` false when absent or null.
bool ReadOptionalTime(const rapidjson::Value& object, const char* key,
                      std::optional<TimePoint>* out);
void WriteOptionalTime(rapidjson::Writer<rapidjson::StringBuffer>* w,
                       const char* key, const std::optional<TimePoint>& t);

// 64-bit FNV-1a, the snapshot fingerprint.
uint64_t Fingerprint(std::string_view content);

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_STATE_STORE_H_
