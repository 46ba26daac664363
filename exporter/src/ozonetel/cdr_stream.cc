#include "callcenter/ozonetel/detail/cdr_stream.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "callcenter/common/timeutil.h"

namespace callcenter::ozonetel::detail {

// ---------------------------------------------------------------- ChunkQueue

ChunkQueue::ChunkQueue(size_t max_pieces)
    : max_pieces_(std::max<size_t>(1, max_pieces)) {}

bool ChunkQueue::Push(std::string_view chunk) {
  while (!chunk.empty()) {
    std::string_view piece = chunk.substr(0, kMaxPieceBytes);
    chunk.remove_prefix(piece.size());
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock,
                  [&] { return closed_ || pieces_.size() < max_pieces_; });
    if (closed_) {
      refused_ = true;
      return false;
    }
    pieces_.emplace_back(piece);
    queued_bytes_ += piece.size();
    peak_bytes_ = std::max(peak_bytes_, queued_bytes_ + held_bytes_);
    changed_.notify_all();
  }
  // The consumer may have stopped after taking the last piece.
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) refused_ = true;
  return !closed_;
}

void ChunkQueue::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  finished_ = true;
  changed_.notify_all();
}

bool ChunkQueue::Pop(std::string* piece) {
  std::unique_lock<std::mutex> lock(mutex_);
  held_bytes_ = 0;
  changed_.wait(lock, [&] { return finished_ || !pieces_.empty(); });
  if (pieces_.empty()) {
    piece->clear();
    return false;
  }
  *piece = std::move(pieces_.front());
  pieces_.pop_front();
  queued_bytes_ -= piece->size();
  held_bytes_ = piece->size();
  changed_.notify_all();
  return true;
}

void ChunkQueue::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  pieces_.clear();
  queued_bytes_ = 0;
  changed_.notify_all();
}

size_t ChunkQueue::peak_buffered_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_bytes_;
}

bool ChunkQueue::refused_push() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return refused_;
}

namespace {

// ------------------------------------------------------------- ChunkStream

// A RapidJSON input stream over the queue. Peek() returns '\0' at the end of
// the body, which the Reader reports as a truncated document.
class ChunkStream {
 public:
  typedef char Ch;

  explicit ChunkStream(ChunkQueue& queue) : queue_(queue) {}

  Ch Peek() {
    if (pos_ < piece_.size() || Refill()) return piece_[pos_];
    return '\0';
  }
  Ch Take() {
    Ch c = Peek();
    if (pos_ < piece_.size()) {
      ++pos_;
      ++consumed_;
    }
    return c;
  }
  size_t Tell() const { return consumed_; }

  // Write side, required by the concept; unused without kParseInsituFlag.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

 private:
  bool Refill() {
    pos_ = 0;
    while (queue_.Pop(&piece_)) {
      if (!piece_.empty()) return true;
    }
    return false;
  }

