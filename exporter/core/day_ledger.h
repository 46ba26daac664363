// "Counted once per reporting day": for each open day, the ids already
// counted and how far each got (a call is counted at hang-up and settled
// after wrap-up). Ids are kept as 64-bit numbers: a decimal id of up to 18
// digits is its own value (every vendor CallID is 17 digits); anything else
// is hashed into the upper half of the range, so numeric and hashed ids
// never collide. An id costs 12 to 24 bytes in memory (a hash node of the
// standard library cost about 40): 200,000 calls a day take about 5 MB.
#ifndef CALLCENTER_CORE_DAY_LEDGER_H_
#define CALLCENTER_CORE_DAY_LEDGER_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/timeutil.h"

namespace callcenter::core {

uint64_t CompactId(std::string_view id);

namespace detail {

// Open addressing with linear probing over two flat arrays (ids, stages);
// stage 0 marks a free slot. Never shrinks: a day's ids only grow until
// the day is closed and the whole table dropped.
class IdStages {
 public:
  uint8_t Get(uint64_t id) const;
  // `stage` is 1..255.
  void Set(uint64_t id, uint8_t stage);
  size_t size() const { return size_; }
  void Reserve(size_t ids);
  // Calls `visit(id, stage)` for every id, in no particular order.
  template <typename Visit>
  void ForEach(Visit visit) const {
    for (size_t slot = 0; slot < stages_.size(); ++slot) {
      if (stages_[slot] != 0) visit(ids_[slot], stages_[slot]);
    }
  }

 private:
  size_t SlotOf(uint64_t id) const;
  void Grow(size_t capacity);

  std::vector<uint64_t> ids_;
  std::vector<uint8_t> stages_;
  size_t size_ = 0;
};

}  // namespace detail

class DayLedger {
 public:
  // 0 is "not seen"; modules give meaning to 1..255.
  uint8_t Stage(Date day, uint64_t id) const;
  // Marking stage 0 does nothing (it does not open the day either): an id
  // once seen stays seen.
  void Mark(Date day, uint64_t id, uint8_t stage);
  // Opens a day with no ids (no effect when open).
  void Open(Date day);
  bool IsOpen(Date day) const;
  void Close(Date day);
  std::vector<Date> Days() const;
  size_t Size(Date day) const;
  size_t TotalSize() const;

  // [{"date":"2026-03-02","ids":[[id, stage], ...]}, ...], ids sorted.
  void Save(rapidjson::Writer<rapidjson::StringBuffer>* w) const;
  // Replaces the content; false (nothing changed) on any malformed entry.
  bool Load(const rapidjson::Value& value, std::string* error);

 private:
  std::map<Date, detail::IdStages> days_;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_DAY_LEDGER_H_
