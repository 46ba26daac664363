// Memory figures from /proc and the processes the memory benchmarks start
// (the real exporter and simulator, or this binary in a child mode), each
// ended by its own pid.
#ifndef CALLCENTER_BENCH_PROCESS_TOOLS_H_
#define CALLCENTER_BENCH_PROCESS_TOOLS_H_

#include <sys/types.h>

#include <chrono>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace callcenter::bench {

// A field of /proc/<pid>/status in kB ("VmRSS", "VmHWM"); `pid` 0 is this
// process. -1 when it cannot be read.
long StatusKb(pid_t pid, std::string_view field);
// Resets the process's VmHWM to its current RSS (clear_refs 5), so a later
// VmHWM is the peak of what happened in between. False when the kernel
// refused.
bool ResetPeakRss(pid_t pid);
// This binary's path, for starting it again in a child mode.
std::string SelfExe();
// The folder of this binary (build/bin), where the exporter's binaries are.
std::string SelfDir();

class ChildProcess {
 public:
  // Starts `argv` with stdout and stderr going to `log_path`.
  ChildProcess(const std::vector<std::string>& argv, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // SIGTERM, then SIGKILL if it has not exited within 15 s.
  void Stop();
  // Waits until a line of the log matches `pattern` and returns its first
  // group; "" when the process exited or `timeout` passed first.
  std::string WaitForLog(const std::regex& pattern,
                         std::chrono::seconds timeout);

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_PROCESS_TOOLS_H_
