#include "cccp/config.h"

#include "callcenter/common/files.h"
#include "callcenter/common/strings.h"
#include "cccp/detail/command.h"
#include "cccp/detail/headers.h"

namespace callcenter::cccp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::optional<SourceSpec> ParseFile(std::string_view path, std::string* error) {
  if (StartsWith(path, "//")) path.remove_prefix(2);  // file:///abs/path
  if (path.empty() || path[0] != '/') {
    *error =
        "a file source needs an absolute path, as in "
        "file:/var/lib/cccp/snapshot.json";
    return std::nullopt;
  }
  SourceSpec spec;
  spec.kind = SourceSpec::Kind::kFile;
  spec.path = std::string(path);
  return spec;
}

std::optional<SourceSpec> ParseCommand(std::string_view line,
                                       std::string* error) {
  auto argv = detail::SplitCommandLine(line, error);
  if (!argv) {
    *error = "cmd: " + *error;
    return std::nullopt;
  }
  // No PATH search: the program run is the one configured.
  if ((*argv)[0].empty() || (*argv)[0][0] != '/') {
    *error = "cmd: the program must be an absolute path";
    return std::nullopt;
  }
  SourceSpec spec;
  spec.kind = SourceSpec::Kind::kCommand;
  spec.argv = std::move(*argv);
  return spec;
}

std::optional<SourceSpec> ParseUrl(std::string_view url, std::string* error) {
  const size_t host = url.find("://") + 3;
  if (host >= url.size() || url.find_first_of(" \t\r\n") != url.npos) {
    *error = "not a valid URL";
    return std::nullopt;
  }
  SourceSpec spec;
  spec.kind = SourceSpec::Kind::kHttp;
  spec.url = std::string(url);
  return spec;
}

void CheckHttpOptions(core::ConfigNode& section, const CccpConfig& config) {
  const bool http = config.source.kind == SourceSpec::Kind::kHttp;
  if (!config.headers_file.empty()) {
    std::string error;
    detail::Headers headers;
    if (!http) {
      section.Error("headers_file", "only applies to an http(s) source");
    } else if (!detail::ReadHeadersFile(config.headers_file, &headers,
                                        &error)) {
      section.Error("headers_file", error);
    }
  }
  if (!config.ca_file.empty()) {
    if (!http || !StartsWith(config.source.url, "https://")) {
      section.Error("ca_file", "only applies to an https source");
    } else if (!FileExists(config.ca_file)) {
      section.Error("ca_file", "no such file: " + config.ca_file);
    }
  }
}

}  // namespace

std::optional<SourceSpec> ParseSourceSpec(std::string_view text,
                                          std::string* error) {
  if (StartsWith(text, "file:")) return ParseFile(text.substr(5), error);
  if (StartsWith(text, "cmd:")) return ParseCommand(text.substr(4), error);
  if (StartsWith(text, "http://") || StartsWith(text, "https://")) {
    return ParseUrl(text, error);
  }
  *error = "must start with file:, http://, https:// or cmd:";
  return std::nullopt;
}

std::string DescribeSource(const SourceSpec& source) {
  switch (source.kind) {
    case SourceSpec::Kind::kFile:
      return "file:" + source.path;
    case SourceSpec::Kind::kCommand:
      return "cmd:" + (source.argv.empty() ? std::string() : source.argv[0]);
    case SourceSpec::Kind::kHttp:
      break;
  }
  std::string_view url = source.url;
  const size_t host = url.find("://") + 3;
  const std::string scheme(url.substr(0, host));
  url.remove_prefix(host);
  url = url.substr(0, url.find_first_of("?#"));
  const size_t path = url.find('/');
  const size_t at = url.substr(0, path).rfind('@');
  if (at != std::string_view::npos) url.remove_prefix(at + 1);
  return scheme + std::string(url);
}

void ParseCccpConfig(core::ConfigNode& section, CccpConfig* config) {
  std::string source;
  section.String("source", &source, /*required=*/true);
  if (!source.empty()) {
    std::string error;
    if (auto spec = ParseSourceSpec(source, &error)) {
      config->source = std::move(*spec);
    } else {
      section.Error("source", error);
    }
  }
  section.Duration("interval", &config->interval, seconds(1), hours(1));
  section.Duration("timeout", &config->timeout, milliseconds(100), minutes(10));
  section.Duration("max_age", &config->max_age, seconds(1), hours(24));
  if (config->max_age <= config->interval) {
    section.Error("max_age",
                  "must be longer than interval, else every snapshot goes "
                  "stale before the next fetch");
  }
  section.String("headers_file", &config->headers_file);
  section.String("ca_file", &config->ca_file);
  CheckHttpOptions(section, *config);
  section.Int("max_queues", &config->max_queues, 1, 100000);
  ParseStateMapping(section, &config->states);
  section.RejectUnknown();
}

}  // namespace callcenter::cccp
