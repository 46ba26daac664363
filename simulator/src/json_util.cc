#include "ozonetel_sim/json_util.h"

namespace callcenter::sim {

void WriteKey(JsonWriter* writer, std::string_view key) {
  writer->Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

void WriteString(JsonWriter* writer, std::string_view value) {
  writer->String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void WriteMember(JsonWriter* writer, std::string_view key,
                 std::string_view value) {
  WriteKey(writer, key);
  WriteString(writer, value);
}

void WriteMember(JsonWriter* writer, std::string_view key, int64_t value) {
  WriteKey(writer, key);
  writer->Int64(value);
}

std::string StatusMessageBody(std::string_view status, std::string_view message,
                              bool data_null) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  WriteMember(&writer, "status", status);
  WriteMember(&writer, "message", message);
  if (data_null) {
    WriteKey(&writer, "data");
    writer.Null();
  }
  writer.EndObject();
  return buffer.GetString();
}

std::string MessageStatusBody(std::string_view message,
                              std::string_view status) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  WriteMember(&writer, "message", message);
  WriteMember(&writer, "status", status);
  writer.EndObject();
  return buffer.GetString();
}

std::optional<std::string> MemberText(const rapidjson::Value& object,
                                      const char* key) {
  if (!object.IsObject()) return std::nullopt;
  auto it = object.FindMember(key);
  if (it == object.MemberEnd()) return std::nullopt;
  const rapidjson::Value& value = it->value;
  if (value.IsString()) {
    return std::string(value.GetString(), value.GetStringLength());
  }
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  if (value.IsUint64()) return std::to_string(value.GetUint64());
  return std::nullopt;
}

}  // namespace callcenter::sim
