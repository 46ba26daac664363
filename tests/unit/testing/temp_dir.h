// A fresh directory under /tmp for one test, removed with everything in it
// when the test ends. mkdtemp names it, so tests running in parallel never
// share one.
#ifndef CALLCENTER_TESTS_UNIT_TESTING_TEMP_DIR_H_
#define CALLCENTER_TESTS_UNIT_TESTING_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace callcenter::test {

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/callcenter_unit_XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

// A storage directory that can fail and come back, even for root (who
// ignores permission bits): while broken, the directory is moved aside and
// a regular file takes its name, so every path below it is ENOTDIR.
class BreakableDir {
 public:
  explicit BreakableDir(std::string path) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
  }
  void Break() {
    std::filesystem::rename(path_, path_ + ".away");
    WriteText(path_, "not a directory");
  }
  void Repair() {
    std::filesystem::remove(path_);
    std::filesystem::rename(path_ + ".away", path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_TESTING_TEMP_DIR_H_
