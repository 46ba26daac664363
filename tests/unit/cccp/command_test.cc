// The command source's runner, against small scripts in a temporary
// directory (run by the kernel through their #! line, never by sh -c):
// output, exit codes, stderr capped, the timeout killing the whole process
// group, and nothing left behind: no zombie, no descriptor, no stray
// process.
#include "cccp/detail/command.h"

#include <errno.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "cccp/fetcher.h"
#include "test_support.h"

namespace callcenter::cccp::detail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Status = CommandResult::Status;
using std::chrono::milliseconds;
using testing::TempDir;
using testing::WriteScript;

CommandOptions Options(milliseconds timeout = milliseconds(20000)) {
  CommandOptions options;
  options.timeout = timeout;
  return options;
}

// The child was reaped by RunCommand: waiting for it again finds nothing.
void ExpectReaped(pid_t pid) {
  ASSERT_GT(pid, 0);
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

void ExpectGroupGone(pid_t pgid) {
  EXPECT_EQ(::kill(-pgid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(SplitCommandLineTest, QuotesAndEscapes) {
  std::string error;
  EXPECT_THAT(*SplitCommandLine("  /bin/a  b\tc ", &error),
              ElementsAre("/bin/a", "b", "c"));
  EXPECT_THAT(
      *SplitCommandLine(R"(/bin/a 'x "y" \z' "p \"q\" \\ \r" '')", &error),
      ElementsAre("/bin/a", R"(x "y" \z)", R"(p "q" \ \r)", ""));
  EXPECT_THAT(*SplitCommandLine(R"(/bin/a b\ c d'e f'g)", &error),
              ElementsAre("/bin/a", "b c", "de fg"));
  EXPECT_FALSE(SplitCommandLine("/bin/a 'b", &error));
  EXPECT_EQ(error, "unterminated single quote");
  EXPECT_FALSE(SplitCommandLine("/bin/a \"b", &error));
  EXPECT_EQ(error, "unterminated double quote");
  EXPECT_FALSE(SplitCommandLine("/bin/a b\\", &error));
  EXPECT_EQ(error, "ends with a backslash");
  EXPECT_FALSE(SplitCommandLine(" \t ", &error));
  EXPECT_EQ(error, "no program given");
}

TEST(RunCommandTest, CapturesStdoutAndPassesArgumentsWithoutAShell) {
  TempDir dir;
  const std::string script =
      WriteScript(dir, "producer", "printf '%s|%s' \"$1\" \"$2\"\n");
  const size_t fds_before = testing::CountOpenFds();
  const CommandResult result =
      RunCommand({script, "{\"a\": 1}", "$HOME; rm -rf /"}, Options());
  EXPECT_EQ(result.status, Status::kExited);
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "{\"a\": 1}|$HOME; rm -rf /");
  EXPECT_EQ(result.err, "");
  ExpectReaped(result.pid);
  ExpectGroupGone(result.pid);
  EXPECT_EQ(testing::CountOpenFds(), fds_before);
}

TEST(RunCommandTest, ExitCodeAndStderr) {
  TempDir dir;
  const std::string script =
      WriteScript(dir, "producer",
                  "echo partial\necho 'dispatch: login refused' >&2\nexit 3\n");
  const CommandResult result = RunCommand({script}, Options());
  EXPECT_EQ(result.status, Status::kExited);
  EXPECT_EQ(result.code, 3);
  EXPECT_EQ(result.err, "dispatch: login refused\n");
  ExpectReaped(result.pid);
}

// A grandchild is dead once waiting for it shows SIGKILL (it was
// re-parented to this process), or once it is gone altogether (the
// script, killed a moment later, reaped it first).
void ExpectKilled(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) == pid) {
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "pid " << pid << " ended with status " << status;
  } else {
    EXPECT_EQ(errno, ECHILD);
    EXPECT_EQ(::kill(pid, 0), -1) << "pid " << pid << " still exists";
  }
}

std::vector<pid_t> PidsIn(const std::string& lines) {
  std::vector<pid_t> pids;
  std::istringstream in(lines);
  for (long pid; in >> pid;) pids.push_back(static_cast<pid_t>(pid));
  return pids;
}

TEST(RunCommandTest, TimeoutKillsTheChildAndItsGrandchildren) {
  // Orphans of the killed script are re-parented to this process, so the
  // test can wait for them and see how they ended, without sleeping.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  TempDir dir;
  const std::string script =
      WriteScript(dir, "producer",
                  "sleep 300 &\necho $! >&2\nsleep 300 &\necho $! >&2\nwait\n");
  const size_t fds_before = testing::CountOpenFds();
  const CommandResult result =
      RunCommand({script}, Options(milliseconds(2000)));
  EXPECT_EQ(result.status, Status::kTimedOut);
  EXPECT_EQ(result.out, "");
  ExpectReaped(result.pid);
  const std::vector<pid_t> grandchildren = PidsIn(result.err);
  ASSERT_EQ(grandchildren.size(), 2u) << result.err;
  for (pid_t pid : grandchildren) ExpectKilled(pid);
  ExpectGroupGone(result.pid);
  EXPECT_EQ(testing::CountOpenFds(), fds_before);
}

TEST(RunCommandTest, StragglersInTheGroupDoNotOutliveANormalExit) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  TempDir dir;
  const std::string script =
      WriteScript(dir, "producer", "sleep 300 &\necho $! >&2\necho '{}'\n");
  const CommandResult result = RunCommand({script}, Options());
  EXPECT_EQ(result.status, Status::kExited);
  EXPECT_EQ(result.out, "{}\n");
  const std::vector<pid_t> stragglers = PidsIn(result.err);
  ASSERT_EQ(stragglers.size(), 1u) << result.err;
  ExpectKilled(stragglers[0]);
  ExpectGroupGone(result.pid);
}

