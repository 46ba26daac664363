// Bounded JSON parsing for everything that is not the streamed CDR body:
// upstream answers, state files, snapshots. The parse is iterative (no
// recursion on hostile nesting), refuses documents nested deeper than
// `max_depth` or larger than `max_bytes`, and reads numbers as strings so a
// 17-digit id never passes through a double.
#ifndef CALLCENTER_CORE_JSON_H_
#define CALLCENTER_CORE_JSON_H_

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace callcenter::core {

struct JsonLimits {
  size_t max_bytes = size_t{32} << 20;
  int max_depth = 64;
  // Off where a document's types matter (a number sent as a string is an
  // error) and no id exceeds 2^53.
  bool numbers_as_strings = true;
};

// Parses `text` into `doc`. Returns an empty string on success, else a
// one-line reason ("nested deeper than 64", "invalid JSON: ... at offset 12").
std::string ParseJson(std::string_view text, rapidjson::Document* doc,
                      JsonLimits limits = {});

// Member lookup that tolerates a non-object.
const rapidjson::Value* FindMember(const rapidjson::Value& object,
                                   std::string_view name);
// A string member's text (numbers read as strings count); nullopt when
// absent, null or of another type.
std::optional<std::string_view> StringMember(const rapidjson::Value& object,
                                             std::string_view name);
// A whole-number member (numbers are strings after ParseJson), range checked.
std::optional<int64_t> IntMember(const rapidjson::Value& object,
                                 std::string_view name);
std::optional<int64_t> ParseInt64(std::string_view text);
std::optional<uint64_t> ParseUint64(std::string_view text);

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_JSON_H_
