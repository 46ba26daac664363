#include "ozonetel_sim/faults.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <vector>

#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/rng.h"

namespace callcenter::sim {
namespace {

// Reads a rate in [0, 1]; returns false (and sets *error) when malformed.
bool ReadRate(const rapidjson::Value& json, const char* key, double* out,
              std::string* error) {
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return true;
  if (!it->value.IsNumber() || it->value.GetDouble() < 0 ||
      it->value.GetDouble() > 1) {
    *error = std::string(key) + " must be a number from 0 to 1";
    return false;
  }
  *out = it->value.GetDouble();
  return true;
}

bool ReadBool(const rapidjson::Value& json, const char* key, bool* out,
              std::string* error) {
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return true;
  if (!it->value.IsBool()) {
    *error = std::string(key) + " must be true or false";
    return false;
  }
  *out = it->value.GetBool();
  return true;
}

bool ReadMillis(const rapidjson::Value& json, const char* key, int* out,
                std::string* error) {
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return true;
  if (!it->value.IsInt() || it->value.GetInt() < 0 ||
      it->value.GetInt() > 600000) {
    *error = std::string(key) + " must be an integer from 0 to 600000";
    return false;
  }
  *out = it->value.GetInt();
  return true;
}

bool ReadByteRate(const rapidjson::Value& json, const char* key, int* out,
                  std::string* error) {
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return true;
  if (!it->value.IsInt() || it->value.GetInt() < 0) {
    *error = std::string(key) + " must be a non-negative integer";
    return false;
  }
  *out = it->value.GetInt();
  return true;
}

bool ReadSeconds(const rapidjson::Value& json, const char* key, int* out,
                 std::string* error) {
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return true;
  if (!it->value.IsInt() || it->value.GetInt() < 0 ||
      it->value.GetInt() > 31 * 86400) {
    *error = std::string(key) + " must be an integer from 0 to 2678400";
    return false;
  }
  *out = it->value.GetInt();
  return true;
}

bool ReadStyle(const rapidjson::Value& json, int* out, std::string* error) {
  auto it = json.FindMember("rate_limit_style");
  if (it == json.MemberEnd()) return true;
  const rapidjson::Value& v = it->value;
  int style = 0;
  if (v.IsInt()) style = v.GetInt();
  if (v.IsString()) style = std::atoi(v.GetString());
  if (style != 429 && style != 200) {
    *error = "rate_limit_style must be 429 or 200";
    return false;
  }
  *out = style;
  return true;
}

bool ReadEnvelope(const rapidjson::Value& json, Envelope* out,
                  std::string* error) {
  auto it = json.FindMember("envelope");
  if (it == json.MemberEnd()) return true;
  const std::string name = it->value.IsString() ? it->value.GetString() : "";
  for (Envelope e : {Envelope::kMessageArray, Envelope::kMessageObject,
                     Envelope::kDataArray}) {
    if (name == EnvelopeName(e)) {
      *out = e;
      return true;
    }
  }
  *error = "envelope must be message_array, message_object or data_array";
  return false;
}

}  // namespace

const char* EnvelopeName(Envelope envelope) {
  switch (envelope) {
    case Envelope::kMessageArray:
      return "message_array";
    case Envelope::kMessageObject:
      return "message_object";
    case Envelope::kDataArray:
      return "data_array";
  }
  return "";
}

Faults::Faults(uint64_t seed, FaultConfig defaults)
    : seed_(seed), defaults_(defaults), config_(defaults) {}

FaultConfig Faults::Get() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return config_;
}

