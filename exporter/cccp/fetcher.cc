#include "cccp/fetcher.h"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <array>

#include "callcenter/common/files.h"
#include "cccp/detail/command.h"
#include "cccp/detail/headers.h"

namespace callcenter::cccp {
namespace {

using std::chrono::milliseconds;

constexpr std::array<std::string_view, kFetchErrorCount> kFetchErrorNames = {
    "timeout", "exit_code", "http", "io", "invalid_json", "schema"};
constexpr milliseconds kMaxConnectTimeout{10000};

std::string Millis(milliseconds duration) {
  return std::to_string(duration.count()) + "ms";
}

std::string SignalName(int signal_number) {
  // sigabbrev_np, unlike strsignal, is thread-safe.
  const char* abbrev = ::sigabbrev_np(signal_number);
  return abbrev != nullptr ? std::string("SIG") + abbrev
                           : std::to_string(signal_number);
}

class FileFetcher final : public Fetcher {
 public:
  FileFetcher(std::string path, FetchOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}

  // The producer renames a complete file over the old one, so whatever
  // inode open() finds is a whole document.
  FetchResult Fetch() override {
    FileRead read = ReadRegularFile(path_, options_.max_bytes);
    switch (read.status) {
      case FileRead::Status::kOk:
        return FetchResult::Ok(std::move(read.content));
      case FileRead::Status::kMissing:
        return FetchResult::Failed(FetchError::kIo,
                                   "cannot read " + path_ + ": no such file");
      case FileRead::Status::kError:
        break;
    }
    return FetchResult::Failed(FetchError::kIo, read.error);
  }

 private:
  const std::string path_;
  const FetchOptions options_;
};

class HttpFetcher final : public Fetcher {
 public:
  HttpFetcher(HttpSource source, std::unique_ptr<Transport> transport,
              FetchOptions options)
      : source_(std::move(source)),
        transport_(std::move(transport)),
        options_(std::move(options)) {}

  FetchResult Fetch() override {
    HttpCall call;
    call.method = "GET";
    call.url = source_.url;
    call.timeout = options_.timeout;
    call.connect_timeout = std::min(options_.timeout, kMaxConnectTimeout);
    call.ca_file = source_.ca_file;
    if (!source_.headers_file.empty()) {
      std::string error;
      if (!detail::ReadHeadersFile(source_.headers_file, &call.headers,
                                   &error)) {
        return FetchResult::Failed(FetchError::kIo, "headers_file: " + error);
      }
    }
    call.headers.emplace_back("Accept", "application/json");
    return Perform(call);
  }

 private:
  FetchResult Perform(const HttpCall& call) {
    std::string body;
    bool too_large = false;
    bool cancelled = false;
    const HttpStatus status =
        transport_->Perform(call, [&](std::string_view chunk) {
          if (options_.cancelled && options_.cancelled()) {
            cancelled = true;
            return false;
          }
          if (body.size() + chunk.size() > options_.max_bytes) {
            too_large = true;
            return false;
          }
          body.append(chunk);
          return true;
        });
    if (cancelled) return FetchResult::Cancelled();
    if (too_large) {
      return FetchResult::Failed(
          FetchError::kHttp, "answer larger than " +
                                 std::to_string(options_.max_bytes) + " bytes");
    }
    if (status.timed_out) {
      return FetchResult::Failed(
          FetchError::kTimeout,
          "no complete answer within " + Millis(options_.timeout));
    }
    if (!status.error.empty()) {
      return FetchResult::Failed(FetchError::kHttp, status.error);
    }
    if (status.status < 200 || status.status > 299) {
      return FetchResult::Failed(
          FetchError::kHttp, "HTTP status " + std::to_string(status.status));
    }
    return FetchResult::Ok(std::move(body));
  }

  const HttpSource source_;
  const std::unique_ptr<Transport> transport_;
  const FetchOptions options_;
};

class CommandFetcher final : public Fetcher {
 public:
  CommandFetcher(std::vector<std::string> argv, FetchOptions options)
      : argv_(std::move(argv)), options_(std::move(options)) {}

  FetchResult Fetch() override {
    detail::CommandOptions command;
    command.timeout = options_.timeout;
    command.max_stdout_bytes = options_.max_bytes;
    command.max_stderr_bytes = options_.max_stderr_bytes;
    command.cancelled = options_.cancelled;
    detail::CommandResult run = detail::RunCommand(argv_, command);
    FetchResult result = Interpret(run);
    if (result.status == FetchResult::Status::kFailed) {
      result.stderr_tail = std::move(run.err);
    }
    return result;
  }

 private:
  FetchResult Interpret(detail::CommandResult& run) const {
    using Status = detail::CommandResult::Status;
    switch (run.status) {
      case Status::kExited:
        if (run.code == 0) return FetchResult::Ok(std::move(run.out));
        return FetchResult::Failed(
            FetchError::kExitCode,
            "exited with status " + std::to_string(run.code));
      case Status::kSignaled:
        return FetchResult::Failed(FetchError::kExitCode,
                                   "killed by signal " + SignalName(run.code));
      case Status::kTimedOut:
        return FetchResult::Failed(FetchError::kTimeout,
                                   "still running after " +
                                       Millis(options_.timeout) +
                                       "; its process group was killed");
      case Status::kTooLarge:
        return FetchResult::Failed(FetchError::kIo,
                                   "wrote more than " +
                                       std::to_string(options_.max_bytes) +
                                       " bytes; its process group was killed");
      case Status::kCancelled:
        return FetchResult::Cancelled();
      case Status::kStartFailed:
        return FetchResult::Failed(FetchError::kExitCode, run.error);
      case Status::kIoError:
        break;
    }
    return FetchResult::Failed(FetchError::kIo, run.error);
  }

  const std::vector<std::string> argv_;
  const FetchOptions options_;
};

}  // namespace

std::string_view FetchErrorName(FetchError error) {
  return kFetchErrorNames[static_cast<size_t>(error)];
}

FetchResult FetchResult::Ok(std::string body) {
  FetchResult result;
  result.body = std::move(body);
  return result;
}

FetchResult FetchResult::Failed(FetchError error, std::string message) {
  FetchResult result;
  result.status = Status::kFailed;
  result.error = error;
  result.message = std::move(message);
  return result;
}

FetchResult FetchResult::Cancelled() {
  FetchResult result;
  result.status = Status::kCancelled;
  return result;
}

std::unique_ptr<Fetcher> MakeFileFetcher(std::string path,
                                         FetchOptions options) {
  return std::make_unique<FileFetcher>(std::move(path), std::move(options));
}

std::unique_ptr<Fetcher> MakeHttpFetcher(HttpSource source,
                                         std::unique_ptr<Transport> transport,
                                         FetchOptions options) {
  return std::make_unique<HttpFetcher>(std::move(source), std::move(transport),
                                       std::move(options));
}

std::unique_ptr<Fetcher> MakeCommandFetcher(std::vector<std::string> argv,
                                            FetchOptions options) {
  return std::make_unique<CommandFetcher>(std::move(argv), std::move(options));
}

}  // namespace callcenter::cccp
