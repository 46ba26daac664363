// Structured logfmt lines on stderr, Prometheus style:
//   ts=2026-03-02T06:50:00.123Z level=info source=cdr msg="poll done" new=12
// A Logger is passed to each component; there is no global logger.
#ifndef CALLCENTER_CORE_LOGGING_H_
#define CALLCENTER_CORE_LOGGING_H_

#include <initializer_list>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace callcenter::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::optional<LogLevel> ParseLogLevel(std::string_view text);

class Logger {
 public:
  using Fields =
      std::initializer_list<std::pair<std::string_view, std::string>>;

  Logger(std::ostream& out, LogLevel level) : out_(&out), level_(level) {}

  void Debug(std::string_view source, std::string_view message,
             Fields fields = {}) const {
    Log(LogLevel::kDebug, source, message, fields);
  }
  void Info(std::string_view source, std::string_view message,
            Fields fields = {}) const {
    Log(LogLevel::kInfo, source, message, fields);
  }
  void Warn(std::string_view source, std::string_view message,
            Fields fields = {}) const {
    Log(LogLevel::kWarn, source, message, fields);
  }
  void Error(std::string_view source, std::string_view message,
             Fields fields = {}) const {
    Log(LogLevel::kError, source, message, fields);
  }
  void Log(LogLevel level, std::string_view source, std::string_view message,
           Fields fields) const;

 private:
  std::ostream* out_;
  LogLevel level_;
  mutable std::mutex mutex_;
};

// Quotes a logfmt value when it holds spaces, quotes or '='.
std::string LogfmtValue(std::string_view value);

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_LOGGING_H_
