// Figure 5: the streaming CDR parse (ozonetel/detail/cdr_parser) on bodies
// shaped as the simulator writes them, fed in 16 KiB pieces as libcurl
// delivers them, beside the peer: RapidJSON's DOM parsing the whole body
// at once, then the same eighteen record fields read from the DOM into the same
// CdrRecord with the same helpers. Throughput is bytes of body per second.
// Held bytes: the streaming parser's own peak_buffered_bytes; for the DOM,
// the body it needs in one piece plus the DOM's allocator.
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <string>

#include "callcenter/common/strings.h"
#include "callcenter/common/timeutil.h"
#include "cdr_body.h"
#include "core/day_ledger.h"
#include "ozonetel/detail/cdr_parser.h"
#include "ozonetel/records.h"

namespace callcenter::bench {
namespace {

constexpr size_t kPieceBytes = 16 * 1024;

void BM_StreamingCdrParse(benchmark::State& state) {
  const size_t records = static_cast<size_t>(state.range(0));
  const std::string body = CdrBody({records, 5000, "2026-03-02"});
  const std::string_view view(body);
  size_t peak = 0;
  size_t parsed = 0;
  bool ok = true;
  for (auto _ : state) {
    parsed = 0;
    ozonetel::detail::CdrParser parser([&parsed](ozonetel::CdrRecord&& record) {
      benchmark::DoNotOptimize(record);
      ++parsed;
      return true;
    });
    for (size_t at = 0; at < view.size(); at += kPieceBytes) {
      parser.Feed(view.substr(at, kPieceBytes));
    }
    ok = ok && parser.Finish().parse_error.empty();
    peak = std::max(peak, parser.peak_buffered_bytes());
  }
  if (!ok || parsed != records) state.SkipWithError("the body did not parse");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(records));
  state.counters["body_bytes"] = static_cast<double>(body.size());
  state.counters["peak_buffered_bytes"] = static_cast<double>(peak);
}
BENCHMARK(BM_StreamingCdrParse)
    ->ArgName("records")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

std::string_view StringMember(const rapidjson::Value& record, const char* key) {
  const auto it = record.FindMember(key);
  if (it == record.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

int64_t Seconds(const rapidjson::Value& record, const char* key, int* invalid) {
  const std::optional<int64_t> seconds =
      ParseDuration(StringMember(record, key));
  if (!seconds) ++*invalid;
  return seconds.value_or(0);
}

// The fields the streaming parser materialises, read from the DOM.
ozonetel::CdrRecord FromDom(const rapidjson::Value& value) {
  ozonetel::CdrRecord record;
  int* invalid = &record.invalid_fields;
  const auto id = value.FindMember("CallID");
  if (id != value.MemberEnd() && id->value.IsUint64()) {
    record.call_id = id->value.GetUint64();
  } else if (id != value.MemberEnd() && id->value.IsString()) {
    record.call_id = core::CompactId(id->value.GetString());
  }
  record.call_date = ParseDate(StringMember(value, "CallDate"));
  record.start_time = ParseTimeOfDay(StringMember(value, "StartTime"));
  record.end_time = ParseTimeOfDay(StringMember(value, "EndTime"));
  record.has_wrapup_end =
      ParseTimeOfDay(StringMember(value, "WrapUpEndTime")).has_value();
  record.agent_id = StringMember(value, "AgentID");
  record.agent_name = StringMember(value, "AgentName");
  record.campaign = StringMember(value, "CampaignName");
  record.disposition = StringMember(value, "Disposition");
  record.inbound = EqualsIgnoreCase(StringMember(value, "Type"), "inbound");
  record.answered = EqualsIgnoreCase(StringMember(value, "Status"), "answered");
  record.duration = Seconds(value, "Duration", invalid);
  record.talk = Seconds(value, "TalkTime", invalid);
  record.hold = Seconds(value, "HoldDuration", invalid);
  record.wrapup = Seconds(value, "WrapupDuration", invalid);
  record.handling = Seconds(value, "HandlingTime", invalid);
  record.queue_time = Seconds(value, "QueueTime", invalid);
  record.time_to_answer = Seconds(value, "TimeToAnswer", invalid);
  return record;
}

// The peer: the body in one piece (as a DOM parser needs it), parsed by
// RapidJSON's DOM, then every record read from the DOM.
void BM_RapidJsonDomCdrParse(benchmark::State& state) {
  const size_t records = static_cast<size_t>(state.range(0));
  const std::string body = CdrBody({records, 5000, "2026-03-02"});
  size_t parsed = 0;
  size_t dom_bytes = 0;
  bool ok = true;
  for (auto _ : state) {
    parsed = 0;
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    const auto details = document.IsObject() ? document.FindMember("details")
                                             : document.MemberEnd();
    if (document.HasParseError() || details == document.MemberEnd() ||
        !details->value.IsArray()) {
      ok = false;
      break;
    }
    for (const rapidjson::Value& value : details->value.GetArray()) {
      ozonetel::CdrRecord record = FromDom(value);
      benchmark::DoNotOptimize(record);
      ++parsed;
    }
    dom_bytes = std::max(dom_bytes, document.GetAllocator().Size());
  }
  if (!ok || parsed != records) state.SkipWithError("the body did not parse");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(records));
  state.counters["body_bytes"] = static_cast<double>(body.size());
  state.counters["held_bytes"] = static_cast<double>(body.size() + dom_bytes);
}
BENCHMARK(BM_RapidJsonDomCdrParse)
    ->ArgName("records")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace callcenter::bench
