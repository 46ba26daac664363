#include "callcenter/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace callcenter {
namespace {

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool WriteAll(int fd, const std::string& content) {
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

void SyncDirectory(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

bool WriteFileAtomically(const std::string& path, const std::string& content,
                         std::string* error) {
  const std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = ErrnoText("cannot create", temp);
    return false;
  }
  if (!WriteAll(fd, content) || ::fsync(fd) != 0) {
    *error = ErrnoText("cannot write", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return false;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    *error = ErrnoText("cannot rename onto", path);
    ::unlink(temp.c_str());
    return false;
  }
  SyncDirectory(path);
  return true;
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool FileExists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

bool MakeDirectories(const std::string& path, std::string* error) {
  std::error_code code;
  std::filesystem::create_directories(path, code);
  if (code) {
    *error = "cannot create " + path + ": " + code.message();
    return false;
  }
  return true;
}

LoadStatus LoadJsonState(const std::string& path, int version,
                         rapidjson::Document* document, std::string* reason) {
  auto content = ReadWholeFile(path);
  if (!content) return LoadStatus::kMissing;
  document->Parse(content->c_str(), content->size());
  if (document->HasParseError()) {
    *reason =
        "invalid JSON at offset " + std::to_string(document->GetErrorOffset());
    return LoadStatus::kCorrupt;
  }
  if (!document->IsObject() || !document->HasMember("version") ||
      !(*document)["version"].IsInt() ||
      (*document)["version"].GetInt() != version) {
    *reason = "missing or unsupported version";
    return LoadStatus::kCorrupt;
  }
  return LoadStatus::kLoaded;
}

int64_t ToMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

TimePoint FromMillis(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::milliseconds(ms)));
}

void WriteOptionalTime(rapidjson::Writer<rapidjson::StringBuffer>* w,
                       const char* key, const std::optional<TimePoint>& t) {
  w->Key(key);
  if (t) {
    w->Int64(ToMillis(*t));
  } else {
    w->Null();
  }
}

}  // namespace callcenter
