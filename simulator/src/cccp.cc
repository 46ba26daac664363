#include "ozonetel_sim/cccp.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/rng.h"

namespace callcenter::sim {
namespace {

constexpr int kLoggedOutListed = 3;
constexpr std::chrono::milliseconds kPoll(20);

// The platform's raw state and mode names behind each CCCP state.
struct RawNames {
  const char* raw_state;
  const char* mode;
};

RawNames RawNamesOf(CccpState state) {
  switch (state) {
    case CccpState::kPlugged:
      return {"traitement d'appel", "traitement"};
    case CccpState::kRinging:
      return {"traitement d'appel/ringing", "traitement"};
    case CccpState::kBusy:
      return {"traitement d'appel/managing", "traitement"};
    case CccpState::kHold:
      return {"traitement d'appel/held", "traitement"};
    case CccpState::kWrapup:
      return {"traitement d'appel/post_managing", "traitement"};
    case CccpState::kPause:
      return {"pause", "pause"};
    case CccpState::kOutbound:
      return {"appels sortants", "sortant"};
    case CccpState::kSupervisorPlugged:
      return {"supervision/plugged", "supervision plugged"};
    case CccpState::kSupervisorUnplugged:
      return {"supervision/unplug", "supervision unplug"};
    case CccpState::kSupervisorInterface:
      return {"supervision/interface", "supervision interface"};
    default:
      return {"unknown", "disabled"};
  }
}

// "queue01" -> "Queue 01", "Inbound_Main" -> "Inbound Main".
std::string DisplayName(const std::string& name) {
  std::string display = name;
  for (char& c : display) {
    if (c == '_') c = ' ';
  }
  if (display.rfind("queue", 0) == 0) display = "Queue " + display.substr(5);
  return display;
}

// A stable, fake platform session id for one login.
std::string SessionId(const std::string& login, int64_t login_at) {
  uint64_t hash = static_cast<uint64_t>(login_at);
  for (char c : login) hash = Mix64(hash ^ static_cast<uint8_t>(c));
  return std::to_string(100000 + hash % 900000);
}

class DocumentWriter {
 public:
  DocumentWriter(const Account& account, const Floor& floor, Seconds utc_offset,
                 std::optional<CccpSchemaError> error)
      : account_(account),
        floor_(floor),
        offset_(utc_offset),
        error_(error),
        w_(buffer_) {}

