// Command-line flags: app::ParseFlags on an argv split from the input.
//
// Input: the arguments (after the program name), separated by NUL bytes.
//
// Invariants: nothing throws; a parse without errors holds only values in
// their documented ranges (max requests, backfill days and step, simulated
// clock times and speed, label names unique with exactly one `job`, URLs
// http(s)); there is always a listen address; at most one error per
// argument (plus one for the command), each naming the flag with at most
// 100 bytes of the value (300 bytes an error in all, flag name and text).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/flags.h"
#include "core/metric_source.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callcenter;
  if (size > 4096) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  if (!input.empty()) {
    for (std::string_view arg :
         fuzz::SplitAt(input, std::string_view("\0", 1))) {
      args.emplace_back(arg);
    }
  }
  const app::FlagsResult result = app::ParseFlags(args);
  const app::Flags& flags = result.flags;
  FUZZ_CHECK(result.errors.size() <= args.size() + 1);
  for (const std::string& error : result.errors) {
    FUZZ_CHECK(!error.empty());
    FUZZ_CHECK(error.size() <= 100 + 200);
  }
  FUZZ_CHECK(!flags.listen_addresses.empty());
  if (!result.errors.empty()) return 0;

  FUZZ_CHECK(flags.command.empty() || flags.command == "backfill" ||
             flags.command == "subscribe");
  FUZZ_CHECK(flags.max_requests > 0);
  FUZZ_CHECK(flags.backfill_days >= 1 && flags.backfill_days <= 15);
  FUZZ_CHECK(flags.backfill_step_seconds >= 60 &&
             flags.backfill_step_seconds <= 3600 &&
             86400 % flags.backfill_step_seconds == 0);
  for (const auto& time : {flags.clock_origin, flags.clock_epoch}) {
    if (time) FUZZ_CHECK(*time >= 946684800 && *time <= 4102444800);
  }
  if (flags.clock_speed) {
    FUZZ_CHECK(*flags.clock_speed > 0 && *flags.clock_speed <= 10000);
  }
  std::set<std::string> names;
  int jobs = 0;
  for (const auto& [name, value] : flags.backfill_labels) {
    FUZZ_CHECK(core::IsValidLabelName(name));
    FUZZ_CHECK(names.insert(name).second);
    jobs += name == "job";
  }
  FUZZ_CHECK(jobs == 1);
  for (const std::string* url :
       {&flags.subscribe_agent_url, &flags.subscribe_call_url}) {
    if (!url->empty()) {
      FUZZ_CHECK(url->rfind("http://", 0) == 0 ||
                 url->rfind("https://", 0) == 0);
    }
  }
  if (flags.command == "backfill" && !flags.help && !flags.version) {
    FUZZ_CHECK(!flags.backfill_output.empty());
  }
  // The same arguments parse the same way.
  const app::FlagsResult again = app::ParseFlags(args);
  FUZZ_CHECK(again.errors == result.errors);
  FUZZ_CHECK(again.flags.backfill_labels == flags.backfill_labels);
  return 0;
}
