#include "callcenter/common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace callcenter {
namespace {

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool WriteAll(int fd, const std::string& content) {
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n =
        ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

bool SyncDirectory(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd =
      ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool WriteFileAtomically(const std::string& path, const std::string& content,
                         std::string* error) {
  const std::string temp = path + ".tmp";
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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
  if (::close(fd) != 0) {
    *error = ErrnoText("cannot close", temp);
    ::unlink(temp.c_str());
    return false;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    *error = ErrnoText("cannot rename onto", path);
    ::unlink(temp.c_str());
    return false;
  }
  // Without the directory sync a power cut can forget the rename.
  if (!SyncDirectory(path)) {
    *error = ErrnoText("cannot sync the directory of", path);
    return false;
  }
  return true;
}

FileRead ReadRegularFile(const std::string& path, size_t max_bytes) {
  FileRead result;
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) {
      result.status = FileRead::Status::kMissing;
      return result;
    }
    result.error = ErrnoText("cannot open", path);
    return result;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    result.error = path + " is not a regular file";
    ::close(fd);
    return result;
  }
  if (static_cast<uint64_t>(info.st_size) > max_bytes) {
    result.error = path + " is larger than " + std::to_string(max_bytes) +
                   " bytes";
    ::close(fd);
    return result;
  }
  result.content.resize(static_cast<size_t>(info.st_size));
  size_t done = 0;
  while (done < result.content.size()) {
    const ssize_t n =
        ::read(fd, result.content.data() + done, result.content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the file shrank while we read: take what is there
    done += static_cast<size_t>(n);
  }
  result.content.resize(done);
  // A file that grew past the limit while we read is refused too.
  char extra = 0;
  if (::read(fd, &extra, 1) > 0) {
    result.error = path + " is larger than " + std::to_string(max_bytes) +
                   " bytes";
    ::close(fd);
    result.content.clear();
    return result;
  }
  ::close(fd);
  result.status = FileRead::Status::kOk;
  return result;
}

bool FileExists(const std::string& path) {
  struct stat info {};
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

bool MoveAside(const std::string& path, const std::string& suffix,
               std::string* error) {
  const std::string target = path + suffix;
  if (std::rename(path.c_str(), target.c_str()) != 0) {
    *error = ErrnoText("cannot rename " + path + " to", target);
    return false;
  }
  return true;
}

}  // namespace callcenter
