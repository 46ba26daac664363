#include "core/state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "callcenter/common/files.h"
#include "testing/metrics.h"
#include "testing/temp_dir.h"

namespace callcenter::core {
namespace {

using test::BreakableDir;
using test::ReadText;
using test::TempDir;
using test::WriteText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class StateFileTest : public ::testing::Test {
 protected:
  std::unique_ptr<StateFile> Open(bool journaled = true,
                                  StateLimits limits = {}) {
    return std::make_unique<StateFile>(dir_.File("s.json"), journaled, health_,
                                       logger_, limits);
  }

  TempDir dir_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  StorageHealth health_;
};

TEST_F(StateFileTest, MissingFileLoadsAsMissing) {
  auto file = Open();
  EXPECT_EQ(file->Load().status, StateFile::Status::kMissing);
  EXPECT_FALSE(file->has_snapshot());
  EXPECT_FALSE(file->existed_at_start());
}

TEST_F(StateFileTest, SnapshotAndJournalRoundTrip) {
  auto file = Open();
  ASSERT_TRUE(file->Save(R"({"n":1})"));
  ASSERT_TRUE(file->Append("first"));
  ASSERT_TRUE(file->Append("second"));
  EXPECT_EQ(file->journal_entries(), 2u);
  auto restarted = Open();
  StateFile::Loaded loaded = restarted->Load();
  ASSERT_EQ(loaded.status, StateFile::Status::kLoaded);
  EXPECT_EQ(loaded.snapshot["n"].GetInt(), 1);
  EXPECT_THAT(loaded.journal, ElementsAre("first", "second"));
  EXPECT_TRUE(restarted->existed_at_start());
  // Appends continue the loaded journal.
  ASSERT_TRUE(restarted->Append("third"));
  EXPECT_THAT(Open()->Load().journal, ElementsAre("first", "second", "third"));
}

TEST_F(StateFileTest, SaveStartsAnEmptyJournal) {
  auto file = Open();
  ASSERT_TRUE(file->Save(R"({"n":1})"));
  ASSERT_TRUE(file->Append("old entry"));
  ASSERT_TRUE(file->Save(R"({"n":2})"));
  StateFile::Loaded loaded = Open()->Load();
  EXPECT_EQ(loaded.snapshot["n"].GetInt(), 2);
  EXPECT_THAT(loaded.journal, IsEmpty());
}

TEST_F(StateFileTest, TornLastEntryIsDroppedAndOverwritten) {
  auto file = Open();
  ASSERT_TRUE(file->Save("{}"));
  ASSERT_TRUE(file->Append("whole"));
  ASSERT_TRUE(file->Append("torn entry"));
  const std::string journal = dir_.File("s.json.journal");
  std::filesystem::resize_file(journal,
                               std::filesystem::file_size(journal) - 3);
  auto restarted = Open();
  EXPECT_THAT(restarted->Load().journal, ElementsAre("whole"));
  EXPECT_THAT(log_.str(), HasSubstr("torn entry"));
  ASSERT_TRUE(restarted->Append("next"));
  EXPECT_THAT(Open()->Load().journal, ElementsAre("whole", "next"));
}

TEST_F(StateFileTest, StaleJournalAfterACrashInCompactionIsIgnored) {
  // A compaction writes the new snapshot (holding every entry), then
  // resets the journal. A crash between the two leaves the old journal
  // beside the new snapshot: its entries must not be applied again.
  auto file = Open();
  ASSERT_TRUE(file->Save(R"({"n":1})"));
  ASSERT_TRUE(file->Append("counted once"));
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(dir_.File("s.json"), R"({"n":2})", &error));
  auto restarted = Open();
  StateFile::Loaded loaded = restarted->Load();
  ASSERT_EQ(loaded.status, StateFile::Status::kLoaded);
  EXPECT_EQ(loaded.snapshot["n"].GetInt(), 2);
  EXPECT_THAT(loaded.journal, IsEmpty());
  // New entries start a journal for the new snapshot.
  ASSERT_TRUE(restarted->Append("after"));
  EXPECT_THAT(Open()->Load().journal, ElementsAre("after"));
}

TEST_F(StateFileTest, DeeplyNestedSnapshotIsCorruptAndSetAside) {
  WriteText(dir_.File("s.json"),
            std::string(200000, '[') + std::string(200000, ']'));
  WriteText(dir_.File("s.json.journal"), "whatever");
  auto file = Open();
  StateFile::Loaded loaded = file->Load();
  EXPECT_EQ(loaded.status, StateFile::Status::kCorrupt);
  EXPECT_THAT(loaded.reason, HasSubstr("nested deeper than 64"));
  EXPECT_FALSE(FileExists(dir_.File("s.json")));
  EXPECT_TRUE(FileExists(dir_.File("s.json.corrupt")));
  EXPECT_TRUE(FileExists(dir_.File("s.json.journal.corrupt")));
  EXPECT_THAT(log_.str(), HasSubstr("state file is corrupt"));
  EXPECT_FALSE(file->has_snapshot());
}

TEST_F(StateFileTest, NonObjectAndOversizedSnapshotsAreCorrupt) {
  WriteText(dir_.File("s.json"), "[1,2]");
  EXPECT_EQ(Open()->Load().status, StateFile::Status::kCorrupt);
  StateLimits small;
  small.max_snapshot_bytes = 16;
  WriteText(dir_.File("s.json"), R"({"padding":"0123456789"})");
  StateFile::Loaded loaded = Open(true, small)->Load();
  EXPECT_EQ(loaded.status, StateFile::Status::kCorrupt);
  EXPECT_THAT(loaded.reason, HasSubstr("larger than 16 bytes"));
}

TEST_F(StateFileTest, AppendNeedsASnapshot) {
  auto file = Open();
  EXPECT_FALSE(file->Append("orphan"));
  EXPECT_FALSE(health_.writable());
  EXPECT_THAT(health_.problem(), HasSubstr("no snapshot to append to"));
  ASSERT_TRUE(file->Save("{}"));
  EXPECT_TRUE(health_.writable());
}

TEST_F(StateFileTest, UnjournaledFileHasNoJournal) {
  auto file = Open(/*journaled=*/false);
  ASSERT_TRUE(file->Save("{}"));
  EXPECT_FALSE(FileExists(dir_.File("s.json.journal")));
  EXPECT_FALSE(file->Append("x"));
}

TEST_F(StateFileTest, FailedWritesShowInHealthUntilOneSucceeds) {
  BreakableDir storage(dir_.File("state"));
  StateFile file(storage.path() + "/s.json", true, health_, logger_);
  ASSERT_TRUE(file.Save("{}"));
  storage.Break();
  EXPECT_FALSE(file.Save(R"({"n":1})"));
  EXPECT_FALSE(health_.writable());
  EXPECT_THAT(health_.problem(), HasSubstr("s.json"));
  EXPECT_EQ(test::SampleValue(RenderText(health_),
                              "callcenter_exporter_state_writable"),
            0);
  EXPECT_EQ(test::SampleValue(RenderText(health_),
                              "callcenter_exporter_state_write_failures_total"),
            1);
  storage.Repair();
  EXPECT_TRUE(file.Save(R"({"n":2})"));
  EXPECT_TRUE(health_.writable());
  EXPECT_EQ(health_.problem(), "");
  EXPECT_EQ(test::SourceProblems(health_), std::vector<std::string>{});
}

TEST(StateStoreTest, RanBeforeWhenAnyStateFileExisted) {
  TempDir dir;
  std::ostringstream log;
  Logger logger(log, LogLevel::kDebug);
  EXPECT_FALSE(StateStore(dir.path(), logger).RanBefore());
  WriteText(dir.File("cdr_state.json"), "{}");
  StateStore store(dir.path(), logger);
  EXPECT_TRUE(store.RanBefore());
  EXPECT_EQ(&store.File("a.json"), &store.File("a.json"));
  EXPECT_EQ(store.File("a.json").path(), dir.File("a.json"));
}

TEST(StateTimesTest, OnlyTimesFrom2000To2100) {
  EXPECT_TRUE(TimeFromMillis(946684800000LL).has_value());
  EXPECT_TRUE(TimeFromMillis(4102444800000LL).has_value());
  EXPECT_FALSE(TimeFromMillis(946684799999LL).has_value());
  EXPECT_FALSE(TimeFromMillis(7258118400000LL).has_value());  // 2200
  EXPECT_FALSE(TimeFromMillis(-1).has_value());
  EXPECT_FALSE(TimeFromMillis(INT64_MAX).has_value());
  const TimePoint t = FromUnixSeconds(1772400000.5);
  EXPECT_EQ(TimeFromMillis(ToMillis(t)), t);
}

TEST(StateTimesTest, OptionalTimeMembers) {
  rapidjson::Document doc;
  doc.Parse(R"({"ok":1772400000000,"null":null,"far":7258118400000,"s":"x"})");
  std::optional<TimePoint> out;
  EXPECT_TRUE(ReadOptionalTime(doc, "ok", &out));
  EXPECT_TRUE(out.has_value());
  EXPECT_TRUE(ReadOptionalTime(doc, "null", &out));
  EXPECT_FALSE(out.has_value());
  EXPECT_TRUE(ReadOptionalTime(doc, "absent", &out));
  EXPECT_FALSE(ReadOptionalTime(doc, "far", &out));
  EXPECT_FALSE(ReadOptionalTime(doc, "s", &out));
}

}  // namespace
}  // namespace callcenter::core
