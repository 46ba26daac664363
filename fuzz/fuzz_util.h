// Helpers shared by the fuzz targets: an invariant check that libFuzzer
// reports as a crash, a logger that writes nowhere, and a scratch directory
// for the targets that must put a state file on disk.
#ifndef CALLCENTER_FUZZ_FUZZ_UTIL_H_
#define CALLCENTER_FUZZ_FUZZ_UTIL_H_

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/logging.h"

// Prints the broken invariant, then traps: libFuzzer saves the input.
#define FUZZ_CHECK(condition)                                              \
  do {                                                                     \
    if (!(condition)) {                                                    \
      fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
              #condition);                                                 \
      __builtin_trap();                                                    \
    }                                                                      \
  } while (0)

namespace callcenter::fuzz {

// A logger whose lines go nowhere (an ostream without a buffer).
class NullLogger {
 public:
  NullLogger() : stream_(nullptr), logger_(stream_, core::LogLevel::kError) {}
  const core::Logger& get() const { return logger_; }

 private:
  std::ostream stream_;
  core::Logger logger_;
};

// A fresh directory for one input, removed with its content afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string base = "/tmp";
    if (const char* tmp = getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') {
      base = tmp;
    }
    std::string name = base + "/callcenter_fuzz_XXXXXX";
    if (mkdtemp(name.data()) == nullptr) {
      perror("mkdtemp");
      abort();
    }
    path_ = name;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const {
    return path_ + "/" + std::string(name);
  }
  void Write(std::string_view name, std::string_view content) const {
    std::ofstream out(File(name), std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  void Remove(std::string_view name) const {
    std::error_code ignored;
    std::filesystem::remove(File(name), ignored);
  }

 private:
  std::string path_;
};

// Splits `text` at every occurrence of `marker` (the marker is dropped).
inline std::vector<std::string_view> SplitAt(std::string_view text,
                                             std::string_view marker) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(marker, start);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(start, at - start));
    start = at + marker.size();
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Whether `text` is well-formed Prometheus text exposition (0.0.4): HELP
// and TYPE comments, and samples `name{label="value",...} number` whose
// label values escape only \\, \" and \n. Catches a label value that could
// break the scrape (a raw newline or quote).
inline bool IsValidExposition(std::string_view text) {
  auto name_char = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == ':' || (!first && c >= '0' && c <= '9');
  };
  if (!text.empty() && text.back() != '\n') return false;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      continue;
    }
    size_t i = 0;
    if (line.empty() || !name_char(line[0], true)) return false;
    while (i < line.size() && name_char(line[i], i == 0)) ++i;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const size_t label = i;
        while (i < line.size() && name_char(line[i], i == label)) ++i;
        if (i == label || i + 1 >= line.size() || line[i] != '=' ||
            line[i + 1] != '"') {
          return false;
        }
        i += 2;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            if (i + 1 >= line.size()) return false;
            const char e = line[i + 1];
            if (e != '\\' && e != '"' && e != 'n') return false;
            ++i;
          }
          ++i;
        }
        if (i >= line.size()) return false;
        ++i;  // closing quote
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) return false;
      ++i;  // '}'
    }
    if (i >= line.size() || line[i] != ' ') return false;
    const std::string_view value = line.substr(i + 1);
    if (value.empty() || value.find(' ') != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace callcenter::fuzz

#endif  // CALLCENTER_FUZZ_FUZZ_UTIL_H_