  ChunkQueue& queue_;
  std::string piece_;
  size_t pos_ = 0;
  size_t consumed_ = 0;
};

// -------------------------------------------------------------- CdrHandler

enum class Field {
  kIgnored,
  kCallId,
  kUcid,
  kCallDate,
  kStartTime,
  kEndTime,
  kPickupTime,
  kWrapUpEndTime,
  kAgentId,
  kAgentName,
  kCampaign,
  kType,
  kStatus,
  kDisposition,
  kDuration,
  kTalk,
  kHold,
  kWrapup,
  kHandling,
  kQueueTime,
  kTimeToAnswer,
};

Field FieldFromKey(std::string_view key) {
  // Exact spellings of §4.4 (note HoldDuration, WrapupDuration, WrapUpEndTime).
  static constexpr std::array<std::pair<std::string_view, Field>, 20> kFields{{
      {"CallID", Field::kCallId},
      {"UCID", Field::kUcid},
      {"CallDate", Field::kCallDate},
      {"StartTime", Field::kStartTime},
      {"EndTime", Field::kEndTime},
      {"PickupTime", Field::kPickupTime},
      {"WrapUpEndTime", Field::kWrapUpEndTime},
      {"AgentID", Field::kAgentId},
      {"AgentName", Field::kAgentName},
      {"CampaignName", Field::kCampaign},
      {"Type", Field::kType},
      {"Status", Field::kStatus},
      {"Disposition", Field::kDisposition},
      {"Duration", Field::kDuration},
      {"TalkTime", Field::kTalk},
      {"HoldDuration", Field::kHold},
      {"WrapupDuration", Field::kWrapup},
      {"HandlingTime", Field::kHandling},
      {"QueueTime", Field::kQueueTime},
      {"TimeToAnswer", Field::kTimeToAnswer},
  }};
  for (const auto& [name, field] : kFields) {
    if (name == key) return field;
  }
  return Field::kIgnored;
}

enum class RootKey { kOther, kStatus, kMessage, kRecords };

RootKey RootKeyFrom(std::string_view key) {
  if (key == "status") return RootKey::kStatus;
  if (key == "message") return RootKey::kMessage;
  // §4.3 documents `details`; `data` is accepted the way §6 accepts it.
  if (key == "details" || key == "data") return RootKey::kRecords;
  return RootKey::kOther;
}

// A scalar as the handler sees it: nullopt for JSON null.
struct Scalar {
  std::optional<std::string_view> text;
  bool is_number = false;
};

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

// Durations are "H+:MM:SS"; a bare whole number is taken as seconds.
std::optional<int64_t> ParseSeconds(const Scalar& value) {
  if (!value.text || value.text->empty()) return std::nullopt;
  std::string_view text = *value.text;
  if (value.is_number && AllDigits(text) && text.size() <= 12) {
    int64_t seconds = 0;
    std::from_chars(text.data(), text.data() + text.size(), seconds);
    return seconds;
  }
  return ParseDuration(text);
}

void SetSeconds(const Scalar& value, int64_t* out, int* invalid) {
  std::optional<int64_t> seconds = ParseSeconds(value);
  *out = seconds.value_or(0);
  if (!seconds) ++*invalid;
}

template <typename T, typename Parse>
void SetOptional(const Scalar& value, Parse parse, std::optional<T>* out,
                 int* invalid) {
  *out = std::nullopt;
  if (!value.text || value.text->empty()) return;
  *out = parse(*value.text);
  if (!*out) ++*invalid;
}

void Assign(Field field, const Scalar& value, CdrRecord* record) {
  const std::string text(value.text.value_or(std::string_view()));
  int* invalid = &record->invalid_fields;
  switch (field) {
    case Field::kIgnored:
      return;
    case Field::kCallId:
      record->call_id = text;
      return;
    case Field::kUcid:
      record->ucid = text;
      return;
    case Field::kWrapUpEndTime:
      record->wrapup_end_time = text;
      return;
    case Field::kAgentId:
      record->agent_id = text;
      return;
    case Field::kAgentName:
      record->agent_name = text;
      return;
    case Field::kCampaign:
      record->campaign = text;
      return;
    case Field::kType:
      record->type = text;
      return;
    case Field::kStatus:
      record->status = text;
      return;
    case Field::kDisposition:
      record->disposition = text;
      return;
    case Field::kCallDate:
      SetOptional(value, ParseDate, &record->call_date, invalid);
      return;
    case Field::kStartTime:
      SetOptional(value, ParseTimeOfDay, &record->start_time, invalid);
      return;
    case Field::kEndTime:
      SetOptional(value, ParseTimeOfDay, &record->end_time, invalid);
      return;
    case Field::kPickupTime:
      SetOptional(value, ParseTimeOfDay, &record->pickup_time, invalid);
      return;
    case Field::kDuration:
      SetSeconds(value, &record->duration, invalid);
      return;
    case Field::kTalk:
      SetSeconds(value, &record->talk, invalid);
      return;
    case Field::kHold:
      SetSeconds(value, &record->hold, invalid);
      return;
    case Field::kWrapup:
      SetSeconds(value, &record->wrapup, invalid);
      return;
    case Field::kHandling:
      SetSeconds(value, &record->handling, invalid);
      return;
    case Field::kQueueTime:
      SetSeconds(value, &record->queue_time, invalid);
      return;
    case Field::kTimeToAnswer:
      SetSeconds(value, &record->time_to_answer, invalid);
      return;
  }
}

// SAX handler for {"status":…, "message":…, "details":[{record}, …]} in any
// key order. Depth 1 is the root object, 2 the records array, 3 a record.
// Any other container (nested objects inside a record, an object where the
// records were expected, unknown root members) is skipped whole.
class CdrHandler {
 public:
  using Ch = char;

  explicit CdrHandler(const std::function<void(CdrRecord&&)>& on_record)
      : on_record_(on_record) {}

  bool Null() { return OnScalar({std::nullopt, false}); }
  bool Bool(bool b) { return OnScalar({b ? "true" : "false", false}); }
  // Unused with kParseNumbersAsStringsFlag, but part of the concept.
  bool Int(int) { return OnScalar({"", true}); }
  bool Uint(unsigned) { return OnScalar({"", true}); }
  bool Int64(int64_t) { return OnScalar({"", true}); }
  bool Uint64(uint64_t) { return OnScalar({"", true}); }
  bool Double(double) { return OnScalar({"", true}); }
  bool RawNumber(const Ch* str, rapidjson::SizeType length, bool) {
    return OnScalar({std::string_view(str, length), true});
  }
  bool String(const Ch* str, rapidjson::SizeType length, bool) {
    return OnScalar({std::string_view(str, length), false});
  }
  bool Key(const Ch* str, rapidjson::SizeType length, bool) {
    std::string_view key(str, length);
    if (skip_ > 0) return true;
    if (depth_ == 1) root_key_ = RootKeyFrom(key);
    if (depth_ == 3) field_ = FieldFromKey(key);
    return true;
  }
  bool StartObject() { return OnStart(/*is_object=*/true); }
  bool StartArray() { return OnStart(/*is_object=*/false); }
  bool EndObject(rapidjson::SizeType) { return OnEnd(); }
  bool EndArray(rapidjson::SizeType) { return OnEnd(); }

