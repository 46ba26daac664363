#include "core/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/text_writer.h"
#include "testing/metrics.h"

namespace callcenter::core {
namespace {

using test::Gunzip;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A source with one gauge per series, settable from the test.
class GaugeSource final : public MetricSource {
 public:
  GaugeSource(std::string name, int series)
      : name_(std::move(name)), values_(series) {
    for (int i = 0; i < series; ++i) values_[i] = i;
  }
  std::vector<FamilySpec> Families() const override {
    return {{name_, "A test gauge.", MetricType::kGauge, {"series"}}};
  }
  void Render(MetricSink& sink) const override {
    const auto families = Families();
    sink.Begin(families[0]);
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < values_.size(); ++i) {
      const std::string series = "series-" + std::to_string(i);
      sink.Sample({{"series", series}}, values_[i]);
    }
  }
  void Set(size_t i, double value) {
    std::lock_guard<std::mutex> lock(mutex_);
    values_[i] = value;
  }

 private:
  std::string name_;
  mutable std::mutex mutex_;
  std::vector<double> values_;
};

// One gauge family spread over `pieces` pieces of `per_piece` series each;
// the test says which pieces changed.
class PiecewiseGauge final : public PiecewiseSource {
 public:
  PiecewiseGauge(size_t pieces, size_t per_piece)
      : values_(pieces, std::vector<double>(per_piece, 1)),
        changed_(pieces, true) {}
  std::vector<FamilySpec> Families() const override {
    return {{"p_gauge", "A gauge in pieces.", MetricType::kGauge, {"series"}}};
  }
  size_t piece_count() const override { return values_.size(); }
  void RenderPiece(size_t piece, MetricSink& sink) const override {
    if (piece == 0) {
      sink.Begin(family_);
    } else {
      sink.Continue(family_);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < values_[piece].size(); ++i) {
      const std::string series =
          std::to_string(piece) + "-" + std::to_string(i);
      sink.Sample({{"series", series}}, values_[piece][i]);
    }
  }
  std::vector<size_t> TakeChangedPieces() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<size_t> pieces;
    for (size_t i = 0; i < changed_.size(); ++i) {
      if (changed_[i]) pieces.push_back(i);
      changed_[i] = false;
    }
    return pieces;
  }
  void Set(size_t piece, size_t i, double value) {
    std::lock_guard<std::mutex> lock(mutex_);
    values_[piece][i] = value;
    changed_[piece] = true;
  }
  void Clear(size_t piece) {
    std::lock_guard<std::mutex> lock(mutex_);
    values_[piece].clear();
    changed_[piece] = true;
  }

 private:
  const FamilySpec family_ = Families()[0];
  mutable std::mutex mutex_;
  std::vector<std::vector<double>> values_;
  mutable std::vector<bool> changed_;
};

std::vector<const char*> TextPointers(const Snapshot& snapshot) {
  std::vector<const char*> pointers;
  SnapshotBody(snapshot, /*gzip=*/false).WriteTo([&](std::string_view chunk) {
    pointers.push_back(chunk.data());
    return true;
  });
  return pointers;
}

class SnapshotPublisherTest : public ::testing::Test {
 protected:
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  SnapshotPublisher publisher_{
      logger_, {std::chrono::milliseconds(1), std::chrono::milliseconds(1000)}};
};

TEST_F(SnapshotPublisherTest, GzipOfManySourcesIsOneMemberOfExactlyTheText) {
  GaugeSource a("a_gauge", 3);
  GaugeSource b("b_gauge", 20000);  // a part well over deflate's window
  GaugeSource c("c_gauge", 1);
  publisher_.Add("a", &a);
  publisher_.Add("b", &b);
  publisher_.Add("c", &c);
  publisher_.RenderNow();
  const auto snapshot = publisher_.Current();
  const std::string text = snapshot->Text();
  EXPECT_EQ(text, RenderText(a) + RenderText(b) + RenderText(c));
  EXPECT_EQ(snapshot->text_size(), text.size());
  const std::string gzip = snapshot->Gzip();
  EXPECT_EQ(snapshot->gzip_size(), gzip.size());
  const test::Gunzipped decoded = Gunzip(gzip);
  EXPECT_TRUE(decoded.ok);
  EXPECT_EQ(decoded.trailing, 0u);
  EXPECT_EQ(decoded.text, text);
}

// Renders a count, and while doing so applies a change to another source
// first, as an event applied to the floor and then counted would.
class CountingSource final : public MetricSource {
 public:
  explicit CountingSource(std::function<void()> during_render)
      : during_render_(std::move(during_render)) {}
  std::vector<FamilySpec> Families() const override {
    return {{"events_total", "Events.", MetricType::kCounter, {}}};
  }
  void Render(MetricSink& sink) const override {
    during_render_();
    const auto families = Families();  // Begin keeps a reference
    sink.Begin(families[0]);
    sink.Sample({}, ++count_);
  }

 private:
  std::function<void()> during_render_;
  mutable double count_ = 0;
};