TEST(RunCommandTest, TenMegabytesOfStderrKeepOnlyItsEnd) {
  TempDir dir;
  const std::string script =
      WriteScript(dir, "producer",
                  "head -c 10485760 /dev/zero | tr '\\0' 'x' >&2\n"
                  "echo 'the real error' >&2\necho '{}'\nexit 1\n");
  const CommandResult result = RunCommand({script}, Options());
  EXPECT_EQ(result.status, Status::kExited);
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "{}\n");
  EXPECT_EQ(result.err.size(), 4096u);
  EXPECT_THAT(result.err, ::testing::EndsWith("xxxthe real error\n"));
  EXPECT_EQ(result.err_discarded, 10485760u + 15u - 4096u);
}

TEST(RunCommandTest, StdoutBeyondTheCapKillsTheGroup) {
  TempDir dir;
  const std::string script =
      WriteScript(dir, "producer", "head -c 1048576 /dev/zero\nsleep 300\n");
  CommandOptions options = Options();
  options.max_stdout_bytes = 64 * 1024;
  const CommandResult result = RunCommand({script}, options);
  EXPECT_EQ(result.status, Status::kTooLarge);
  EXPECT_LE(result.out.size(), 64u * 1024u);
  ExpectReaped(result.pid);
}

TEST(RunCommandTest, CancellationStopsALongCommand) {
  TempDir dir;
  const std::string script = WriteScript(dir, "producer", "sleep 300\n");
  CommandOptions options = Options();
  int checks = 0;
  options.cancelled = [&checks] { return ++checks > 2; };
  const CommandResult result = RunCommand({script}, options);
  EXPECT_EQ(result.status, Status::kCancelled);
  ExpectReaped(result.pid);
}

