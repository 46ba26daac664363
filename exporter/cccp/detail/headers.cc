#include "cccp/detail/headers.h"

#include "callcenter/common/files.h"
#include "callcenter/common/strings.h"

namespace callcenter::cccp::detail {
namespace {

constexpr size_t kMaxHeadersFileBytes = 16 * 1024;

// RFC 9110 token characters.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool HasControlChar(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7F) return true;
  }
  return false;
}

}  // namespace

bool ParseHeaderLines(std::string_view text, Headers* headers,
                      std::string* error) {
  Headers parsed;
  int number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view()
                                         : text.substr(end + 1);
    ++number;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(':');
    const std::string_view name =
        colon == std::string_view::npos ? line : line.substr(0, colon);
    const std::string_view value = colon == std::string_view::npos
                                       ? std::string_view()
                                       : Trim(line.substr(colon + 1));
    if (colon == std::string_view::npos || !IsToken(name) ||
        HasControlChar(value)) {
      *error =
          "line " + std::to_string(number) + " is not a \"Name: value\" header";
      return false;
    }
    parsed.emplace_back(std::string(name), std::string(value));
  }
  *headers = std::move(parsed);
  return true;
}

bool ReadHeadersFile(const std::string& path, Headers* headers,
                     std::string* error) {
  const FileRead read = ReadRegularFile(path, kMaxHeadersFileBytes);
  if (read.status == FileRead::Status::kMissing) {
    *error = "cannot read " + path + ": no such file";
    return false;
  }
  if (read.status != FileRead::Status::kOk) {
    *error = read.error;
    return false;
  }
  if (!ParseHeaderLines(read.content, headers, error)) {
    *error = path + ": " + *error;
    return false;
  }
  return true;
}

}  // namespace callcenter::cccp::detail
