// Every state file under --storage.path, loaded through its owner from a
// scratch directory: core::StateFile::Load (plain and journaled), the CDR
// poller, the CRM poller, the summary metrics (LoadJson), the agent
// directory, the request history (BudgetGate::LoadHistory), the events
// receiver (Restore) and a bare core::DayLedger.
//
// Input (fuzz/README.md): the snapshot text, then optionally journal
// entries, each after a line "@@entry", and raw bytes after a line
// "@@tail". The target frames the entries itself (length, CRC-32) after a
// header naming the snapshot's fingerprint, so the fuzzer reaches the
// owners' entry parsers instead of fighting the CRC; the tail is appended
// unframed (a torn write, or garbage). An input starting "@@stale\n" gets a
// header for another snapshot (a journal from before a compaction).
//
// Invariants:
//   - StateFile::Load returns an object snapshot, and exactly the entries
//     written when the header matches (plus any frame the tail completes),
//     none when it does not;
//   - each owner survives any content; a second owner loading what the
//     first left (restored and compacted, or set aside and restarted)
//     renders the same metrics and holds the same days;
//   - after LoadHistory, no family waits more than one window (plus margin)
//     and none holds more requests than its limit;
//   - DayLedger: Load, Save, Load, Save gives the same text twice;
//   - the agent directory stays within max_agents; everything renders
//     valid exposition text.
//
// With CALLCENTER_FUZZ_STATE_SEEDS=<dir> in the environment, the target
// instead writes seed inputs made by the real owners (polls on fake APIs)
// into <dir> and exits: fuzz/make_corpus.py uses it.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "core/budgets.h"
#include "core/day_ledger.h"
#include "core/json.h"
#include "core/state_store.h"
#include "core/stop_signal.h"
#include "core/text_writer.h"
#include "crm/api.h"
#include "crm/appointment_metrics.h"
#include "crm/crm_poller.h"
#include "directory/agent_directory.h"
#include "fuzz_util.h"
#include "live/floor.h"
#include "ozonetel/cdr_metrics.h"
#include "ozonetel/cdr_poller.h"
#include "ozonetel/client.h"
#include "ozonetel/events/config.h"
#include "ozonetel/events/receiver.h"
#include "ozonetel/record_stats.h"
#include "ozonetel/summary.h"
#include "testing/fake_ozonetel_api.h"