TEST_F(SnapshotPublisherTest, AChangeMadeDuringARenderIsInTheSameSnapshot) {
  GaugeSource floor("floor", 1);
  SnapshotPublisher::SourceId floor_id = 0;
  int changes = 0;
  CountingSource counter([&] {
    floor.Set(0, ++changes);
    publisher_.MarkDirty(floor_id);
  });
  floor_id = publisher_.Add("floor", &floor);
  publisher_.Add("counter", &counter);
  publisher_.RenderNow();
  // The floor rendered first, then the counter's render changed it: the
  // published floor must show that change.
  const std::string text = publisher_.Current()->Text();
  EXPECT_THAT(text, HasSubstr("floor{series=\"series-0\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("events_total 1\n"));
}

TEST_F(SnapshotPublisherTest, EndlessChangesStillPublishAfterABoundedWork) {
  GaugeSource floor("floor", 1);
  SnapshotPublisher::SourceId counter_id = 0;
  CountingSource counter([&] { publisher_.MarkDirty(counter_id); });
  publisher_.Add("floor", &floor);
  counter_id = publisher_.Add("counter", &counter);
  publisher_.RenderNow();  // returns although the counter never settles
  EXPECT_THAT(publisher_.Current()->Text(), HasSubstr("events_total 3\n"));
}

TEST_F(SnapshotPublisherTest, EmptySnapshotIsAValidEmptyGzip) {
  publisher_.RenderNow();
  const auto snapshot = publisher_.Current();
  EXPECT_EQ(snapshot->Text(), "");
  const test::Gunzipped decoded = Gunzip(snapshot->Gzip());
  EXPECT_TRUE(decoded.ok);
  EXPECT_EQ(decoded.text, "");
}

TEST_F(SnapshotPublisherTest, OnlyTheDirtySourceIsRenderedAgain) {
  GaugeSource a("a_gauge", 2);
  GaugeSource b("b_gauge", 2);
  GaugeSource c("c_gauge", 2);
  publisher_.Add("a", &a);
  const auto b_id = publisher_.Add("b", &b);
  publisher_.Add("c", &c);
  publisher_.RenderNow();
  const auto first = publisher_.Current();
  const std::vector<const char*> before = TextPointers(*first);
  ASSERT_EQ(before.size(), 3u);
  const uint64_t renders = publisher_.renders();

  b.Set(1, 42);
  publisher_.MarkDirty(b_id);
  publisher_.RenderNow();
  const auto second = publisher_.Current();
  const std::vector<const char*> after = TextPointers(*second);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_NE(after[1], before[1]);
  EXPECT_EQ(after[2], before[2]);
  EXPECT_EQ(publisher_.renders(), renders + 1);
  EXPECT_GT(second->generation(), first->generation());
  EXPECT_THAT(second->Text(), HasSubstr("b_gauge{series=\"series-1\"} 42\n"));
  EXPECT_EQ(Gunzip(second->Gzip()).text, second->Text());
  // The old snapshot a scrape may still hold is unchanged.
  EXPECT_THAT(first->Text(), HasSubstr("b_gauge{series=\"series-1\"} 1\n"));
}

TEST_F(SnapshotPublisherTest, CheckFamiliesFindsDuplicatesAcrossSources) {
  GaugeSource a("same_gauge", 1);
  GaugeSource b("same_gauge", 1);
  GaugeSource bad("0bad", 1);
  publisher_.Add("a", &a);
  publisher_.Add("b", &b);
  publisher_.Add("bad", &bad);
  EXPECT_THAT(publisher_.CheckFamilies(),
              ElementsAre(HasSubstr("same_gauge: declared by more than one"),
                          HasSubstr("invalid metric name \"0bad\"")));
}

TEST_F(SnapshotPublisherTest, RenderThreadPublishesAMarkedChange) {
  GaugeSource a("a_gauge", 1);
  const auto id = publisher_.Add("a", &a);
  publisher_.Start();
  a.Set(0, 7);
  publisher_.MarkDirty(id);
  // Await the render thread (bounded), without assuming how long it takes.
  bool seen = false;
  for (int i = 0; i < 10000 && !seen; ++i) {
    seen = publisher_.Current()->Text().find(
               "a_gauge{series=\"series-0\"} 7") != std::string::npos;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  publisher_.Stop();
  EXPECT_TRUE(seen);
}

TEST_F(SnapshotPublisherTest, OnlyTheChangedPiecesOfAPieceWiseSourceRender) {
  GaugeSource before_it("a_gauge", 2);
  PiecewiseGauge pieces(4, 300);
  publisher_.Add("a", &before_it);
  const auto pieces_id = publisher_.Add("pieces", &pieces);
  publisher_.RenderNow();
  const auto first = publisher_.Current();
  const std::vector<const char*> before = TextPointers(*first);
  ASSERT_EQ(before.size(), 5u);
  EXPECT_EQ(first->Text(), RenderText(before_it) + RenderText(pieces));

  pieces.Set(2, 7, 42);
  publisher_.MarkDirty(pieces_id);
  publisher_.RenderNow();
  const auto second = publisher_.Current();
  const std::vector<const char*> after = TextPointers(*second);
  ASSERT_EQ(after.size(), 5u);
  for (size_t i : {0, 1, 2, 4}) EXPECT_EQ(after[i], before[i]) << i;
  EXPECT_NE(after[3], before[3]);
  const std::string text = second->Text();
  EXPECT_EQ(text, RenderText(before_it) + RenderText(pieces));
  EXPECT_THAT(text, HasSubstr("p_gauge{series=\"2-7\"} 42\n"));
  EXPECT_EQ(Gunzip(second->Gzip()).text, text);
  // One header for the family, however many pieces carry it.
  EXPECT_EQ(text.find("# TYPE p_gauge"), text.rfind("# TYPE p_gauge"));
}

TEST_F(SnapshotPublisherTest, AnEmptiedPieceLeavesNoPartAndAValidGzip) {
  PiecewiseGauge pieces(3, 10);
  const auto id = publisher_.Add("pieces", &pieces);
  publisher_.RenderNow();
  pieces.Clear(1);
  publisher_.MarkDirty(id);
  publisher_.RenderNow();
  const auto snapshot = publisher_.Current();
  EXPECT_EQ(TextPointers(*snapshot).size(), 2u);
  EXPECT_EQ(snapshot->Text(), RenderText(pieces));
  const auto gunzipped = Gunzip(snapshot->Gzip());
  EXPECT_TRUE(gunzipped.ok);
  EXPECT_EQ(gunzipped.text, snapshot->Text());
}

TEST(RenderPartTest, DeflatePartIsByteAligned) {
  GaugeSource a("a_gauge", 100);
  const auto part = RenderPart(a);
  EXPECT_EQ(part->text, RenderText(a));
  // A sync flush ends in an empty stored block: 00 00 ff ff.
  ASSERT_GE(part->deflate.size(), 4u);
  EXPECT_EQ(part->deflate.substr(part->deflate.size() - 4),
            std::string("\x00\x00\xff\xff", 4));
}

std::shared_ptr<const SnapshotPart> PartOf(const GaugeSource& source) {
  return RenderPart(source);
}

// A scrape that started before its snapshot was replaced holds each part
// only until it has written it.
TEST(SnapshotBodyTest, EachPartIsLetGoOnceWritten) {
  GaugeSource a("a_gauge", 3);
  GaugeSource b("b_gauge", 3);
  for (const bool gzip : {false, true}) {
    SCOPED_TRACE(gzip ? "gzip" : "plain");
    // An empty piece's part adds nothing to either body.
    std::vector<std::shared_ptr<const SnapshotPart>> parts = {
        PartOf(a), std::make_shared<SnapshotPart>(), PartOf(b)};
    const std::weak_ptr<const SnapshotPart> first = parts[0];
    const std::weak_ptr<const SnapshotPart> second = parts[2];
    auto snapshot = std::make_unique<Snapshot>(std::move(parts), 1);
    SnapshotBody body(*snapshot, gzip);
    snapshot.reset();  // replaced by the next render
    ASSERT_FALSE(first.expired());
    std::string written;
    std::vector<bool> first_alive;
    body.WriteTo([&](std::string_view piece) {
      first_alive.push_back(!first.expired());
      written.append(piece);
      return true;
    });
    EXPECT_EQ(written.size(), body.size());
    const std::string text = RenderText(a) + RenderText(b);
    if (gzip) {
      const auto gunzipped = Gunzip(written);
      EXPECT_TRUE(gunzipped.ok);
      EXPECT_EQ(gunzipped.text, text);
    } else {
      EXPECT_EQ(written, text);
    }
    // gzip: header, a, b, tail; plain: a, b.
    const std::vector<bool> expected =
        gzip ? std::vector<bool>{true, true, false, false}
             : std::vector<bool>{true, false};
    EXPECT_EQ(first_alive, expected);
    EXPECT_TRUE(first.expired());
    EXPECT_TRUE(second.expired());
    bool written_again = false;
    body.WriteTo([&](std::string_view /*piece*/) {
      written_again = true;
      return true;
    });
    EXPECT_FALSE(written_again);
  }
}

TEST(SnapshotBodyTest, APeerThatLeftIsWrittenNothingMoreAndHoldsNothing) {
  GaugeSource a("a_gauge", 3);
  GaugeSource b("b_gauge", 3);
  std::vector<std::shared_ptr<const SnapshotPart>> parts = {PartOf(a),
                                                            PartOf(b)};
  const std::weak_ptr<const SnapshotPart> second = parts[1];
  SnapshotBody body(Snapshot(std::move(parts), 1), /*gzip=*/true);
  int writes = 0;
  body.WriteTo([&](std::string_view /*piece*/) {
    ++writes;
    return false;
  });
  EXPECT_EQ(writes, 1);  // the gzip header, refused
  EXPECT_TRUE(second.expired());
}

}  // namespace
}  // namespace callcenter::core
