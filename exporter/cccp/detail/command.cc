#include "cccp/detail/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

extern char** environ;

namespace callcenter::cccp::detail {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Wakes the wait this often when a cancellation must be noticed or the
// kernel has no pidfd to wake it when the child exits.
constexpr milliseconds kWakeInterval{100};
constexpr size_t kReadChunk = 64 * 1024;

std::string ErrnoText(const char* what, int error) {
  return std::string(what) + ": " + ::strerror(error);
}

// Owns one file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// A close-on-exec pipe whose ends are above 0-2, so the dup2 calls in the
// child can never clobber one end with the other even when the exporter
// runs with a standard stream closed.
bool MakePipe(Fd* read_end, Fd* write_end, std::string* error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = ErrnoText("pipe", errno);
    return false;
  }
  for (int& fd : fds) {
    if (fd > 2) continue;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    fd = moved;
  }
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  if (!read_end->valid() || !write_end->valid()) {
    *error = ErrnoText("pipe", errno);
    return false;
  }
  return true;
}

struct ChildSetup {
  std::vector<char*> argv;  // null-terminated
  int stdout_fd;
  int stderr_fd;
  int report_fd;  // close-on-exec: the errno of a failed execve goes here
  int max_fd;     // for the close loop when close_range is missing
};

[[noreturn]] void ReportAndExit(int report_fd, int error) {
  ssize_t ignored = ::write(report_fd, &error, sizeof error);
  (void)ignored;
  ::_exit(127);
}

void CloseInheritedFds(const ChildSetup& setup) {
  const unsigned report = static_cast<unsigned>(setup.report_fd);
  bool closed = report == 3 || ::close_range(3, report - 1, 0) == 0;
  closed = closed && ::close_range(report + 1, ~0U, 0) == 0;
  if (closed) return;
  for (int fd = 3; fd < setup.max_fd; ++fd) {
    if (fd != setup.report_fd) ::close(fd);
  }
}

// Runs in the forked child of a multithreaded process: async-signal-safe
// calls only (no allocation, no locks) until execve.
[[noreturn]] void ExecChild(const ChildSetup& setup) {
  ::setpgid(0, 0);
  // The exporter blocks SIGTERM/SIGINT for sigwait and CivetWeb ignores
  // SIGPIPE; a producer must start with neither.
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
    ::sigaction(signal_number, &default_action, nullptr);
  }
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 ||
      ::dup2(setup.stdout_fd, STDOUT_FILENO) < 0 ||
      ::dup2(setup.stderr_fd, STDERR_FILENO) < 0) {
    ReportAndExit(setup.report_fd, errno);
  }
  CloseInheritedFds(setup);
  ::execve(setup.argv[0], setup.argv.data(), environ);
  ReportAndExit(setup.report_fd, errno);
}

int MaxFd() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 ||
      limit.rlim_cur == RLIM_INFINITY) {
    return 65536;
  }
  return static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
}

void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Waits for the child and returns its wait status; -1 if it is not ours
// to wait for any more.
int Reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

// Whether the child has ended, without reaping it: while it is an
// unreaped zombie its pid, and so its process group id, cannot be reused,
// so killing the group stays safe.
bool HasExited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info,
               WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == ECHILD;
  }
  return info.si_pid == pid;
}

void KillGroup(pid_t pid) { ::kill(-pid, SIGKILL); }

// What the running child wrote, read as it arrives.
class Capture {
 public:
  Capture(Fd out, Fd err, const CommandOptions& options)
      : out_(std::move(out)), err_(std::move(err)), options_(options) {
    SetNonBlocking(out_.get());
    SetNonBlocking(err_.get());
  }

  bool open() const { return out_.valid() || err_.valid(); }
  int out_fd() const { return out_.get(); }
  int err_fd() const { return err_.get(); }

  // Reads what `fd` has; false once stdout went past its cap.
  bool Read(int fd, CommandResult* result) {
    char buffer[kReadChunk];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    Fd& pipe = fd == out_.get() ? out_ : err_;
    if (n <= 0) {
      pipe.Reset();  // end of file, or an error that ends it as well
      return true;
    }
    const std::string_view chunk(buffer, static_cast<size_t>(n));
    if (&pipe == &err_) {
      KeepStderrTail(chunk, result);
      return true;
    }
    if (result->out.size() + chunk.size() > options_.max_stdout_bytes) {
      return false;
    }
    result->out.append(chunk);
    return true;
  }

  void Finish(CommandResult* result) const {
    const size_t cap = options_.max_stderr_bytes;
    if (result->err.size() > cap) {
      result->err_discarded += result->err.size() - cap;
      result->err.erase(0, result->err.size() - cap);
    }
  }

 private:
  // The end of stderr explains a failure; a producer that writes
  // megabytes of it must not cost megabytes of memory.
  void KeepStderrTail(std::string_view chunk, CommandResult* result) const {
    const size_t cap = options_.max_stderr_bytes;
    result->err.append(chunk);
    if (result->err.size() > 2 * cap + kReadChunk) {
      const size_t drop = result->err.size() - cap;
      result->err_discarded += drop;
      result->err.erase(0, drop);
    }
  }