  BodyResult& result() { return result_; }
  size_t records() const { return records_; }

 private:
  bool OnStart(bool is_object) {
    if (skip_ > 0) {
      ++skip_;
    } else if (depth_ == 0) {
      if (!is_object) return NotAnObject();
      result_.envelope.root_is_object = true;
      depth_ = 1;
    } else if (depth_ == 1 && !is_object && root_key_ == RootKey::kRecords) {
      result_.has_payload = true;
      depth_ = 2;
    } else if (depth_ == 2 && is_object) {
      record_ = CdrRecord();
      field_ = Field::kIgnored;
      depth_ = 3;
    } else {
      skip_ = 1;
    }
    return true;
  }

  bool OnEnd() {
    if (skip_ > 0) {
      --skip_;
    } else if (depth_ == 3) {
      ++records_;
      on_record_(std::move(record_));
      depth_ = 2;
    } else {
      --depth_;
    }
    return true;
  }

  bool OnScalar(const Scalar& value) {
    if (skip_ > 0) return true;
    if (depth_ == 0) return NotAnObject();
    if (depth_ == 1) OnRootScalar(value);
    if (depth_ == 3) Assign(field_, value, &record_);
    return true;  // scalars directly inside the records array are ignored
  }

  void OnRootScalar(const Scalar& value) {
    if (root_key_ == RootKey::kStatus) {
      if (!value.text) {
        result_.envelope.status = Envelope::Status::kAbsent;
      } else {
        result_.envelope.status = StatusFromText(*value.text);
      }
    } else if (root_key_ == RootKey::kMessage && value.text &&
               !value.is_number) {
      result_.envelope.message =
          std::string(value.text->substr(0, kMaxMessageBytes));
    }
  }

  bool NotAnObject() {
    result_.parse_error = "response is not a JSON object";
    return false;  // stops the Reader
  }

  const std::function<void(CdrRecord&&)>& on_record_;
  BodyResult result_;
  int depth_ = 0;
  int skip_ = 0;  // > 0 while inside a skipped container
  RootKey root_key_ = RootKey::kOther;
  Field field_ = Field::kIgnored;
  CdrRecord record_;
  size_t records_ = 0;
};

// Joins the transfer thread on every exit path, including an exception
// thrown by on_record: closing the queue first unblocks the producer.
class ProducerThread {
 public:
  ProducerThread(ChunkQueue& queue, std::function<void()> run)
      : queue_(queue), thread_(std::move(run)) {}
  ~ProducerThread() {
    queue_.Close();
    thread_.join();
  }

 private:
  ChunkQueue& queue_;
  std::thread thread_;
};

HttpStatus PerformInto(Transport& transport, const HttpCall& call,
                       ChunkQueue& queue, std::string* body_head) {
  HttpStatus status;
  try {
    status = transport.Perform(call, [&](std::string_view chunk) {
      if (body_head->size() < kBodyHeadBytes) {
        body_head->append(chunk.substr(0, kBodyHeadBytes - body_head->size()));
      }
      // After the reader gave up (a non-JSON error page), keep reading until
      // the head is full: it may hold the reason, e.g. a rate-limit notice.
      return queue.Push(chunk) || body_head->size() < kBodyHeadBytes;
    });
  } catch (const std::exception& e) {
    status.error = e.what();
  }
  queue.Finish();
  return status;
}

}  // namespace

BodyResult ParseCdrBody(ChunkQueue& queue,
                        const std::function<void(CdrRecord&&)>& on_record,
                        CdrStreamStats* stats) {
  // Numbers as strings keeps 17-digit ids exact; the iterative parser keeps
  // hostile nesting off the call stack.
  constexpr unsigned kFlags =
      rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;
  CdrHandler handler(on_record);
  ChunkStream stream(queue);
  rapidjson::Reader reader;
  rapidjson::ParseResult parsed = reader.Parse<kFlags>(stream, handler);
  BodyResult result = std::move(handler.result());
  if (parsed.IsError() && result.parse_error.empty()) {
    result.parse_error = std::string("invalid JSON: ") +
                         rapidjson::GetParseError_En(parsed.Code()) +
                         " at offset " + std::to_string(parsed.Offset());
  }
  if (stats != nullptr) {
    stats->records = handler.records();
    stats->body_bytes = stream.Tell();
    stats->peak_buffered_bytes = queue.peak_buffered_bytes();
  }
  return result;
}

Exchange StreamCdrExchange(Transport& transport, const HttpCall& call,
                           const std::function<void(CdrRecord&&)>& on_record,
                           CdrStreamStats* stats) {
  Exchange exchange;
  ChunkQueue queue;
  {
    ProducerThread producer(queue, [&] {
      exchange.http = PerformInto(transport, call, queue, &exchange.body_head);
    });
    exchange.body = ParseCdrBody(queue, on_record, stats);
  }  // closes the queue (aborting a transfer the parser gave up on), joins
  exchange.aborted_by_reader = queue.refused_push();
  if (stats != nullptr)
    stats->peak_buffered_bytes = queue.peak_buffered_bytes();
  return exchange;
}

}  // namespace callcenter::ozonetel::detail
