#include "core/budgets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "callcenter/common/files.h"
#include "testing/temp_dir.h"

namespace callcenter::core {
namespace {

using test::BreakableDir;
using test::TempDir;
using test::WriteText;
using ::testing::HasSubstr;

const TimePoint kStart = FromUnixSeconds(1772400000);

int64_t Millis(TimePoint t) { return ToMillis(t); }

TEST(RateBudgetTest, SpacesRequestsEvenly) {
  RateBudget budget(2, Seconds(60), Seconds(0));
  EXPECT_TRUE(budget.TryAcquire(kStart));
  EXPECT_FALSE(budget.TryAcquire(kStart + Seconds(29)));
  EXPECT_EQ(budget.NextAllowed(kStart + Seconds(1)), kStart + Seconds(30));
  EXPECT_TRUE(budget.TryAcquire(kStart + Seconds(30)));
}

TEST(RateBudgetTest, NeverExceedsLimitInAnySlidingWindow) {
  const int limit = 5;
  const Seconds window(60);
  const Seconds margin(2);
  RateBudget budget(limit, window, margin);
  std::vector<TimePoint> sent;
  TimePoint now = kStart;
  while (now < kStart + Seconds(3600)) {
    if (budget.TryAcquire(now)) sent.push_back(now);
    now = budget.NextAllowed(now);
  }
  ASSERT_GT(sent.size(), 50u);
  for (size_t i = 0; i + limit < sent.size(); ++i) {
    EXPECT_GE(sent[i + limit] - sent[i], window + margin) << "at " << i;
  }
}

TEST(RateBudgetTest, BlockUntilDefersEverything) {
  RateBudget budget(50, Seconds(60), Seconds(0));
  budget.BlockUntil(kStart + Seconds(60));
  EXPECT_FALSE(budget.TryAcquire(kStart + Seconds(59)));
  EXPECT_TRUE(budget.TryAcquire(kStart + Seconds(60)));
}

TEST(RateBudgetTest, UsedInWindowCountsRecentRequests) {
  RateBudget budget(5, Seconds(60), Seconds(0));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(budget.TryAcquire(kStart + Seconds(12 * i)));
  }
  EXPECT_EQ(budget.UsedInWindow(kStart + Seconds(30)), 3);
  EXPECT_EQ(budget.UsedInWindow(kStart + Seconds(70)), 2);
}

TEST(RateBudgetTest, FutureHistoryBlocksAtMostOneWindow) {
  RateBudget budget(1, Seconds(60), Seconds(0));
  // A clock that jumped back, or a hostile file: times ten days ahead.
  budget.Restore({kStart + std::chrono::hours(240)},
                 kStart + std::chrono::hours(240), kStart);
  EXPECT_LE(budget.NextAllowed(kStart), kStart + Seconds(60));
  EXPECT_EQ(budget.history().back(), kStart);
}

class BudgetGateTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeStore(); }
  // A fresh process over the same directory.
  void MakeStore() {
    gate_.reset();
    store_ = std::make_unique<StateStore>(dir_.path(), logger_);
  }
  BudgetGate& MakeGate(Seconds margin = Seconds(0)) {
    gate_ = std::make_unique<BudgetGate>(clock_, stop_, logger_,
                                         &store_->File("request_history.json"));
    gate_->AddFamily("cdr", 2, Seconds(60), margin);
    gate_->AddFamily("token", 10, Seconds(3600), margin);
    return *gate_;
  }
  std::string HistoryPath() const { return dir_.File("request_history.json"); }

  TempDir dir_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  FakeClock clock_{kStart};
  StopSignal stop_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<BudgetGate> gate_;
};

TEST_F(BudgetGateTest, HistorySurvivesRestart) {
  BudgetGate& gate = MakeGate();
  gate.LoadHistory(false);
  ASSERT_EQ(gate.Acquire("cdr"), Admission::kGranted);
  MakeStore();
  BudgetGate& restarted = MakeGate();
  restarted.LoadHistory(true);
  EXPECT_EQ(restarted.NextAllowed("cdr"), kStart + Seconds(30));
  EXPECT_EQ(restarted.NextAllowed("token"), kStart);
}

TEST_F(BudgetGateTest, FirstEverStartDoesNotWait) {
  BudgetGate& gate = MakeGate();
  gate.LoadHistory(false);
  EXPECT_EQ(gate.NextAllowed("cdr"), kStart);
}

TEST_F(BudgetGateTest, MissingHistoryAfterAnEarlierRunWaitsOneWindow) {
  BudgetGate& gate = MakeGate();
  gate.LoadHistory(true);
  EXPECT_EQ(gate.NextAllowed("cdr"), kStart + Seconds(60));
  EXPECT_EQ(gate.NextAllowed("token"), kStart + Seconds(3600));
}

TEST_F(BudgetGateTest, UnreadableHistoryWaitsOneWindow) {
  WriteText(HistoryPath(), "{not json");
  BudgetGate& gate = MakeGate();
  gate.LoadHistory(true);
  EXPECT_EQ(gate.NextAllowed("cdr"), kStart + Seconds(60));
  EXPECT_EQ(gate.NextAllowed("token"), kStart + Seconds(3600));
  EXPECT_THAT(log_.str(), HasSubstr("request history unreadable"));
  EXPECT_TRUE(FileExists(HistoryPath() + ".corrupt"));
}

