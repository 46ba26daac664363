// Bounded JSON parsing for everything that is not the streamed CDR body:
// upstream answers, state files, snapshots. The parse is iterative (no
// recursion on hostile nesting), refuses documents nested deeper than
// `max_depth` or larger than `max_bytes`, and reads numbers as strings so a
// 17-digit id never passes through a double.
#ifndef CALLCENTER_CORE_JSON_H_
#define CALLCENTER_CORE_JSON_H_

#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
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

namespace detail {

// Forwards SAX events to `Handler` and stops the parse past `max_depth`.
template <typename Handler>
class DepthLimiter {
 public:
  using Ch = char;
  DepthLimiter(Handler& handler, int max_depth)
      : handler_(handler), max_depth_(max_depth) {}

  bool Null() { return handler_.Null(); }
  bool Bool(bool b) { return handler_.Bool(b); }
  bool Int(int i) { return handler_.Int(i); }
  bool Uint(unsigned u) { return handler_.Uint(u); }
  bool Int64(int64_t i) { return handler_.Int64(i); }
  bool Uint64(uint64_t u) { return handler_.Uint64(u); }
  bool Double(double d) { return handler_.Double(d); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) {
    return handler_.RawNumber(s, n, copy);
  }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) {
    return handler_.String(s, n, copy);
  }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) {
    return handler_.Key(s, n, copy);
  }
  bool StartObject() { return Enter() && handler_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return handler_.EndObject(n);
  }
  bool StartArray() { return Enter() && handler_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return handler_.EndArray(n);
  }
  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    if (++depth_ > max_depth_) too_deep_ = true;
    return !too_deep_;
  }
  Handler& handler_;
  const int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
};

std::string TooLarge(const JsonLimits& limits);
std::string TooDeep(const JsonLimits& limits);
std::string Invalid(const rapidjson::ParseResult& result);

}  // namespace detail

// Feeds `text` to a RapidJSON SAX `handler` under `limits`, without
// building a document: for large answers read once into their own types.
// Returns "" on success, else the same one-line reasons as ParseJson. A
// handler that returns false stops the parse ("invalid JSON: Terminate
// parsing due to Handler error").
template <typename Handler>
std::string ParseJsonEvents(std::string_view text, Handler& handler,
                            JsonLimits limits = {}) {
  if (text.size() > limits.max_bytes) return detail::TooLarge(limits);
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  detail::DepthLimiter<Handler> limiter(handler, limits.max_depth);
  constexpr unsigned kIterative = rapidjson::kParseIterativeFlag;
  const rapidjson::ParseResult result =
      limits.numbers_as_strings
          ? reader.Parse<kIterative | rapidjson::kParseNumbersAsStringsFlag>(
                stream, limiter)
          : reader.Parse<kIterative>(stream, limiter);
  if (limiter.too_deep()) return detail::TooDeep(limits);
  if (result.IsError()) return detail::Invalid(result);
  return {};
}

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
