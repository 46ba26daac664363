#include "core/logging.h"

#include <chrono>
#include <cstdio>

#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"

namespace callcenter::core {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          now.time_since_epoch())
                          .count() %
                      1000;
  std::string text = FormatRfc3339(now);
  char fraction[8];
  std::snprintf(fraction, sizeof(fraction), ".%03lld",
                static_cast<long long>(millis));
  text.insert(text.size() - 1, fraction);
  return text;
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return std::nullopt;
}

std::string LogfmtValue(std::string_view value) {
  bool needs_quotes = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\\') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

void Logger::Log(LogLevel level, std::string_view source,
                 std::string_view message, Fields fields) const {
  if (level < level_) return;
  std::string line = "ts=" + Timestamp() + " level=" + LevelName(level) +
                     " source=" + LogfmtValue(source) +
                     " msg=" + LogfmtValue(message);
  for (const auto& [key, value] : fields) {
    line += " ";
    line += key;
    line += "=" + LogfmtValue(value);
  }
  line += "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  *out_ << line << std::flush;
}

}  // namespace callcenter::core
