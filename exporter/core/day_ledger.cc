#include "core/day_ledger.h"

#include <algorithm>
#include <bit>

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

namespace detail {
namespace {

constexpr size_t kMinCapacity = 64;

// Vendor ids are near-sequential: Fibonacci hashing spreads them over the
// table's high bits. `capacity` is a power of two.
size_t HashSlot(uint64_t id, size_t capacity) {
  return static_cast<size_t>((id * 0x9E3779B97F4A7C15ULL) >>
                             (64 - std::countr_zero(capacity)));
}

}  // namespace

// The slot holding `id`, or the free slot where it would go. The table is
// never more than three quarters full, so the probe ends.
size_t IdStages::SlotOf(uint64_t id) const {
  const size_t mask = stages_.size() - 1;
  size_t slot = HashSlot(id, stages_.size());
  while (stages_[slot] != 0 && ids_[slot] != id) slot = (slot + 1) & mask;
  return slot;
}

uint8_t IdStages::Get(uint64_t id) const {
  if (stages_.empty()) return 0;
  return stages_[SlotOf(id)];
}

void IdStages::Set(uint64_t id, uint8_t stage) {
  if (stage == 0) return;
  if (!stages_.empty()) {
    // Raising a known id's stage (every settled call) never grows.
    const size_t slot = SlotOf(id);
    if (stages_[slot] != 0) {
      stages_[slot] = stage;
      return;
    }
  }
  if ((size_ + 1) * 4 > stages_.size() * 3) {
    Grow(std::max(kMinCapacity, stages_.size() * 2));
  }
  const size_t slot = SlotOf(id);
  ids_[slot] = id;
  stages_[slot] = stage;
  ++size_;
}

void IdStages::Reserve(size_t ids) {
  size_t capacity = kMinCapacity;
  while (ids * 4 > capacity * 3) capacity *= 2;
  if (capacity > stages_.size()) Grow(capacity);
}

void IdStages::Grow(size_t capacity) {
  std::vector<uint64_t> old_ids(capacity, 0);
  std::vector<uint8_t> old_stages(capacity, 0);
  old_ids.swap(ids_);
  old_stages.swap(stages_);
  size_ = 0;
  for (size_t slot = 0; slot < old_stages.size(); ++slot) {
    if (old_stages[slot] != 0) Set(old_ids[slot], old_stages[slot]);
  }
}

}  // namespace detail

uint8_t DayLedger::Stage(Date day, uint64_t id) const {
  auto it = days_.find(day);
  return it == days_.end() ? 0 : it->second.Get(id);
}

void DayLedger::Mark(Date day, uint64_t id, uint8_t stage) {
  if (stage != 0) days_[day].Set(id, stage);
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
    std::vector<std::pair<uint64_t, uint8_t>> sorted;
    sorted.reserve(ids.size());
    ids.ForEach(
        [&](uint64_t id, uint8_t stage) { sorted.emplace_back(id, stage); });
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
  std::map<Date, detail::IdStages> days;
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
    // A hint only: the entries are not checked yet, and a state file of
    // "[0,0,0,..." must not reserve a slot per element before failing.
    constexpr size_t kMaxReserve = size_t{1} << 20;
    ids.Reserve(std::min<size_t>(entry["ids"].Size(), kMaxReserve));
    for (const auto& pair : entry["ids"].GetArray()) {
      if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsUint64() ||
          !pair[1].IsUint() || pair[1].GetUint() == 0 ||
          pair[1].GetUint() > 255) {
        *error = "malformed ledger id";
        return false;
      }
      ids.Set(pair[0].GetUint64(), static_cast<uint8_t>(pair[1].GetUint()));
    }
  }
  days_ = std::move(days);
  return true;
}

}  // namespace callcenter::core
