#include "core/day_ledger.h"

#include <algorithm>

namespace callcenter::core {

uint64_t CompactId(std::string_view id) {
  if (!id.empty() && id.size() <= 18 &&
      id.find_first_not_of("0123456789") == std::string_view::npos) {
    uint64_t value = 0;
    for (char c : id) value = value * 10 + static_cast<uint64_t>(c - '0');
    return value;
  }
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : id) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash | (uint64_t{1} << 63);
}

uint8_t DayLedger::Stage(Date day, uint64_t id) const {
  auto it = days_.find(day);
  if (it == days_.end()) return 0;
  auto entry = it->second.find(id);
  return entry == it->second.end() ? 0 : entry->second;
}

void DayLedger::Mark(Date day, uint64_t id, uint8_t stage) {
  days_[day][id] = stage;
}

void DayLedger::Open(Date day) { days_.try_emplace(day); }

bool DayLedger::IsOpen(Date day) const { return days_.count(day) != 0; }

void DayLedger::Close(Date day) { days_.erase(day); }

std::vector<Date> DayLedger::Days() const {
  std::vector<Date> days;
  for (const auto& [day, ids] : days_) days.push_back(day);
  return days;
}

size_t DayLedger::Size(Date day) const {
  auto it = days_.find(day);
  return it == days_.end() ? 0 : it->second.size();
}

size_t DayLedger::TotalSize() const {
  size_t total = 0;
  for (const auto& [day, ids] : days_) total += ids.size();
  return total;
}

void DayLedger::Save(rapidjson::Writer<rapidjson::StringBuffer>* w) const {
  w->StartArray();
  for (const auto& [day, ids] : days_) {
    w->StartObject();
    w->Key("date");
    w->String(FormatDate(day).c_str());
    w->Key("ids");
    std::vector<std::pair<uint64_t, uint8_t>> sorted(ids.begin(), ids.end());
    std::sort(sorted.begin(), sorted.end());
    w->StartArray();
    for (const auto& [id, stage] : sorted) {
      w->StartArray();
      w->Uint64(id);
      w->Uint(stage);
      w->EndArray();
    }
    w->EndArray();
    w->EndObject();
  }
  w->EndArray();
}

bool DayLedger::Load(const rapidjson::Value& value, std::string* error) {
  if (!value.IsArray()) {
    *error = "day ledgers are not a list";
    return false;
  }
  std::map<Date, std::unordered_map<uint64_t, uint8_t>> days;
  for (const auto& entry : value.GetArray()) {
    if (!entry.IsObject() || !entry.HasMember("date") ||
        !entry["date"].IsString() || !entry.HasMember("ids") ||
        !entry["ids"].IsArray()) {
      *error = "malformed day ledger";
      return false;
    }
    auto day = ParseDate(entry["date"].GetString());
    if (!day || days.count(*day) != 0) {
      *error = "bad or repeated ledger date";
      return false;
    }
    auto& ids = days[*day];
    ids.reserve(entry["ids"].Size());
    for (const auto& pair : entry["ids"].GetArray()) {
      if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsUint64() ||
          !pair[1].IsUint() || pair[1].GetUint() == 0 ||
          pair[1].GetUint() > 255) {
        *error = "malformed ledger id";
        return false;
      }
      ids[pair[0].GetUint64()] = static_cast<uint8_t>(pair[1].GetUint());
    }
  }
  days_ = std::move(days);
  return true;
}

}  // namespace callcenter::core
