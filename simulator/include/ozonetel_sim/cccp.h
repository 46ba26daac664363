// The CCCP floor as a cccp-snapshot/v1 document (cccp-snapshot.md §2), the
// schema errors it can be made to carry, and the file writer that replaces
// the file atomically every interval of simulated time.
#ifndef OZONETEL_SIM_CCCP_H_
#define OZONETEL_SIM_CCCP_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "callcenter/common/clock.h"
#include "ozonetel_sim/account.h"
#include "ozonetel_sim/live_floor.h"

namespace callcenter::sim {

inline constexpr char kCccpSchema[] = "cccp-snapshot/v1";

// The schema faults, used in turn.
enum class CccpSchemaError {
  kDuplicateLogin,   // the first agent listed twice (a queue without agents)
  kSentinel,         // "None" in an optional string field
  kNumberAsString,   // queues[0].waiting_calls as a string
  kMissingRequired,  // queues[0] without its name
  kWrongSchema,      // "schema":"cccp-snapshot/v0"
};
inline constexpr int kCccpSchemaErrorCount = 5;

// RFC 3339 in local time at `utc_offset`: 2026-03-02T10:15:02+05:30.
std::string Rfc3339Local(int64_t t, Seconds utc_offset);

// The document of `floor` (a CCCP-view floor): every logged-in agent and
// supervisor, up to three logged-out agents (logged_in false), every queue,
// the call totals. `generated_at` is usually floor.at.
std::string CccpSnapshotJson(const Account& account, const Floor& floor,
                             int64_t generated_at, Seconds utc_offset,
                             std::optional<CccpSchemaError> error);

// Writes `produce()` to `path` every `interval` of simulated time: into a
// temporary file in the same directory, fsync, then rename over the target,
// so a reader always finds a whole document.
class CccpFileWriter {
 public:
  CccpFileWriter(std::string path, Seconds interval, const Clock* clock,
                 std::function<std::string()> produce);
  ~CccpFileWriter();
  CccpFileWriter(const CccpFileWriter&) = delete;
  CccpFileWriter& operator=(const CccpFileWriter&) = delete;

  void Start();
  void Stop();
  int64_t writes() const;
  // Waits until at least `count` writes are done; false on timeout.
  bool WaitForWrites(int64_t count, std::chrono::milliseconds timeout) const;

 private:
  void Run();
  bool WriteOnce();

  const std::string path_;
  const Seconds interval_;
  const Clock* clock_;
  const std::function<std::string()> produce_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stop_ = false;
  int64_t writes_ = 0;
  std::thread thread_;
};

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_CCCP_H_