  Fd out_;
  Fd err_;
  const CommandOptions& options_;
};

// A descriptor that becomes readable when the child exits; -1 on kernels
// without pidfd (then the wait wakes every kWakeInterval). glibc 2.36's
// <sys/pidfd.h> lacks C linkage in C++, hence the raw system call.
int PidFd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

milliseconds WaitFor(Clock::time_point deadline, bool wake_often) {
  const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
  return wake_often ? std::min(left, kWakeInterval) : left;
}

// Reads the child's output until it exited and both pipes reached their
// end, or until something stops it. Returns the status when stopped early.
std::optional<CommandResult::Status> Supervise(pid_t pid, Capture& capture,
                                               const CommandOptions& options,
                                               CommandResult* result) {
  const auto deadline = Clock::now() + options.timeout;
  Fd pidfd(PidFd(pid));
  const bool wake_often = !pidfd.valid() || options.cancelled != nullptr;
  bool exited = false;
  while (capture.open() || !exited) {
    if (options.cancelled && options.cancelled()) {
      return CommandResult::Status::kCancelled;
    }
    const milliseconds wait = WaitFor(deadline, wake_often);
    if (wait.count() <= 0) return CommandResult::Status::kTimedOut;
    pollfd fds[3];
    nfds_t count = 0;
    for (int fd : {capture.out_fd(), capture.err_fd()}) {
      if (fd >= 0) fds[count++] = {fd, POLLIN, 0};
    }
    if (!exited && pidfd.valid()) fds[count++] = {pidfd.get(), POLLIN, 0};
    if (::poll(fds, count, static_cast<int>(wait.count())) < 0 &&
        errno != EINTR) {
      result->error = ErrnoText("poll", errno);
      return CommandResult::Status::kIoError;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].fd == pidfd.get() || fds[i].revents == 0) continue;
      if (!capture.Read(fds[i].fd, result)) {
        return CommandResult::Status::kTooLarge;
      }
    }
    if (!exited && HasExited(pid)) {
      exited = true;
      // Whatever the producer left behind in its group would hold the
      // pipes open (and outlive the fetch): it goes too.
      KillGroup(pid);
    }
  }
  return std::nullopt;
}

CommandResult StartFailed(std::string error) {
  CommandResult result;
  result.status = CommandResult::Status::kStartFailed;
  result.error = std::move(error);
  return result;
}

// Blocks until execve succeeded (the pipe closes) or reports its errno.
int ExecError(const Fd& report) {
  int error = 0;
  ssize_t n;
  do {
    n = ::read(report.get(), &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof error) ? error : 0;
}

}  // namespace

std::optional<std::vector<std::string>> SplitCommandLine(std::string_view line,
                                                         std::string* error) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        *error = "unterminated single quote";
        return std::nullopt;
      }
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size() &&
            (line[i + 1] == '"' || line[i + 1] == '\\')) {
          ++i;
        }
        word.push_back(line[i]);
      }
      if (i >= line.size()) {
        *error = "unterminated double quote";
        return std::nullopt;
      }
    } else if (c == '\\') {
      if (++i >= line.size()) {
        *error = "ends with a backslash";
        return std::nullopt;
      }
      word.push_back(line[i]);
    } else {
      word.push_back(c);
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) {
    *error = "no program given";
    return std::nullopt;
  }
  return words;
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const CommandOptions& options) {
  if (argv.empty()) return StartFailed("no program given");
  std::string error;
  Fd out_read, out_write, err_read, err_write, report_read, report_write;
  if (!MakePipe(&out_read, &out_write, &error) ||
      !MakePipe(&err_read, &err_write, &error) ||
      !MakePipe(&report_read, &report_write, &error)) {
    return StartFailed(error);
  }
  // Everything the child needs is prepared here: it may not allocate.
  ChildSetup setup{
      {}, out_write.get(), err_write.get(), report_write.get(), MaxFd()};
  for (const std::string& arg : argv) {
    setup.argv.push_back(const_cast<char*>(arg.c_str()));
  }
  setup.argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) return StartFailed(ErrnoText("fork", errno));
  if (pid == 0) ExecChild(setup);
  // Also set here, so the group exists before any kill below.
  ::setpgid(pid, pid);
  out_write.Reset();
  err_write.Reset();
  report_write.Reset();

  if (const int exec_error = ExecError(report_read)) {
    Reap(pid);
    return StartFailed("cannot run " + argv[0] + ": " + ::strerror(exec_error));
  }
  CommandResult result;
  result.pid = pid;
  Capture capture(std::move(out_read), std::move(err_read), options);
  const auto stopped = Supervise(pid, capture, options, &result);
  if (stopped) KillGroup(pid);
  const int status = Reap(pid);
  capture.Finish(&result);
  if (stopped) {
    result.status = *stopped;
  } else if (status < 0) {
    result.status = CommandResult::Status::kIoError;
    result.error = "the child's exit status was lost (is SIGCHLD ignored?)";
  } else if (WIFEXITED(status)) {
    result.status = CommandResult::Status::kExited;
    result.code = WEXITSTATUS(status);
  } else {
    result.status = CommandResult::Status::kSignaled;
    result.code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return result;
}

}  // namespace callcenter::cccp::detail