  std::string Write(int64_t generated_at) {
    w_.StartObject();
    WriteMember(
        &w_, "schema",
        Is(CccpSchemaError::kWrongSchema) ? "cccp-snapshot/v0" : kCccpSchema);
    WriteMember(&w_, "generated_at", Rfc3339Local(generated_at, offset_));
    w_.Key("source");
    w_.StartObject();
    WriteMember(&w_, "project", account_.user_name);
    WriteMember(&w_, "dispatch", "ozonetel_sim");
    w_.EndObject();
    WriteAgents();
    WriteQueues();
    w_.Key("calls");
    w_.StartObject();
    WriteMember(&w_, "active_inbound", floor_.active_inbound);
    WriteMember(&w_, "active_outbound", floor_.active_outbound);
    WriteMember(&w_, "waiting", floor_.waiting);
    w_.EndObject();
    w_.EndObject();
    return std::string(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  bool Is(CccpSchemaError error) const { return error_ == error; }

  void WriteAgents() {
    w_.Key("agents");
    w_.StartArray();
    int listed = 0;
    int logged_out = 0;
    for (size_t i = 0; i < floor_.agents.size(); ++i) {
      const UserFloor& user = floor_.agents[i];
      const AgentInfo& info = account_.agents[i];
      const std::string profile = AgentProfile(account_, static_cast<int>(i));
      if (user.logged_in) {
        // The duplicate comes right after the first agent.
        const int copies =
            listed == 0 && Is(CccpSchemaError::kDuplicateLogin) ? 2 : 1;
        for (int c = 0; c < copies; ++c) {
          WriteUser(info.id, info.name, "agent", profile, user, listed == 0);
        }
        ++listed;
      } else if (logged_out < kLoggedOutListed) {
        WriteLoggedOut(info.id, info.name, profile);
        ++logged_out;
      }
    }
    for (size_t i = 0; i < floor_.supervisors.size(); ++i) {
      const UserFloor& user = floor_.supervisors[i];
      if (!user.logged_in) continue;
      const SupervisorInfo& info = account_.supervisors[i];
      WriteUser(info.id, info.name, "supervisor", kSupervisorProfile, user,
                false);
    }
    duplicated_login_ = listed > 0;
    w_.EndArray();
  }

  void WriteUser(const std::string& login, const std::string& name,
                 const char* type, const std::string& profile,
                 const UserFloor& user, bool first) {
    const RawNames raw = RawNamesOf(user.state);
    w_.StartObject();
    WriteMember(&w_, "login", login);
    WriteMember(&w_, "name", name);
    WriteMember(&w_, "type", type);
    WriteMember(&w_, "profile", profile);
    w_.Key("logged_in");
    w_.Bool(true);
    WriteMember(&w_, "state", CccpStateName(user.state));
    WriteMember(&w_, "raw_state", raw.raw_state);
    WriteMember(&w_, "state_since", Rfc3339Local(user.since, offset_));
    WriteMember(&w_, "login_at", Rfc3339Local(user.login_at, offset_));
    WriteMember(&w_, "mode", raw.mode);
    WriteMember(&w_, "session_id", SessionId(login, user.login_at));
    w_.Key("phone");
    if (first && Is(CccpSchemaError::kSentinel)) {
      w_.String("None");
    } else {
      w_.Null();
    }
    if (std::string(type) == "agent") {
      w_.Key("today");
      w_.StartObject();
      WriteMember(&w_, "pause_seconds", user.pause_seconds);
      WriteMember(&w_, "outbound_seconds", user.outbound_seconds);
      WriteMember(&w_, "inbound_total",
                  user.inbound_managed + user.inbound_lost);
      WriteMember(&w_, "inbound_managed", user.inbound_managed);
      WriteMember(&w_, "inbound_lost", user.inbound_lost);
      w_.EndObject();
    }
    w_.EndObject();
  }

  void WriteLoggedOut(const std::string& login, const std::string& name,
                      const std::string& profile) {
    w_.StartObject();
    WriteMember(&w_, "login", login);
    WriteMember(&w_, "name", name);
    WriteMember(&w_, "type", "agent");
    WriteMember(&w_, "profile", profile);
    w_.Key("logged_in");
    w_.Bool(false);
    WriteMember(&w_, "state", "logged_out");
    w_.EndObject();
  }

  void WriteQueues() {
    w_.Key("queues");
    w_.StartArray();
    for (size_t q = 0; q < floor_.queues.size(); ++q) {
      const bool first = q == 0;
      // Without agents to duplicate, the first queue is listed twice.
      const int copies =
          first && Is(CccpSchemaError::kDuplicateLogin) && !duplicated_login_
              ? 2
              : 1;
      for (int c = 0; c < copies; ++c) WriteQueue(q, first);
    }
    w_.EndArray();
  }

  void WriteQueue(size_t index, bool first) {
    const QueueFloor& queue = floor_.queues[index];
    const std::string& name = account_.queues[index];
    w_.StartObject();
    if (!(first && Is(CccpSchemaError::kMissingRequired))) {
      WriteMember(&w_, "name", name);
    }
    WriteMember(&w_, "display_name", DisplayName(name));
    if (first && Is(CccpSchemaError::kNumberAsString)) {
      WriteMember(&w_, "waiting_calls", std::to_string(queue.waiting));
    } else {
      WriteMember(&w_, "waiting_calls", queue.waiting);
    }
    WriteMember(&w_, "running_calls", queue.running);
    if (queue.oldest_since) {
      WriteMember(&w_, "oldest_waiting_since",
                  Rfc3339Local(*queue.oldest_since, offset_));
    }
    w_.Key("agents");
    w_.StartObject();
    WriteMember(&w_, "logged", queue.staff.logged);
    WriteMember(&w_, "working", queue.staff.working);
    WriteMember(&w_, "withdrawn", queue.staff.withdrawn);
    WriteMember(&w_, "outbound", queue.staff.outbound);
    WriteMember(&w_, "supervision", queue.staff.supervision);
    WriteMember(&w_, "latent", queue.staff.latent);
    w_.EndObject();
    w_.Key("today");
    w_.StartObject();
    WriteMember(&w_, "managed", queue.managed_today);
    WriteMember(&w_, "failed", queue.failed_today);
    WriteMember(&w_, "waiting_max_seconds", queue.waiting_max_today);
    w_.EndObject();
    w_.EndObject();
  }

  const Account& account_;
  const Floor& floor_;
  Seconds offset_;
  std::optional<CccpSchemaError> error_;
  rapidjson::StringBuffer buffer_;
  JsonWriter w_;
  bool duplicated_login_ = false;
};

}  // namespace

std::string Rfc3339Local(int64_t t, Seconds utc_offset) {
  std::string text = FormatLocalDateTime(TimePoint(Seconds(t)), utc_offset);
  text[10] = 'T';
  return text + FormatUtcOffset(utc_offset);
}

std::string CccpSnapshotJson(const Account& account, const Floor& floor,
                             int64_t generated_at, Seconds utc_offset,
                             std::optional<CccpSchemaError> error) {
  return DocumentWriter(account, floor, utc_offset, error).Write(generated_at);
}

CccpFileWriter::CccpFileWriter(std::string path, Seconds interval,
                               const Clock* clock,
                               std::function<std::string()> produce)
    : path_(std::move(path)),
      interval_(interval),
      clock_(clock),
      produce_(std::move(produce)) {}

CccpFileWriter::~CccpFileWriter() { Stop(); }

void CccpFileWriter::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread(&CccpFileWriter::Run, this);
}

void CccpFileWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t CccpFileWriter::writes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writes_;
}

bool CccpFileWriter::WaitForWrites(int64_t count,
                                   std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return writes_ >= count; });
}