namespace callcenter {
namespace {

using test::FakeOzonetelApi;  // the unit tests' fake vendor
using test::SettledCall;

const Seconds kIst{5 * 3600 + 30 * 60};
constexpr std::string_view kEntryMarker = "\n@@entry\n";
constexpr std::string_view kTailMarker = "\n@@tail\n";
constexpr std::string_view kStalePrefix = "@@stale\n";

TimePoint Now() { return *ParseLocalDateTime("2026-03-02 10:00:00", kIst); }

// ------------------------------------------------------------ fakes

class FakeCrmApi final : public crm::Api {
 public:
  std::vector<crm::Appointment> nodes;
  crm::Outcome FetchPage(const crm::PageRequest&, crm::Page* page) override {
    *page = crm::Page{};
    page->nodes = nodes;
    return crm::Outcome::Ok();
  }
};

// ------------------------------------------------------------ the input

struct Files {
  std::string snapshot;
  std::vector<std::string> entries;
  std::string tail;
  bool stale = false;
  bool has_journal = false;
};

Files Split(std::string_view input) {
  Files files;
  if (input.substr(0, kStalePrefix.size()) == kStalePrefix) {
    files.stale = true;
    input.remove_prefix(kStalePrefix.size());
  }
  if (const size_t tail = input.find(kTailMarker);
      tail != std::string_view::npos) {
    files.tail = std::string(input.substr(tail + kTailMarker.size()));
    input = input.substr(0, tail);
    files.has_journal = true;
  }
  std::vector<std::string_view> parts = fuzz::SplitAt(input, kEntryMarker);
  files.snapshot = std::string(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    files.entries.emplace_back(parts[i]);
    files.has_journal = true;
  }
  return files;
}

void PutLittleEndian32(std::string* out, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    out->push_back(static_cast<char>(value >> (8 * i)));
}

uint32_t Crc32(std::string_view data) {
  // zlib's CRC-32 (the journal's), bit by bit: a few KiB per input.
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

std::string Frame(std::string_view payload) {
  std::string frame;
  PutLittleEndian32(&frame, static_cast<uint32_t>(payload.size()));
  PutLittleEndian32(&frame, Crc32(payload));
  frame.append(payload);
  return frame;
}

std::string Journal(const Files& files) {
  const uint64_t fingerprint =
      core::Fingerprint(files.snapshot) + (files.stale ? 1 : 0);
  std::string journal = Frame("snapshot " + std::to_string(fingerprint));
  for (const std::string& entry : files.entries) journal += Frame(entry);
  return journal + files.tail;
}

void Place(const fuzz::ScratchDir& dir, const std::string& name,
           const Files& files) {
  dir.Write(name, files.snapshot);
  if (files.has_journal) dir.Write(name + ".journal", Journal(files));
}

// ------------------------------------------------------------ the owners

void CheckStateFile(const fuzz::ScratchDir& dir, const Files& files,
                    const core::Logger& logger) {
  core::StorageHealth health;
  for (bool journaled : {false, true}) {
    const std::string name = journaled ? "journaled.json" : "plain.json";
    Place(dir, name, files);
    core::StateFile file(dir.File(name), journaled, health, logger);
    core::StateFile::Loaded loaded = file.Load();
    if (loaded.status != core::StateFile::Status::kLoaded) {
      FUZZ_CHECK(loaded.status == core::StateFile::Status::kCorrupt);
      FUZZ_CHECK(!loaded.reason.empty());
      FUZZ_CHECK(loaded.journal.empty());
      continue;
    }
    FUZZ_CHECK(loaded.snapshot.IsObject());
    if (!journaled || !files.has_journal || files.stale) {
      // A stale header could only match by a fingerprint collision.
      FUZZ_CHECK(loaded.journal.empty());
      continue;
    }
    FUZZ_CHECK(loaded.journal.size() >= files.entries.size());
    for (size_t i = 0; i < files.entries.size(); ++i) {
      FUZZ_CHECK(loaded.journal[i] == files.entries[i]);
    }
    FUZZ_CHECK(file.journal_entries() == loaded.journal.size());
  }
}

struct CdrState {
  std::string metrics;
  std::vector<Date> days;
  std::vector<size_t> seen;
};

CdrState LoadCdr(const fuzz::ScratchDir& dir, const core::Logger& logger,
                 const Clock& clock) {
  core::StorageHealth health;
  core::StateFile file(dir.File("cdr_state.json"), true, health, logger);
  FakeOzonetelApi api;
  ozonetel::CdrMetrics metrics(ozonetel::CdrMetricsOptions{});
  directory::AgentDirectory agents(directory::DirectoryConfig{});
  ozonetel::RecordStats stats;
  ozonetel::CdrPoller poller(
      {api, metrics, agents, stats, &file, clock, logger, [] {}},
      ozonetel::CdrPollerOptions{});
  poller.LoadState(/*ran_before=*/true);
  metrics.Publish();
  CdrState state;
  state.metrics = core::RenderText(metrics);
  FUZZ_CHECK(fuzz::IsValidExposition(state.metrics));
  state.days = poller.OpenDays();
  for (Date day : state.days) state.seen.push_back(poller.SeenCount(day));
  return state;
}

void CheckCdr(const fuzz::ScratchDir& dir, const Files& files,
              const core::Logger& logger, const Clock& clock) {
  Place(dir, "cdr_state.json", files);
  const CdrState first = LoadCdr(dir, logger, clock);
  const CdrState second = LoadCdr(dir, logger, clock);
  FUZZ_CHECK(first.metrics == second.metrics);
  FUZZ_CHECK(first.days == second.days);
  FUZZ_CHECK(first.seen == second.seen);
}

struct CrmState {
  std::string metrics;
  std::vector<Date> days;
  std::optional<TimePoint> covered_until;
};

CrmState LoadCrm(const fuzz::ScratchDir& dir, const core::Logger& logger,
                 const Clock& clock) {
  core::StorageHealth health;
  core::StateFile file(dir.File("crm_state.json"), true, health, logger);
  FakeCrmApi api;
  crm::AppointmentMetrics metrics(crm::AppointmentMetricsOptions{});
  crm::CrmPoller poller({api, metrics, &file, clock, logger, [] {}},
                        crm::CrmPollerOptions{});
  poller.LoadState(/*ran_before=*/true);
  CrmState state;
  state.metrics = core::RenderText(metrics);
  FUZZ_CHECK(fuzz::IsValidExposition(state.metrics));
  state.days = poller.OpenDays();
  state.covered_until = poller.covered_until();
  return state;
}

void CheckCrm(const fuzz::ScratchDir& dir, const Files& files,
              const core::Logger& logger, const Clock& clock) {
  Place(dir, "crm_state.json", files);
  const CrmState first = LoadCrm(dir, logger, clock);
  const CrmState second = LoadCrm(dir, logger, clock);
  FUZZ_CHECK(first.metrics == second.metrics);
  FUZZ_CHECK(first.days == second.days);
  FUZZ_CHECK(first.covered_until == second.covered_until);
}

void CheckSummary(const rapidjson::Document& doc) {
  ozonetel::AgentStateMetrics metrics(/*per_agent=*/true);
  std::string error;
  if (!metrics.LoadJson(doc, &error)) FUZZ_CHECK(!error.empty());
  FUZZ_CHECK(fuzz::IsValidExposition(core::RenderText(metrics)));
}

void CheckDirectory(const fuzz::ScratchDir& dir, const Files& files,
                    const core::Logger& logger) {
  Place(dir, "agents.json", files);
  core::StorageHealth health;
  core::StateFile file(dir.File("agents.json"), false, health, logger);
  directory::DirectoryConfig config;
  config.max_agents = 3;
  directory::AgentDirectory agents(config);
  agents.Bind(&file, [] {});
  agents.Load(logger);
  FUZZ_CHECK(agents.Ids().size() <= 3);
  FUZZ_CHECK(agents.IdsByRecency().size() == agents.Ids().size());
  FUZZ_CHECK(fuzz::IsValidExposition(core::RenderText(agents)));
}

void CheckHistory(const fuzz::ScratchDir& dir, const Files& files,
                  const core::Logger& logger, const Clock& clock) {
  Place(dir, "request_history.json", files);
  core::StorageHealth health;
  core::StateFile file(dir.File("request_history.json"), false, health, logger);
  core::StopSignal stop;
  core::BudgetGate gate(clock, stop, logger, &file);
  struct Family {
    const char* name;
    int limit;
    Seconds window;
  };
  const Seconds margin{1};
  const Family families[] = {{"cdr", 2, Seconds(60)},
                             {"summary", 5, Seconds(60)},
                             {"token", 10, Seconds(3600)},
                             {"crm", 6, Seconds(60)}};
  for (const Family& family : families) {
    gate.AddFamily(family.name, family.limit, family.window, margin);
  }
  gate.LoadHistory(/*expect_history=*/true);
  const TimePoint now = clock.Now();
  for (const Family& family : families) {
    FUZZ_CHECK(gate.NextAllowed(family.name) <= now + family.window + margin);
  }
  for (const auto& usage : gate.Usage()) {
    FUZZ_CHECK(usage.used >= 0 && usage.used <= usage.limit);
  }
}

void CheckReceiver(const std::string& text, const core::Logger& logger,
                   const Clock& clock) {
  live::FloorOptions options;
  options.max_agents = 4;
  live::Floor floor(options);
  ozonetel::events::Receiver receiver(ozonetel::events::DefaultEventsConfig(),
                                      kIst, floor, clock, logger);
  std::string error;
  if (!receiver.Restore(text, &error)) FUZZ_CHECK(!error.empty());
  const auto view = floor.View();
  FUZZ_CHECK(view->agents.size() <= options.max_agents);
  FUZZ_CHECK(view->calls.inbound >= 0 && view->calls.outbound >= 0);
  FUZZ_CHECK(fuzz::IsValidExposition(core::RenderText(floor)));
  FUZZ_CHECK(fuzz::IsValidExposition(core::RenderText(receiver)));
}

std::string SaveLedger(const core::DayLedger& ledger) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  ledger.Save(&w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void CheckLedger(const rapidjson::Document& doc) {
  const rapidjson::Value* value = core::FindMember(doc, "ledger");
  if (value == nullptr) value = &doc;
  core::DayLedger ledger;
  std::string error;
  if (!ledger.Load(*value, &error)) {
    FUZZ_CHECK(!error.empty());
    FUZZ_CHECK(ledger.TotalSize() == 0);  // nothing changed
    return;
  }
  const std::string saved = SaveLedger(ledger);
  rapidjson::Document again;
  core::JsonLimits limits;
  limits.numbers_as_strings = false;
  FUZZ_CHECK(core::ParseJson(saved, &again, limits).empty());
  core::DayLedger reloaded;
  FUZZ_CHECK(reloaded.Load(again, &error));
  FUZZ_CHECK(SaveLedger(reloaded) == saved);
  FUZZ_CHECK(reloaded.TotalSize() == ledger.TotalSize());
}

// ------------------------------------------------------------ seeds

void WriteSeed(const std::string& dir, const std::string& name,
               const std::string& snapshot_path) {
  std::ifstream snapshot(snapshot_path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(snapshot)),
                      std::istreambuf_iterator<char>());
  // The journal's entries (after its header), re-marked for the target.
  std::ifstream journal(snapshot_path + ".journal", std::ios::binary);
  std::string frames((std::istreambuf_iterator<char>(journal)),
                     std::istreambuf_iterator<char>());
  size_t pos = 0;
  bool header = true;
  while (frames.size() - pos >= 8) {
    uint32_t length = 0;
    for (int i = 0; i < 4; ++i) {
      length |=
          static_cast<uint32_t>(static_cast<unsigned char>(frames[pos + i]))
          << (8 * i);
    }
    if (frames.size() - pos - 8 < length) break;
    if (!header) {
      content += std::string(kEntryMarker) + frames.substr(pos + 8, length);
    }
    header = false;
    pos += 8 + length;
  }
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out << content;
}

void WriteSeeds(const std::string& out) {
  fuzz::NullLogger null;
  const core::Logger& logger = null.get();
  fuzz::ScratchDir dir;
  FakeClock clock(Now());
  core::StateStore store(dir.path(), logger);

  // CDR: a first poll (snapshot), a second one (journal entries).
  {
    FakeOzonetelApi api;
    ozonetel::CdrMetrics metrics(ozonetel::CdrMetricsOptions{});
    directory::AgentDirectory agents(directory::DirectoryConfig{});
    ozonetel::RecordStats stats;
    core::StateFile& file = store.File("cdr_state.json", true);
    ozonetel::CdrPoller poller(
        {api, metrics, agents, stats, &file, clock, logger, [] {}},
        ozonetel::CdrPollerOptions{});
    poller.LoadState(false);
    // An outbound call and an unanswered one still in wrap-up; then a third
    // call, and the second settles.
    api.calls = {
        SettledCall("31733467784618213", "2026-03-02 09:10:00"),
        SettledCall("31733467784618214", "2026-03-02 09:20:00", "agent02")};
    api.calls[0].record.inbound = false;
    api.calls[1].record.answered = false;
    api.calls[1].record.has_wrapup_end = false;
    api.calls[1].record.disposition.clear();
    poller.Poll();
    WriteSeed(out, "cdr_snapshot", dir.File("cdr_state.json"));
    clock.Advance(Seconds(120));
    api.calls.push_back(
        SettledCall("31733467784618215", "2026-03-02 09:50:00"));
    api.calls[2].record.inbound = false;
    api.calls[1].record.has_wrapup_end = true;
    poller.Poll();
    WriteSeed(out, "cdr_journal", dir.File("cdr_state.json"));
    // The directory learned the agents.
    agents.Bind(&store.File("agents.json"), [] {});
    agents.Learn("agent03", "Agent Three", ToUnixSeconds(clock.Now()));
    agents.Persist();
    WriteSeed(out, "agents", dir.File("agents.json"));
  }
  // CRM: two polls.
  {
    FakeCrmApi api;
    crm::AppointmentMetrics metrics(crm::AppointmentMetricsOptions{});
    core::StateFile& file = store.File("crm_state.json", true);
    crm::CrmPoller poller({api, metrics, &file, clock, logger, [] {}},
                          crm::CrmPollerOptions{});
    poller.LoadState(false);
    crm::Appointment a;
    a.id = "1001";
    a.agent = "Agent One";
    a.created = Now() - Seconds(600);
    api.nodes = {a};
    poller.Poll();
    WriteSeed(out, "crm_snapshot", dir.File("crm_state.json"));
    clock.Advance(Seconds(120));
    a.id = "1002";
    a.agent = "Agent Two";
    api.nodes.push_back(a);
    poller.Poll();
    WriteSeed(out, "crm_journal", dir.File("crm_state.json"));
  }
  // Summary values.
  {
    ozonetel::AgentStateMetrics::Values values;
    values.day = ParseDate("2026-03-02");
    values.agents["agent01"] = {3600, 1200, 1800, 300, 200, 100};
    values.agents["agent02"] = {60, 0, 60, 0, 0, -1};
    values.regressions = 2;
    std::ofstream(out + "/summary", std::ios::binary)
        << ozonetel::AgentStateMetrics::SaveJson(values);
  }
  // Request history after a few requests.
  {
    core::StopSignal stop;
    core::BudgetGate gate(clock, stop, logger,
                          &store.File("request_history.json"));
    gate.AddFamily("cdr", 2, Seconds(60), Seconds(1));
    gate.AddFamily("token", 10, Seconds(3600), Seconds(1));
    gate.Acquire("cdr");
    gate.Acquire("token");
    gate.OnRateLimited("token", Seconds(30));
    WriteSeed(out, "request_history", dir.File("request_history.json"));
  }
  // The events receiver's state.
  {
    live::Floor floor(live::FloorOptions{});
    ozonetel::events::Receiver receiver(ozonetel::events::DefaultEventsConfig(),
                                        kIst, floor, clock, logger);
    ozonetel::events::AgentEvent agent;
    agent.agent_id = "agent01";
    agent.action = "login";
    agent.time = clock.Now() - Seconds(60);
    receiver.ApplyAgent(agent);
    agent.action = "incall";
    agent.time = clock.Now() - Seconds(30);
    receiver.ApplyAgent(agent);
    ozonetel::events::CallEvent call;
    call.ucid = 31733467784618213ULL;
    call.action = "Calling";
    call.call_type = "InBound";
    call.skill = "General";
    call.time = clock.Now() - Seconds(20);
    receiver.ApplyCall(call);
    if (auto state = receiver.TakeStateIfChanged()) {
      std::ofstream(out + "/events_state", std::ios::binary) << *state;
    }
  }
}

}  // namespace
}  // namespace callcenter

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* out = getenv("CALLCENTER_FUZZ_STATE_SEEDS")) {
    callcenter::WriteSeeds(out);
    exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callcenter;
  if (size > 64 * 1024) return 0;
  const Files files =
      Split(std::string_view(reinterpret_cast<const char*>(data), size));
  const fuzz::NullLogger null;
  const core::Logger& logger = null.get();
  const FakeClock clock(Now());
  const fuzz::ScratchDir dir;

  CheckStateFile(dir, files, logger);
  CheckCdr(dir, files, logger, clock);
  CheckCrm(dir, files, logger, clock);
  CheckDirectory(dir, files, logger);
  CheckHistory(dir, files, logger, clock);
  CheckReceiver(files.snapshot, logger, clock);

  rapidjson::Document doc;
  core::JsonLimits limits;
  limits.numbers_as_strings = false;  // as StateFile reads snapshots
  if (core::ParseJson(files.snapshot, &doc, limits).empty()) {
    CheckSummary(doc);
    CheckLedger(doc);
  }
  return 0;
}