TEST_F(BudgetGateTest, HistoryNested200000DeepIsCorruptNotACrash) {
  WriteText(HistoryPath(),
            R"({"version":1,"families":)" + std::string(200000, '[') + "]}");
  BudgetGate& gate = MakeGate();
  gate.LoadHistory(true);
  EXPECT_TRUE(FileExists(HistoryPath() + ".corrupt"));
  EXPECT_FALSE(FileExists(HistoryPath()));
  EXPECT_EQ(gate.NextAllowed("cdr"), kStart + Seconds(60));
}

TEST_F(BudgetGateTest,
       BlockedUntilYear2200IsCorruptAndEveryFamilyWaitsOneWindow) {
  // 2200-01-01 in Unix milliseconds: a block that would silence the
  // family for good if it were believed.
  const int64_t year_2200 = 7258118400000LL;
  WriteText(HistoryPath(), R"({"version":1,"families":{"cdr":{"sent":[)" +
                               std::to_string(Millis(kStart - Seconds(10))) +
                               R"(],"blocked_until":)" +
                               std::to_string(Millis(kStart + Seconds(3000))) +
                               R"(},"token":{"sent":[],"blocked_until":)" +
                               std::to_string(year_2200) + "}}}");
  BudgetGate& gate = MakeGate(/*margin=*/Seconds(1));
  gate.LoadHistory(true);
  EXPECT_TRUE(FileExists(HistoryPath() + ".corrupt"));
  EXPECT_THAT(log_.str(), HasSubstr("request history malformed"));
  // The whole file is distrusted: one window each, not forever, and not a
  // restored block of the family read before the bad one.
  EXPECT_EQ(gate.NextAllowed("cdr"), kStart + Seconds(60));
  EXPECT_EQ(gate.NextAllowed("token"), kStart + Seconds(3600));
}

TEST_F(BudgetGateTest, HistoryInTheFutureBlocksAtMostOneWindow) {
  const TimePoint ahead = kStart + std::chrono::hours(24 * 10);
  WriteText(HistoryPath(), R"({"version":1,"families":{"cdr":{"sent":[)" +
                               std::to_string(Millis(ahead)) + "," +
                               std::to_string(Millis(ahead)) +
                               R"(],"blocked_until":)" +
                               std::to_string(Millis(ahead)) + "}}}");
  BudgetGate& gate = MakeGate();
  gate.LoadHistory(true);
  EXPECT_FALSE(FileExists(HistoryPath() + ".corrupt"));
  EXPECT_LE(gate.NextAllowed("cdr"), kStart + Seconds(60));
  EXPECT_GT(gate.NextAllowed("cdr"), kStart);
}

TEST_F(BudgetGateTest, RateLimitedAnswerBlocksAWindowOrTheRetryAfter) {
  BudgetGate& gate = MakeGate();
  gate.OnRateLimited("cdr", std::nullopt);
  EXPECT_EQ(gate.NextAllowed("cdr"), kStart + Seconds(60));
  gate.OnRateLimited("token", Seconds(90));
  EXPECT_EQ(gate.NextAllowed("token"), kStart + Seconds(90));
  // A Retry-After beyond an hour is not believed.
  gate.OnRateLimited("token", Seconds(86400));
  EXPECT_EQ(gate.NextAllowed("token"), kStart + Seconds(3600));
}

TEST_F(BudgetGateTest, AcquireIsStoppedOnShutdown) {
  BudgetGate& gate = MakeGate();
  ASSERT_EQ(gate.Acquire("cdr"), Admission::kGranted);
  clock_.Advance(Seconds(30));
  ASSERT_EQ(gate.Acquire("cdr"), Admission::kGranted);
  // The third must wait a window the fake clock never reaches; stopping
  // wakes it.
  std::thread stopper([this] { stop_.Stop(); });
  EXPECT_EQ(gate.Acquire("cdr"), Admission::kStopped);
  stopper.join();
}

TEST_F(BudgetGateTest, UnrecordedRequestIsNotSentNorSpent) {
  BreakableDir storage(dir_.File("state"));
  store_ = std::make_unique<StateStore>(storage.path(), logger_);
  BudgetGate& gate = MakeGate();
  gate.LoadHistory(false);
  storage.Break();
  EXPECT_EQ(gate.Acquire("cdr"), Admission::kUnrecorded);
  EXPECT_FALSE(store_->health().writable());
  EXPECT_THAT(store_->health().problem(), HasSubstr("request_history.json"));
  // Nothing was spent: once the disk is back the request goes at once.
  storage.Repair();
  EXPECT_EQ(gate.NextAllowed("cdr"), kStart);
  EXPECT_EQ(gate.Acquire("cdr"), Admission::kGranted);
  EXPECT_TRUE(store_->health().writable());
}

TEST_F(BudgetGateTest, UsageReportsEachFamily) {
  BudgetGate& gate = MakeGate();
  ASSERT_EQ(gate.Acquire("cdr"), Admission::kGranted);
  const auto usage = gate.Usage();
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(usage[0].family, "cdr");
  EXPECT_EQ(usage[0].used, 1);
  EXPECT_EQ(usage[0].limit, 2);
  EXPECT_EQ(usage[1].used, 0);
  EXPECT_EQ(gate.Spacing("cdr"), Seconds(30));
  EXPECT_EQ(gate.Spacing("unknown"), TimePoint::duration::zero());
}

}  // namespace
}  // namespace callcenter::core
