// Fault injection for the vendor endpoints and /graphql (never /_sim).
// Decisions come from a seeded counter, so a run is reproducible.
#ifndef OZONETEL_SIM_FAULTS_H_
#define OZONETEL_SIM_FAULTS_H_

#include <cstdint>
#include <mutex>
#include <string>

namespace callcenter::sim {

enum class Envelope { kMessageArray, kMessageObject, kDataArray };

struct FaultConfig {
  double error_rate = 0;  // 5xx
  int latency_ms = 0;
  // Vendor bodies are written at most this fast (0: at once), so a test can
  // act while a large response is still arriving.
  int body_bytes_per_second = 0;
  double malformed_rate = 0;      // invalid JSON
  double truncated_rate = 0;      // body cut mid-record
  double graphql_error_rate = 0;  // 200 with "errors"
  int rate_limit_style = 429;     // or 200
  bool retry_after = false;
  Envelope envelope = Envelope::kMessageArray;
  bool ids_as_strings = false;
  // The CCCP snapshot (HTTP answer and file writes alike).
  int cccp_stale_seconds = 0;  // generated_at that far in the past
  double cccp_invalid_json_rate = 0;
  double cccp_schema_error_rate = 0;  // rotating through CccpSchemaError
  int cccp_latency_ms = 0;
};

enum class FaultKind {
  kError,
  kMalformed,
  kTruncated,
  kGraphql,
  kCccpInvalidJson,
  kCccpSchema
};

class Faults {
 public:
  Faults(uint64_t seed, FaultConfig defaults);

  FaultConfig Get() const;
  // Applies the members present in `json`; {"reset":true} first restores
  // the startup defaults. Returns "" or an error message.
  std::string Update(const std::string& json);
  std::string ToJson() const;
  // Whether this request suffers the fault; each call advances a counter.
  bool Roll(FaultKind kind);
  // 0, 1, 2, ... : which of several variants of a fault comes next.
  uint64_t NextVariant();

 private:
  uint64_t seed_;
  FaultConfig defaults_;
  mutable std::mutex mutex_;
  FaultConfig config_;
  uint64_t counter_ = 0;
  uint64_t variant_ = 0;
};

// A body that no JSON parser accepts.
std::string Malform(const std::string& body);
// The body cut in the middle of a record (or halfway when it has none).
std::string Truncate(const std::string& body);

const char* EnvelopeName(Envelope envelope);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_FAULTS_H_