TEST(RunCommandTest, StartFailuresAreReported) {
  TempDir dir;
  const CommandResult missing = RunCommand({dir.File("missing")}, Options());
  EXPECT_EQ(missing.status, Status::kStartFailed);
  EXPECT_THAT(missing.error, HasSubstr("No such file or directory"));
  testing::WriteText(dir.File("not_executable"), "#!/bin/sh\necho hi\n");
  const CommandResult denied =
      RunCommand({dir.File("not_executable")}, Options());
  EXPECT_EQ(denied.status, Status::kStartFailed);
  EXPECT_THAT(denied.error, HasSubstr("Permission denied"));
  EXPECT_EQ(RunCommand({}, Options()).status, Status::kStartFailed);
}

TEST(RunCommandTest, TheChildStartsCleanNoInheritedFdsSignalsOrStdin) {
  TempDir dir;
  // A descriptor this process opened without O_CLOEXEC.
  const int leaky = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaky, 3);
  // The exporter blocks SIGTERM in every thread for sigwait.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  const std::string script =
      WriteScript(dir, "producer",
                  "cat\n"  // stdin is /dev/null: returns at once
                  "if [ -e /proc/self/fd/" +
                      std::to_string(leaky) +
                      " ]; then echo leaked; fi\n"
                      "grep '^SigBlk' /proc/self/status\n");
  const CommandResult result = RunCommand({script}, Options());
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::close(leaky);
  EXPECT_EQ(result.status, Status::kExited);
  EXPECT_EQ(result.out, "SigBlk:\t0000000000000000\n");
}

TEST(RunCommandTest, ASignalIsReportedAsSuch) {
  TempDir dir;
  const std::string script = WriteScript(dir, "producer", "kill -TERM $$\n");
  const CommandResult result = RunCommand({script}, Options());
  EXPECT_EQ(result.status, Status::kSignaled);
  EXPECT_EQ(result.code, SIGTERM);
}

// The fetcher's reading of the same runs.
TEST(CommandFetcherTest, ReasonsAndTheStderrTail) {
  TempDir dir;
  FetchOptions options;
  options.timeout = milliseconds(1000);
  const auto good =
      MakeCommandFetcher({WriteScript(dir, "good", "echo '{\"schema\":1}'\n")},
                         options)
          ->Fetch();
  EXPECT_EQ(good.status, FetchResult::Status::kOk);
  EXPECT_EQ(good.body, "{\"schema\":1}\n");

  const auto failed =
      MakeCommandFetcher(
          {WriteScript(dir, "fails",
                       "echo 'no route to dispatch' >&2\nexit 1\n")},
          options)
          ->Fetch();
  EXPECT_EQ(failed.status, FetchResult::Status::kFailed);
  EXPECT_EQ(failed.error, FetchError::kExitCode);
  EXPECT_EQ(failed.message, "exited with status 1");
  EXPECT_EQ(failed.stderr_tail, "no route to dispatch\n");

  const auto slow = MakeCommandFetcher(
                        {WriteScript(dir, "slow", "exec sleep 300\n")}, options)
                        ->Fetch();
  EXPECT_EQ(slow.error, FetchError::kTimeout);
  EXPECT_THAT(slow.message, HasSubstr("process group was killed"));

  const auto killed =
      MakeCommandFetcher({WriteScript(dir, "killed", "kill -KILL $$\n")},
                         options)
          ->Fetch();
  EXPECT_EQ(killed.error, FetchError::kExitCode);
  EXPECT_EQ(killed.message, "killed by signal SIGKILL");

  const auto missing =
      MakeCommandFetcher({dir.File("missing")}, options)->Fetch();
  EXPECT_EQ(missing.error, FetchError::kExitCode);
  EXPECT_THAT(missing.message, HasSubstr("cannot run"));

  options.max_bytes = 10;
  const auto big =
      MakeCommandFetcher({WriteScript(dir, "big", "echo 0123456789abcdef\n")},
                         options)
          ->Fetch();
  EXPECT_EQ(big.error, FetchError::kIo);
}

}  // namespace
}  // namespace callcenter::cccp::detail
