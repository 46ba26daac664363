// Crash-safe state files. A save writes a temporary file, fsyncs it, renames
// it over the old one and fsyncs the directory, so after a kill -9 or a power
// cut the file holds either the old state or the new one, never a mix.
#ifndef CALLCENTER_STATE_FILE_H_
#define CALLCENTER_STATE_FILE_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>

#include "callcenter/common/clock.h"

namespace callcenter {

bool WriteFileAtomically(const std::string& path, const std::string& content,
                         std::string* error);
std::optional<std::string> ReadWholeFile(const std::string& path);
bool FileExists(const std::string& path);
// Creates the directory and its parents; false with `error` on failure.
bool MakeDirectories(const std::string& path, std::string* error);

enum class LoadStatus { kLoaded, kMissing, kCorrupt };

// Reads a JSON state file whose top level must be an object with a numeric
// "version" equal to `version`. Anything else is kCorrupt with a reason.
LoadStatus LoadJsonState(const std::string& path, int version,
                         rapidjson::Document* document, std::string* reason);

// Times in state files are Unix milliseconds.
int64_t ToMillis(TimePoint t);
TimePoint FromMillis(int64_t ms);
// Writes `key` with the time in milliseconds, or null when there is none.
void WriteOptionalTime(rapidjson::Writer<rapidjson::StringBuffer>* w,
                       const char* key, const std::optional<TimePoint>& t);

}  // namespace callcenter

#endif  // CALLCENTER_STATE_FILE_H_
