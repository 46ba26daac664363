// app::SelfMetrics: build info, the exporter's clock, process start and the
// poll loops' caught exceptions, all declared and valid.
#include "app/self_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "core/text_writer.h"
#include "testing/metrics.h"
#include "testing/temp_dir.h"

namespace callcenter::app {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class IdlePoller final : public core::Poller {
 public:
  core::PollResult Poll() override { return core::PollResult::Ok(); }
};

class SelfMetricsTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kInfo};
  FakeClock clock_{FromUnixSeconds(1772400000.75)};
  core::StopSignal stop_;
  core::StateStore store_{dir_.path(), logger_};
  core::BudgetGate budgets_{clock_, stop_, logger_, nullptr};
  core::SnapshotPublisher publisher_{logger_, {}};
  core::Engine engine_{clock_, logger_, stop_, store_, budgets_, publisher_};
  IdlePoller poller_;
};

TEST_F(SelfMetricsTest, DetailedRendersEveryDeclaredFamily) {
  engine_.AddPoller(&poller_, {"cdr", "", nullptr, Seconds(60)});
  const SelfMetrics metrics("1.2.3", "abcdef", 1772399000, clock_, engine_,
                            /*detailed=*/true);
  size_t samples = 0;
  EXPECT_THAT(test::SourceProblems(metrics, &samples), IsEmpty());
  EXPECT_EQ(samples, 4u);
  const std::string text = core::RenderText(metrics);
  EXPECT_EQ(
      test::SampleValue(text,
                        "callcenter_exporter_build_info{version=\"1.2.3\","
                        "revision=\"abcdef\"}"),
      1);
  // Whole seconds of the exporter's clock, not of time().
  EXPECT_EQ(test::SampleValue(text, "callcenter_exporter_time_seconds"),
            1772400000);
  EXPECT_EQ(test::SampleValue(text, "process_start_time_seconds"), 1772399000);
  EXPECT_EQ(
      test::SampleValue(
          text, "callcenter_exporter_poll_exceptions_total{poller=\"cdr\"}"),
      0);
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(test::ValueOf(metrics, "callcenter_exporter_time_seconds"),
            1772400005);
}

TEST_F(SelfMetricsTest, UndetailedKeepsOnlyWhatRulesNeed) {
  const SelfMetrics metrics("1.2.3", "abcdef", 1772399000, clock_, engine_,
                            /*detailed=*/false);
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());
  const std::string text = core::RenderText(metrics);
  EXPECT_THAT(text, HasSubstr("callcenter_exporter_build_info{"));
  EXPECT_THAT(text, HasSubstr("callcenter_exporter_time_seconds "));
  EXPECT_THAT(text, Not(HasSubstr("process_start_time_seconds")));
  EXPECT_THAT(text, Not(HasSubstr("poll_exceptions")));
}

}  // namespace
}  // namespace callcenter::app
