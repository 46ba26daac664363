// PollLoop::RunOnce driven by a FakeClock: the backoff of a failing poller
// stays between half and twice its cadence, Retry-After lengthens it,
// exceptions are caught and counted, and success resets it.
#include "core/poll_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <sstream>
#include <stdexcept>

#include "core/health.h"

namespace callcenter::core {
namespace {

using ::testing::HasSubstr;

const TimePoint kStart = FromUnixSeconds(1772400000);
constexpr Seconds kCadence{60};

class ScriptedPoller final : public Poller {
 public:
  PollResult Poll() override {
    ++polls;
    return next();
  }
  std::function<PollResult()> next = [] { return PollResult::Ok(); };
  int polls = 0;
};

class PollLoopTest : public ::testing::Test {
 protected:
  PollLoop MakeLoop(BudgetGate* budgets = nullptr, std::string budget = "") {
    return PollLoop(poller_, {"cdr", std::move(budget), &health_, kCadence},
                    clock_, stop_, logger_, budgets);
  }
  // Runs one iteration and moves the clock to when the next should start;
  // returns the wait the loop chose.
  TimePoint::duration Step(PollLoop& loop) {
    const TimePoint before = clock_.Now();
    const TimePoint next = loop.RunOnce();
    clock_.Set(std::max(next, clock_.Now()));
    return next - before;
  }

  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  FakeClock clock_{kStart};
  StopSignal stop_;
  SourceHealth health_{{"ozonetel", "a test API", {"cdr"}, true, {"http"}},
                       clock_};
  ScriptedPoller poller_;
};

TEST_F(PollLoopTest, AFailingPollerBacksOffBetweenHalfAndTwiceItsCadence) {
  poller_.next = [] { return PollResult::Failed("http", "HTTP 502"); };
  PollLoop loop = MakeLoop();
  bool reached_cadence = false;
  for (int i = 0; i < 200; ++i) {
    const auto wait = Step(loop);
    EXPECT_GE(wait, kCadence / 2) << "failure " << i + 1;
    EXPECT_LE(wait, kCadence * 2) << "failure " << i + 1;
    reached_cadence = reached_cadence || wait > kCadence;
  }
  EXPECT_TRUE(reached_cadence);  // it does back off, up to twice
  EXPECT_EQ(poller_.polls, 200);
  EXPECT_THAT(log_.str(), HasSubstr("reason=http"));
}

TEST_F(PollLoopTest, RetryAfterLengthensTheWait) {
  poller_.next = [] {
    return PollResult::Failed("rate_limited", "429", Seconds(600));
  };
  PollLoop loop = MakeLoop();
  EXPECT_GE(Step(loop), Seconds(600));
}

TEST_F(PollLoopTest, AnExceptionIsCaughtCountedAndBackedOff) {
  poller_.next = []() -> PollResult { throw std::runtime_error("bug"); };
  PollLoop loop = MakeLoop();
  const auto wait = Step(loop);
  EXPECT_EQ(loop.exceptions(), 1u);
  EXPECT_GE(wait, kCadence / 2);
  Step(loop);
  EXPECT_EQ(loop.exceptions(), 2u);
  EXPECT_THAT(log_.str(), HasSubstr("bug"));
  const auto statuses = health_.Statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_FALSE(statuses[0].up);
  EXPECT_THAT(statuses[0].last_error, HasSubstr("internal: bug"));
}

TEST_F(PollLoopTest, SuccessResetsTheBackoff) {
  bool fail = true;
  poller_.next = [&fail] {
    return fail ? PollResult::Failed("http", "down") : PollResult::Ok();
  };
  PollLoop loop = MakeLoop();
  for (int round = 0; round < 20; ++round) {
    fail = true;
    for (int i = 0; i < 5; ++i) Step(loop);
    EXPECT_GE(Step(loop), kCadence);  // long into an outage: [c, 2c]
    fail = false;
    Step(loop);
    fail = true;
    EXPECT_LE(Step(loop), kCadence);  // the first failure after a success
  }
}

TEST_F(PollLoopTest, SuccessRecordsHealthAndHonoursTheAskedTime) {
  poller_.next = [this] { return PollResult::Ok(clock_.Now() + Seconds(90)); };
  PollLoop loop = MakeLoop();
  EXPECT_EQ(Step(loop), Seconds(90));
  const auto statuses = health_.Statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_TRUE(statuses[0].up);
  EXPECT_EQ(statuses[0].last_success, ToUnixSeconds(kStart));
}

TEST_F(PollLoopTest, IdleChangesNoHealth) {
  poller_.next = [this] { return PollResult::Idle(clock_.Now() + Seconds(5)); };
  PollLoop loop = MakeLoop();
  EXPECT_EQ(Step(loop), Seconds(5));
  EXPECT_FALSE(health_.Statuses()[0].polled);
}

TEST_F(PollLoopTest, NeverPollsBeforeTheBudgetSlot) {
  BudgetGate gate(clock_, stop_, logger_, nullptr);
  gate.AddFamily("cdr", 2, Seconds(60), Seconds(0));
  poller_.next = [&gate] {
    return gate.Acquire("cdr") == Admission::kGranted
               ? PollResult::Ok()
               : PollResult::Failed("storage", "unrecorded");
  };
  PollLoop loop = MakeLoop(&gate, "cdr");
  EXPECT_EQ(Step(loop), Seconds(30));  // the budget's spacing
  poller_.next = [] { return PollResult::Failed("http", "down"); };
  // A failure never comes sooner than the budget allows either.
  EXPECT_GE(Step(loop), Seconds(30));
}

TEST(BackoffTest, StaysWithinHalfToFullCeiling) {
  Backoff backoff(Seconds(10), Seconds(80), 7);
  const Seconds ceilings[] = {Seconds(10), Seconds(20), Seconds(40),
                              Seconds(80), Seconds(80)};
  for (const Seconds ceiling : ceilings) {
    const auto delay = backoff.Next();
    EXPECT_GE(delay, ceiling / 2);
    EXPECT_LE(delay, ceiling);
  }
  EXPECT_EQ(backoff.failures(), 5);
  backoff.Reset();
  EXPECT_LE(backoff.Next(), Seconds(10));
}

}  // namespace
}  // namespace callcenter::core