std::string Faults::Update(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError() || !doc.IsObject())
    return "body must be a JSON object";
  std::lock_guard<std::mutex> lock(mutex_);
  // Validate into a copy so a bad member changes nothing.
  FaultConfig next = config_;
  bool reset = false;
  std::string error;
  if (!ReadBool(doc, "reset", &reset, &error)) return error;
  if (reset) next = defaults_;
  if (!ReadRate(doc, "error_rate", &next.error_rate, &error) ||
      !ReadRate(doc, "malformed_rate", &next.malformed_rate, &error) ||
      !ReadRate(doc, "truncated_rate", &next.truncated_rate, &error) ||
      !ReadRate(doc, "graphql_error_rate", &next.graphql_error_rate, &error) ||
      !ReadMillis(doc, "latency_ms", &next.latency_ms, &error) ||
      !ReadByteRate(doc, "body_bytes_per_second", &next.body_bytes_per_second,
                    &error) ||
      !ReadStyle(doc, &next.rate_limit_style, &error) ||
      !ReadBool(doc, "retry_after", &next.retry_after, &error) ||
      !ReadEnvelope(doc, &next.envelope, &error) ||
      !ReadBool(doc, "ids_as_strings", &next.ids_as_strings, &error) ||
      !ReadSeconds(doc, "cccp_stale_seconds", &next.cccp_stale_seconds,
                   &error) ||
      !ReadRate(doc, "cccp_invalid_json_rate", &next.cccp_invalid_json_rate,
                &error) ||
      !ReadRate(doc, "cccp_schema_error_rate", &next.cccp_schema_error_rate,
                &error) ||
      !ReadMillis(doc, "cccp_latency_ms", &next.cccp_latency_ms, &error)) {
    return error;
  }
  config_ = next;
  return "";
}

std::string Faults::ToJson() const {
  const FaultConfig c = Get();
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("error_rate");
  w.Double(c.error_rate);
  WriteMember(&w, "latency_ms", c.latency_ms);
  WriteMember(&w, "body_bytes_per_second", c.body_bytes_per_second);
  w.Key("malformed_rate");
  w.Double(c.malformed_rate);
  w.Key("truncated_rate");
  w.Double(c.truncated_rate);
  w.Key("graphql_error_rate");
  w.Double(c.graphql_error_rate);
  WriteMember(&w, "rate_limit_style", c.rate_limit_style);
  w.Key("retry_after");
  w.Bool(c.retry_after);
  WriteMember(&w, "envelope", EnvelopeName(c.envelope));
  w.Key("ids_as_strings");
  w.Bool(c.ids_as_strings);
  WriteMember(&w, "cccp_stale_seconds", c.cccp_stale_seconds);
  w.Key("cccp_invalid_json_rate");
  w.Double(c.cccp_invalid_json_rate);
  w.Key("cccp_schema_error_rate");
  w.Double(c.cccp_schema_error_rate);
  WriteMember(&w, "cccp_latency_ms", c.cccp_latency_ms);
  w.EndObject();
  return buffer.GetString();
}

bool Faults::Roll(FaultKind kind) {
  std::lock_guard<std::mutex> lock(mutex_);
  double rate = 0;
  switch (kind) {
    case FaultKind::kError:
      rate = config_.error_rate;
      break;
    case FaultKind::kMalformed:
      rate = config_.malformed_rate;
      break;
    case FaultKind::kTruncated:
      rate = config_.truncated_rate;
      break;
    case FaultKind::kGraphql:
      rate = config_.graphql_error_rate;
      break;
    case FaultKind::kCccpInvalidJson:
      rate = config_.cccp_invalid_json_rate;
      break;
    case FaultKind::kCccpSchema:
      rate = config_.cccp_schema_error_rate;
      break;
  }
  if (rate <= 0) return false;
  const uint64_t n = ++counter_;
  return UnitInterval(HashOf({seed_, static_cast<uint64_t>(kind), n})) < rate;
}

uint64_t Faults::NextVariant() {
  std::lock_guard<std::mutex> lock(mutex_);
  return variant_++;
}

std::string Malform(const std::string& body) {
  // A stray comma after the opening brace: looks like JSON, parses as none.
  if (!body.empty() && body.front() == '{') return "{,," + body.substr(1);
  return "{,," + body;
}

std::string Truncate(const std::string& body) {
  std::vector<size_t> records;
  for (size_t at = body.find("{\"CallID\""); at != std::string::npos;
       at = body.find("{\"CallID\"", at + 1)) {
    records.push_back(at);
  }
  size_t cut = body.size() / 2;
  if (!records.empty()) {
    // Inside the middle record, past its first few members.
    cut = std::min(body.size() - 1, records[records.size() / 2] + 40);
  }
  return body.substr(0, std::max<size_t>(1, cut));
}

}  // namespace callcenter::sim
