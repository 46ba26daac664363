// fetchCDRDetails bodies shaped as ozonetel_sim writes them
// (simulator/src/call_view.cc): the §4.6 envelope and records with the
// same 47 members in the same order, about 1 KB each, so that parse
// throughput is measured on what the exporter really reads. Records are
// generated on demand: a 200k-record body is streamed without being held.
#ifndef CALLCENTER_BENCH_CDR_BODY_H_
#define CALLCENTER_BENCH_CDR_BODY_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace callcenter::bench {

struct CdrBodySpec {
  size_t records = 1000;
  int agents = 5000;
  std::string date = "2026-03-02";  // CallDate; every call ends by 23:20
};

// Hands out the body in pieces of about `chunk_bytes`, as libcurl does.
class CdrBodyStream {
 public:
  CdrBodyStream(CdrBodySpec spec, size_t chunk_bytes);
  // The next piece; empty once the whole body was handed out. The view is
  // valid until the next call.
  std::string_view Next();
  size_t bytes_out() const { return bytes_out_; }

 private:
  void AppendRecord(size_t index);

  const CdrBodySpec spec_;
  const size_t chunk_bytes_;
  size_t next_record_ = 0;
  bool head_done_ = false;
  bool tail_done_ = false;
  std::string pending_;
  std::string chunk_;
  size_t bytes_out_ = 0;
};

// The whole body in one string.
std::string CdrBody(const CdrBodySpec& spec);

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_CDR_BODY_H_
