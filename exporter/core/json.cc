#include "core/json.h"

#include <rapidjson/error/en.h>

#include <charconv>

namespace callcenter::core {
namespace detail {

std::string TooLarge(const JsonLimits& limits) {
  return "document larger than " + std::to_string(limits.max_bytes) + " bytes";
}

std::string TooDeep(const JsonLimits& limits) {
  return "nested deeper than " + std::to_string(limits.max_depth);
}

std::string Invalid(const rapidjson::ParseResult& result) {
  return std::string("invalid JSON: ") +
         rapidjson::GetParseError_En(result.Code()) + " at offset " +
         std::to_string(result.Offset());
}

}  // namespace detail

std::string ParseJson(std::string_view text, rapidjson::Document* doc,
                      JsonLimits limits) {
  std::string error;
  doc->SetNull();
  auto generate = [&](rapidjson::Document& handler) {
    error = ParseJsonEvents(text, handler, limits);
    return error.empty();
  };
  doc->Populate(generate);  // on failure the document stays null
  return error;
}

const rapidjson::Value* FindMember(const rapidjson::Value& object,
                                   std::string_view name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(rapidjson::Value(rapidjson::StringRef(
      name.data(), static_cast<rapidjson::SizeType>(name.size()))));
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