void CccpFileWriter::Run() {
  TimePoint next = clock_->Now();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Poll: a fake or scaled clock moves without telling anyone.
      while (!stop_ && clock_->Now() < next) changed_.wait_for(lock, kPoll);
      if (stop_) return;
    }
    bool written = false;
    try {
      written = WriteOnce();
    } catch (const std::exception& error) {
      std::cerr << "ozonetel_sim: cccp file: " << error.what() << "\n";
    } catch (...) {
      std::cerr << "ozonetel_sim: cccp file: unknown error\n";
    }
    // After a slow write, the next one is an interval from now.
    next = std::max(next + interval_, clock_->Now());
    std::lock_guard<std::mutex> lock(mutex_);
    if (written) ++writes_;
    changed_.notify_all();
  }
}

bool CccpFileWriter::WriteOnce() {
  const std::string body = produce_();
  const size_t slash = path_.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path_.substr(0, slash);
  const std::string base =
      slash == std::string::npos ? path_ : path_.substr(slash + 1);
  std::string temp = dir + "/." + base + ".XXXXXX";
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) {
    std::cerr << "ozonetel_sim: cccp file: cannot create a file in " << dir
              << "\n";
    return false;
  }
  temp = name.data();
  fchmod(fd, 0644);  // readable like any file the producer would write
  size_t done = 0;
  while (done < body.size()) {
    const ssize_t n = write(fd, body.data() + done, body.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool ok = done == body.size() && fsync(fd) == 0;
  close(fd);
  if (!ok || std::rename(temp.c_str(), path_.c_str()) != 0) {
    std::remove(temp.c_str());
    std::cerr << "ozonetel_sim: cccp file: cannot write " << path_ << "\n";
    return false;
  }
  return true;
}

}  // namespace callcenter::sim
