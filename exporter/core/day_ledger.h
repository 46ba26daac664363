// "Counted once per reporting day": for each open day, the ids already
// counted and how far each got (a call is counted at hang-up and settled
// after wrap-up). Ids are kept as 64-bit numbers: a decimal id of up to 18
// digits is its own value (every vendor CallID is 17 digits); anything else
// is hashed into the upper half of the range, so numeric and hashed ids
// never collide. 200,000 calls a day take a few megabytes.
#ifndef CALLCENTER_CORE_DAY_LEDGER_H_
#define CALLCENTER_CORE_DAY_LEDGER_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "callcenter/common/timeutil.h"

namespace callcenter::core {

uint64_t CompactId(std::string_view id);

class DayLedger {
 public:
  // 0 is "not seen"; modules give meaning to 1..255.
  uint8_t Stage(Date day, uint64_t id) const;
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
  std::map<Date, std::unordered_map<uint64_t, uint8_t>> days_;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_DAY_LEDGER_H_
