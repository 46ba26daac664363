// Internals of the streaming fetchCDRDetails parse, exposed for unit tests.
//
// RapidJSON 1.1.0's SAX Reader pulls from a stream and cannot be pushed to,
// while libcurl pushes chunks from its write callback. The exchange runs the
// transfer on a helper thread that feeds a small bounded ChunkQueue, and the
// Reader pulls from that queue on the calling thread (so on_record runs on
// the caller's thread). When the queue is full the write callback blocks,
// which stalls the socket read: peak memory is a few chunks plus one record,
// whatever the size of the day.
#ifndef CALLCENTER_OZONETEL_DETAIL_CDR_STREAM_H_
#define CALLCENTER_OZONETEL_DETAIL_CDR_STREAM_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "callcenter/ozonetel/detail/response.h"
#include "callcenter/ozonetel/records.h"
#include "callcenter/ozonetel/transport.h"

namespace callcenter::ozonetel::detail {

// A bounded single-producer, single-consumer queue of body chunks.
class ChunkQueue {
 public:
  // Pushed chunks are split into pieces of at most this many bytes so that
  // the bound holds whatever chunk sizes the transport delivers.
  static constexpr size_t kMaxPieceBytes = 16 * 1024;
  static constexpr size_t kDefaultMaxPieces = 4;

  explicit ChunkQueue(size_t max_pieces = kDefaultMaxPieces);

  // Producer: blocks while the queue is full. False once the consumer has
  // closed the queue (the transfer should then be aborted).
  bool Push(std::string_view chunk);
  // Producer: no more chunks will come.
  void Finish();

  // Consumer: replaces *piece with the next piece; false at the end of the
  // body. The previous piece counts as buffered until this call.
  bool Pop(std::string* piece);
  // Consumer: stop accepting; a blocked or later Push returns false.
  void Close();

  // Bytes queued plus the piece the consumer holds, at their peak.
  size_t peak_buffered_bytes() const;
  // Whether a Push was refused because the consumer had closed.
  bool refused_push() const;

 private:
  const size_t max_pieces_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> pieces_;
  size_t queued_bytes_ = 0;
  size_t held_bytes_ = 0;  // the piece the consumer is reading
  size_t peak_bytes_ = 0;
  bool finished_ = false;
  bool closed_ = false;
  bool refused_ = false;
};

struct CdrStreamStats {
  size_t records = 0;
  size_t body_bytes = 0;           // bytes the parser consumed
  size_t peak_buffered_bytes = 0;  // ChunkQueue::peak_buffered_bytes
};

// Parses a fetchCDRDetails body pulled from `queue`, calling on_record for
// each record as soon as its closing brace is read.
BodyResult ParseCdrBody(ChunkQueue& queue,
                        const std::function<void(CdrRecord&&)>& on_record,
                        CdrStreamStats* stats = nullptr);

// Performs `call` on a helper thread and parses its body on this one.
Exchange StreamCdrExchange(Transport& transport, const HttpCall& call,
                           const std::function<void(CdrRecord&&)>& on_record,
                           CdrStreamStats* stats = nullptr);

}  // namespace callcenter::ozonetel::detail

#endif  // CALLCENTER_OZONETEL_DETAIL_CDR_STREAM_H_
