#include "callcenter/rate_budget.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include "callcenter/state_file.h"

namespace callcenter {
namespace {

const TimePoint kStart = FromUnixSeconds(1772400000);

TEST(RateBudgetTest, SpacesRequestsEvenly) {
  RateBudget budget(2, Seconds(60), Seconds(0));
  EXPECT_TRUE(budget.TryAcquire(kStart));
  EXPECT_FALSE(budget.TryAcquire(kStart + Seconds(29)));
  EXPECT_EQ(budget.NextAllowed(kStart + Seconds(1)), kStart + Seconds(30));
  EXPECT_TRUE(budget.TryAcquire(kStart + Seconds(30)));
}

TEST(RateBudgetTest, NeverExceedsLimitInAnySlidingWindow) {
  // Drive the budget as a greedy caller would, for an hour, and check every
  // window of the resulting history, margin included.
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

class BudgetGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("budget_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "history.json").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string path_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  FakeClock clock_{kStart};
  StopSignal stop_;
};

TEST_F(BudgetGateTest, HistorySurvivesRestart) {
  {
    BudgetGate gate(clock_, stop_, logger_, path_);
    gate.AddFamily(ApiFamily::kCdr, 2, Seconds(60), Seconds(0));
    gate.LoadHistory(false);
    ASSERT_TRUE(gate.Acquire(ApiFamily::kCdr));
  }
  BudgetGate restarted(clock_, stop_, logger_, path_);
  restarted.AddFamily(ApiFamily::kCdr, 2, Seconds(60), Seconds(0));
  restarted.LoadHistory(true);
  EXPECT_EQ(restarted.NextAllowed(ApiFamily::kCdr), kStart + Seconds(30));
}

TEST_F(BudgetGateTest, LostHistoryWaitsOneWindow) {
  ASSERT_TRUE([&] {
    std::string error;
    return WriteFileAtomically(path_, "{not json", &error);
  }());
  BudgetGate gate(clock_, stop_, logger_, path_);
  gate.AddFamily(ApiFamily::kCdr, 2, Seconds(60), Seconds(0));
  gate.AddFamily(ApiFamily::kToken, 10, Seconds(3600), Seconds(0));
  gate.LoadHistory(true);
  EXPECT_EQ(gate.NextAllowed(ApiFamily::kCdr), kStart + Seconds(60));
  EXPECT_EQ(gate.NextAllowed(ApiFamily::kToken), kStart + Seconds(3600));
  EXPECT_NE(log_.str().find("request history unreadable"), std::string::npos);
}

TEST_F(BudgetGateTest, FirstEverStartDoesNotWait) {
  BudgetGate gate(clock_, stop_, logger_, path_);
  gate.AddFamily(ApiFamily::kCdr, 2, Seconds(60), Seconds(0));
  gate.LoadHistory(false);
  EXPECT_EQ(gate.NextAllowed(ApiFamily::kCdr), kStart);
}

TEST_F(BudgetGateTest, RateLimitedAnswerBlocksAWindow) {
  BudgetGate gate(clock_, stop_, logger_, "");
  gate.AddFamily(ApiFamily::kAht, 50, Seconds(60), Seconds(0));
  gate.OnRateLimited(ApiFamily::kAht);
  EXPECT_EQ(gate.NextAllowed(ApiFamily::kAht), kStart + Seconds(60));
}

TEST_F(BudgetGateTest, AcquireReturnsFalseOnShutdown) {
  BudgetGate gate(clock_, stop_, logger_, "");
  gate.AddFamily(ApiFamily::kCdr, 1, Seconds(60), Seconds(0));
  ASSERT_TRUE(gate.Acquire(ApiFamily::kCdr));
  // The second acquire must wait a window the fake clock never reaches;
  // stopping wakes it.
  std::thread stopper([&] { stop_.Stop(); });
  EXPECT_FALSE(gate.Acquire(ApiFamily::kCdr));
  stopper.join();
}

}  // namespace
}  // namespace callcenter
