#include "callcenter/state_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace callcenter {
namespace {

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("state_file_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(StateFileTest, AtomicWriteReplacesAndLeavesNoTemp) {
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(Path("s.json"), "old", &error)) << error;
  ASSERT_TRUE(WriteFileAtomically(Path("s.json"), "new", &error)) << error;
  EXPECT_EQ(ReadWholeFile(Path("s.json")), "new");
  EXPECT_FALSE(FileExists(Path("s.json.tmp")));
}

TEST_F(StateFileTest, WriteIntoMissingDirectoryFailsWithReason) {
  std::string error;
  EXPECT_FALSE(WriteFileAtomically(Path("nope/s.json"), "x", &error));
  EXPECT_NE(error.find("cannot create"), std::string::npos);
}

TEST_F(StateFileTest, LoadDistinguishesMissingCorruptAndLoaded) {
  rapidjson::Document doc;
  std::string reason;
  EXPECT_EQ(LoadJsonState(Path("absent.json"), 1, &doc, &reason),
            LoadStatus::kMissing);
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(Path("bad.json"), "{\"version\":1,", &error));
  EXPECT_EQ(LoadJsonState(Path("bad.json"), 1, &doc, &reason),
            LoadStatus::kCorrupt);
  EXPECT_NE(reason.find("invalid JSON"), std::string::npos);
  ASSERT_TRUE(WriteFileAtomically(Path("old.json"), "{\"version\":0}", &error));
  EXPECT_EQ(LoadJsonState(Path("old.json"), 1, &doc, &reason),
            LoadStatus::kCorrupt);
  ASSERT_TRUE(WriteFileAtomically(Path("ok.json"), "{\"version\":1}", &error));
  EXPECT_EQ(LoadJsonState(Path("ok.json"), 1, &doc, &reason),
            LoadStatus::kLoaded);
}

}  // namespace
}  // namespace callcenter
