#include "core/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>

namespace callcenter::core {
namespace {


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

}  // namespace

std::string ParseJson(std::string_view text, rapidjson::Document* doc,
                      JsonLimits limits) {
  if (text.size() > limits.max_bytes) {
    return "document larger than " + std::to_string(limits.max_bytes) +
           " bytes";
  }
  rapidjson::ParseResult result;
  bool too_deep = false;
  auto generate = [&](rapidjson::Document& handler) {
    rapidjson::MemoryStream stream(text.data(), text.size());
    rapidjson::Reader reader;
    DepthLimiter<rapidjson::Document> limiter(handler, limits.max_depth);
    constexpr unsigned kIterative = rapidjson::kParseIterativeFlag;
    result = limits.numbers_as_strings
                 ? reader.Parse<kIterative |
                                rapidjson::kParseNumbersAsStringsFlag>(stream,
                                                                       limiter)
                 : reader.Parse<kIterative>(stream, limiter);
    too_deep = limiter.too_deep();
    return !result.IsError();
  };
  doc->SetNull();
  doc->Populate(generate);
  if (too_deep) {
    doc->SetNull();
    return "nested deeper than " + std::to_string(limits.max_depth);
  }
  if (result.IsError()) {
    doc->SetNull();
    return std::string("invalid JSON: ") +
           rapidjson::GetParseError_En(result.Code()) + " at offset " +
           std::to_string(result.Offset());
  }
  return {};
}

const rapidjson::Value* FindMember(const rapidjson::Value& object,
                                   std::string_view name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(rapidjson::Value(
      rapidjson::StringRef(name.data(),
                           static_cast<rapidjson::SizeType>(name.size()))));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> StringMember(const rapidjson::Value& object,
                                             std::string_view name) {
  const rapidjson::Value* value = FindMember(object, name);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return std::string_view(value->GetString(), value->GetStringLength());
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParseUint64(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<int64_t> IntMember(const rapidjson::Value& object,
                                 std::string_view name) {
  auto text = StringMember(object, name);
  if (!text) return std::nullopt;
  return ParseInt64(*text);
}

}  // namespace callcenter::core
