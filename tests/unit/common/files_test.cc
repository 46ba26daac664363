#include "callcenter/common/files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "testing/temp_dir.h"

namespace callcenter {
namespace {

using test::ReadText;
using test::TempDir;
using test::WriteText;
using ::testing::HasSubstr;

TEST(WriteFileAtomicallyTest, ReplacesAndLeavesNoTemporary) {
  TempDir dir;
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(dir.File("s.json"), "old", &error)) << error;
  ASSERT_TRUE(WriteFileAtomically(dir.File("s.json"), "new", &error)) << error;
  EXPECT_EQ(ReadText(dir.File("s.json")), "new");
  EXPECT_FALSE(FileExists(dir.File("s.json.tmp")));
}

TEST(WriteFileAtomicallyTest, FailsWithAReasonWhenTheDirectoryIsAFile) {
  TempDir dir;
  WriteText(dir.File("state"), "a regular file");
  std::string error;
  EXPECT_FALSE(WriteFileAtomically(dir.File("state/s.json"), "x", &error));
  EXPECT_THAT(error, HasSubstr("cannot create"));
  EXPECT_THAT(error, HasSubstr("state/s.json.tmp"));
}

TEST(ReadRegularFileTest, ReadsMissingAndOk) {
  TempDir dir;
  EXPECT_EQ(ReadRegularFile(dir.File("absent"), 100).status,
            FileRead::Status::kMissing);
  WriteText(dir.File("key"), "secret\n");
  const FileRead read = ReadRegularFile(dir.File("key"), 100);
  EXPECT_EQ(read.status, FileRead::Status::kOk);
  EXPECT_EQ(read.content, "secret\n");
}

TEST(ReadRegularFileTest, RefusesWhatIsNotASmallRegularFile) {
  TempDir dir;
  WriteText(dir.File("big"), std::string(4097, 'k'));
  ASSERT_EQ(::mkfifo(dir.File("fifo").c_str(), 0600), 0);
  std::filesystem::create_directory(dir.File("subdir"));
  for (const std::string& path : {std::string("/dev/zero"), dir.File("big"),
                                  dir.File("fifo"), dir.File("subdir")}) {
    const FileRead read = ReadRegularFile(path, 4096);
    EXPECT_EQ(read.status, FileRead::Status::kError) << path;
    EXPECT_THAT(read.error, HasSubstr(path));
    EXPECT_TRUE(read.content.empty()) << path;
  }
  EXPECT_EQ(ReadRegularFile(dir.File("big"), 4097).status,
            FileRead::Status::kOk);
}

TEST(MoveAsideTest, RenamesReplacingAnOlderCopy) {
  TempDir dir;
  WriteText(dir.File("s.json"), "first");
  std::string error;
  ASSERT_TRUE(MoveAside(dir.File("s.json"), ".corrupt", &error)) << error;
  WriteText(dir.File("s.json"), "second");
  ASSERT_TRUE(MoveAside(dir.File("s.json"), ".corrupt", &error)) << error;
  EXPECT_FALSE(FileExists(dir.File("s.json")));
  EXPECT_EQ(ReadText(dir.File("s.json.corrupt")), "second");
}

TEST(MakeDirectoriesTest, CreatesParentsAndReportsFailure) {
  TempDir dir;
  std::string error;
  EXPECT_TRUE(MakeDirectories(dir.File("a/b/c"), &error)) << error;
  EXPECT_TRUE(FileExists(dir.File("a/b/c")));
  WriteText(dir.File("file"), "x");
  EXPECT_FALSE(MakeDirectories(dir.File("file/below"), &error));
  EXPECT_THAT(error, HasSubstr("cannot create"));
}

}  // namespace
}  // namespace callcenter
