// Small helpers around RapidJSON for the simulator's bodies.
#ifndef OZONETEL_SIM_JSON_UTIL_H_
#define OZONETEL_SIM_JSON_UTIL_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callcenter::sim {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteKey(JsonWriter* writer, std::string_view key);
void WriteString(JsonWriter* writer, std::string_view value);
void WriteMember(JsonWriter* writer, std::string_view key,
                 std::string_view value);
void WriteMember(JsonWriter* writer, std::string_view key, int64_t value);

// {"status":S,"message":M} and, with data_null, ,"data":null.
std::string StatusMessageBody(std::string_view status, std::string_view message,
                              bool data_null = false);
// {"message":M,"status":S}: the key order the CDR validation errors use.
std::string MessageStatusBody(std::string_view message,
                              std::string_view status);

// A member as text: strings as they are, integers in decimal. nullopt when
// the member is missing, null or of another type.
std::optional<std::string> MemberText(const rapidjson::Value& object,
                                      const char* key);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_JSON_UTIL_H_
