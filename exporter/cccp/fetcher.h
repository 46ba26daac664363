// Where a snapshot comes from (cccp-snapshot.md §1): a file the producer
// replaces atomically, an HTTP(S) URL, or a command that prints it. A
// fetch returns the document's bytes or one failure reason; it never
// throws and never reads more than its cap.
#ifndef CALLCENTER_CCCP_FETCHER_H_
#define CALLCENTER_CCCP_FETCHER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/http_client.h"

namespace callcenter::cccp {

// The `reason` label of cccp_snapshot_fetch_errors_total.
enum class FetchError : uint8_t {
  kTimeout = 0,
  kExitCode,
  kHttp,
  kIo,
  kInvalidJson,
  kSchema,
};
inline constexpr int kFetchErrorCount = 6;
std::string_view FetchErrorName(FetchError error);

struct FetchResult {
  enum class Status { kOk, kFailed, kCancelled };
  Status status = Status::kOk;
  std::string body;  // the document, for kOk
  FetchError error = FetchError::kIo;
  std::string message;      // one line; never a secret
  std::string stderr_tail;  // a failed command's last stderr bytes

  static FetchResult Ok(std::string body);
  static FetchResult Failed(FetchError error, std::string message);
  static FetchResult Cancelled();
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual FetchResult Fetch() = 0;
};

struct FetchOptions {
  std::chrono::milliseconds timeout{20000};
  size_t max_bytes = size_t{64} << 20;
  size_t max_stderr_bytes = 4096;
  // True once the exporter shuts down: a running command is killed.
  std::function<bool()> cancelled;
};

// Reads the whole file each time; a read error or a file over the cap is
// `io`.
std::unique_ptr<Fetcher> MakeFileFetcher(std::string path,
                                         FetchOptions options);

struct HttpSource {
  std::string url;
  std::string headers_file;  // re-read each fetch, so a rotated token works
  std::string ca_file;
};
// GET with the timeout: no answer in time is `timeout`, anything but a 2xx
// (or an answer over the cap) is `http`.
std::unique_ptr<Fetcher> MakeHttpFetcher(HttpSource source,
                                         std::unique_ptr<Transport> transport,
                                         FetchOptions options);

// Runs argv (detail/command.h): `timeout`, a non-zero exit or a signal is
// `exit_code`, output over the cap is `io`.
std::unique_ptr<Fetcher> MakeCommandFetcher(std::vector<std::string> argv,
                                            FetchOptions options);

}  // namespace callcenter::cccp

#endif  // CALLCENTER_CCCP_FETCHER_H_
