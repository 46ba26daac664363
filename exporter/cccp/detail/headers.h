// Extra HTTP request headers (an Authorization header, typically) read
// from a file, so the secret is neither in the config nor in the process
// arguments. Problems name the line, never its content.
#ifndef CALLCENTER_CCCP_DETAIL_HEADERS_H_
#define CALLCENTER_CCCP_DETAIL_HEADERS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callcenter::cccp::detail {

using Headers = std::vector<std::pair<std::string, std::string>>;

// "Name: value" per line; blank lines and lines starting with '#' are
// skipped. False (with `error`) on a line that is not a header.
bool ParseHeaderLines(std::string_view text, Headers* headers,
                      std::string* error);
// Reads and parses `path` (a regular file of at most 16 KiB).
bool ReadHeadersFile(const std::string& path, Headers* headers,
                     std::string* error);

}  // namespace callcenter::cccp::detail

#endif  // CALLCENTER_CCCP_DETAIL_HEADERS_H_
