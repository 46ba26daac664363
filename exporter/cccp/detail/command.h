// Runs a snapshot producer without a shell: fork and execve of an argv, in
// its own process group, stdin from /dev/null, stdout captured up to a cap,
// stderr's last bytes kept. Whatever happens (timeout, a flood of output,
// shutdown), the whole process group is killed with SIGKILL and the child
// is reaped before RunCommand returns: no zombie, no stray grandchild in the
// group, no descriptor left open in either process.
#ifndef CALLCENTER_CCCP_DETAIL_COMMAND_H_
#define CALLCENTER_CCCP_DETAIL_COMMAND_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callcenter::cccp::detail {

// Splits a command line into an argv: blanks separate words, '...' is
// literal, "..." takes \" and \\ as escapes, and a backslash outside quotes
// escapes the next character. nullopt (with `error`) on an unterminated
// quote, a trailing backslash or no word at all.
std::optional<std::vector<std::string>> SplitCommandLine(std::string_view line,
                                                         std::string* error);

struct CommandOptions {
  std::chrono::milliseconds timeout{20000};
  size_t max_stdout_bytes = size_t{64} << 20;
  size_t max_stderr_bytes = 4096;
  // Checked every 100 ms at most; true stops the command (shutdown).
  std::function<bool()> cancelled;
};

struct CommandResult {
  enum class Status {
    kExited,       // `code` is the exit status
    kSignaled,     // `code` is the signal that ended it
    kTimedOut,     // killed at the timeout
    kTooLarge,     // killed: stdout exceeded max_stdout_bytes
    kCancelled,    // killed: `cancelled` said so
    kStartFailed,  // fork or execve failed; `error` says why
    kIoError,      // a pipe or poll failed; `error` says why
  };
  Status status = Status::kIoError;
  int code = 0;
  std::string out;
  std::string err;           // the last max_stderr_bytes of stderr
  size_t err_discarded = 0;  // stderr bytes not kept
  std::string error;
  pid_t pid = -1;  // the child, also its process group id (tests)
};

// `argv[0]` must be a path to the program (no PATH search).
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const CommandOptions& options);

}  // namespace callcenter::cccp::detail

#endif  // CALLCENTER_CCCP_DETAIL_COMMAND_H_
