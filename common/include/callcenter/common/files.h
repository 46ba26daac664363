// Files that survive crashes and refuse hostile sizes. A save writes a
// temporary file, fsyncs it, renames it over the old one and fsyncs the
// directory, so after a kill -9 or a power cut the file holds the old
// content or the new one, never a mix. A read refuses anything that is not
// a regular file or is larger than the caller allows (/dev/zero, a FIFO, a
// runaway state file), so it never blocks or exhausts memory.
#ifndef CALLCENTER_COMMON_FILES_H_
#define CALLCENTER_COMMON_FILES_H_

#include <cstddef>
#include <optional>
#include <string>

namespace callcenter {

bool WriteFileAtomically(const std::string& path, const std::string& content,
                         std::string* error);

struct FileRead {
  enum class Status { kOk, kMissing, kError } status = Status::kError;
  std::string content;
  std::string error;  // one line naming the path, for kError
};
FileRead ReadRegularFile(const std::string& path, size_t max_bytes);

bool FileExists(const std::string& path);
// Creates the directory and its parents; false with `error` on failure.
bool MakeDirectories(const std::string& path, std::string* error);
// Renames `path` to `path + suffix`, replacing an older one; false on error.
bool MoveAside(const std::string& path, const std::string& suffix,
               std::string* error);

}  // namespace callcenter

#endif  // CALLCENTER_COMMON_FILES_H_
