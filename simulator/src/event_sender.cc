#include "ozonetel_sim/event_sender.h"

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <iostream>
#include <limits>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/event_payload.h"
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/rng.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kDay = 86400;
// How often the sender looks at the (possibly fake or scaled) clock.
constexpr std::chrono::milliseconds kPoll(20);
// Events taken up per pass; the rest stay in the timeline (queued).
constexpr size_t kMaxQueue = 10000;
constexpr std::chrono::milliseconds kFirstBackoff(10);
constexpr std::chrono::milliseconds kMaxBackoff(200);
constexpr uint64_t kFaultSalt = 0xE7E475;

bool Ok(int status) { return status >= 200 && status < 300; }

size_t FirstAt(const std::vector<FloorEvent>& events, int64_t time) {
  return static_cast<size_t>(
      std::lower_bound(
          events.begin(), events.end(), time,
          [](const FloorEvent& e, int64_t t) { return e.time < t; }) -
      events.begin());
}

size_t FirstAfter(const std::vector<FloorEvent>& events, int64_t time) {
  return static_cast<size_t>(
      std::upper_bound(
          events.begin(), events.end(), time,
          [](int64_t t, const FloorEvent& e) { return t < e.time; }) -
      events.begin());
}

void Add(const DeliveryCounters& delta, DeliveryCounters* total) {
  total->sent += delta.sent;
  total->delivered += delta.delivered;
  total->accepted += delta.accepted;
  total->dropped += delta.dropped;
  total->duplicated += delta.duplicated;
  total->reordered += delta.reordered;
  total->retried += delta.retried;
  total->failed += delta.failed;
}

void WriteCounters(JsonWriter* w, const DeliveryCounters& c) {
  WriteMember(w, "sent", c.sent);
  WriteMember(w, "delivered", c.delivered);
  WriteMember(w, "accepted", c.accepted);
  WriteMember(w, "dropped", c.dropped);
  WriteMember(w, "duplicated", c.duplicated);
  WriteMember(w, "reordered", c.reordered);
  WriteMember(w, "retried", c.retried);
  WriteMember(w, "failed", c.failed);
}

const char* EnvelopeText(EventEnvelope envelope) {
  switch (envelope) {
    case EventEnvelope::kFlat:
      return "flat";
    case EventEnvelope::kNested:
      return "nested";
    case EventEnvelope::kMixed:
      return "mixed";
  }
  return "";
}

class CurlPoster final : public EventPoster {
 public:
  CurlPoster() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    headers_ = curl_slist_append(nullptr, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Expect:");
  }
  ~CurlPoster() override {
    for (auto& [url, handle] : handles_) curl_easy_cleanup(handle);
    curl_slist_free_all(headers_);
  }

  int Post(const std::string& url, const std::string& body) override {
    CURL* handle = HandleFor(url);
    if (handle == nullptr) return 0;
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
    if (curl_easy_perform(handle) != CURLE_OK) return 0;
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return static_cast<int>(status);
  }

 private:
  static size_t Discard(char*, size_t size, size_t count, void*) {
    return size * count;
  }

  // One handle per URL, reused so that keep-alive connections survive.
  CURL* HandleFor(const std::string& url) {
    auto it = handles_.find(url);
    if (it != handles_.end()) return it->second;
    CURL* handle = curl_easy_init();
    if (handle == nullptr) return nullptr;
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &CurlPoster::Discard);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, 5000L);
    handles_[url] = handle;
    return handle;
  }

  curl_slist* headers_ = nullptr;
  std::map<std::string, CURL*> handles_;
};

bool ReadRate(const rapidjson::Value& json, const char* key, double* out,
              std::string* error) {
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return true;
  if (!it->value.IsNumber() || it->value.GetDouble() < 0 ||
      it->value.GetDouble() > 1) {
    *error = std::string(key) + " must be a number from 0 to 1";
    return false;
  }
  *out = it->value.GetDouble();
  return true;
}

bool ReadBool(const rapidjson::Value& json, const char* key, bool* out,
              std::string* error) {
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return true;
  if (!it->value.IsBool()) {
    *error = std::string(key) + " must be true or false";
    return false;
  }
  *out = it->value.GetBool();
  return true;
}

bool ReadInt(const rapidjson::Value& json, const char* key, int max, int* out,
             std::string* error) {
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return true;
  if (!it->value.IsInt() || it->value.GetInt() < 0 ||
      it->value.GetInt() > max) {
    *error = std::string(key) + " must be an integer from 0 to " +
             std::to_string(max);
    return false;
  }
  *out = it->value.GetInt();
  return true;
}

bool ReadEnvelope(const rapidjson::Value& json, EventEnvelope* out,
                  std::string* error) {
  auto it = json.FindMember("envelope");
  if (it == json.MemberEnd()) return true;
  const std::string name = it->value.IsString() ? it->value.GetString() : "";
  for (EventEnvelope e :
       {EventEnvelope::kFlat, EventEnvelope::kNested, EventEnvelope::kMixed}) {
    if (name == EnvelopeText(e)) {
      *out = e;
      return true;
    }
  }
  *error = "envelope must be flat, nested or mixed";
  return false;
}

}  // namespace

Subscriptions::Subscriptions(std::string agent_url, std::string call_url)
    : agent_url_(std::move(agent_url)), call_url_(std::move(call_url)) {}

std::string Subscriptions::agent_url() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return agent_url_;
}

std::string Subscriptions::call_url() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return call_url_;
}

void Subscriptions::Set(std::string agent_url, std::string call_url) {
  std::lock_guard<std::mutex> lock(mutex_);
  agent_url_ = std::move(agent_url);
  call_url_ = std::move(call_url);
}

void Subscriptions::ClearAgent() {
  std::lock_guard<std::mutex> lock(mutex_);
  agent_url_.clear();
}

void Subscriptions::ClearCall() {
  std::lock_guard<std::mutex> lock(mutex_);
  call_url_.clear();
}

std::unique_ptr<EventPoster> MakeCurlPoster() {
  return std::make_unique<CurlPoster>();
}

EventSender::EventSender(const Account* account, TimelineCache* timelines,
                         const Clock* clock, Subscriptions* subscriptions,
                         EventOptions options, uint64_t seed,
                         Seconds utc_offset,
                         std::unique_ptr<EventPoster> poster)
    : account_(account),
      timelines_(timelines),
      clock_(clock),
      subscriptions_(subscriptions),
      startup_(options),
      seed_(seed),
      utc_offset_(utc_offset),
      poster_(std::move(poster)),
      switches_(std::move(options)),
      last_dropped_(account->agents.size(), {-1, Action::kLogin}) {}

EventSender::~EventSender() { Stop(); }

void EventSender::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (started_) return;
  started_ = true;
  // No backlog: the stream begins after now unless told otherwise.
  cursor_.time = startup_.replay_from.value_or(NowSeconds() + 1);
  cursor_.offset = 0;
  thread_ = std::thread(&EventSender::Run, this);
}

void EventSender::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t EventSender::NowSeconds() const {
  return std::chrono::floor<Seconds>(clock_->Now()).time_since_epoch().count();
}

void EventSender::Run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
    }
    // Nothing may escape the thread: a failure costs one poll period.
    try {
      Step();
    } catch (const std::exception& error) {
      std::cerr << "ozonetel_sim: event delivery: " << error.what() << "\n";
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, kPoll);
    } catch (...) {
      std::cerr << "ozonetel_sim: event delivery: unknown error\n";
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, kPoll);
    }
  }
}

void EventSender::Step() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stop_) return;
  // A pause takes effect between seconds: events of the second being
  // delivered all go first, so `delivered_through` is exact.
  if (switches_.paused && !SecondUnfinished()) {
    FlushHeld(&lock);
    idle_.notify_all();
    wake_.wait_for(lock, kPoll);
    return;
  }
  const int64_t now = NowSeconds();
  // Unsubscribed, events pass unseen (as on the platform), and no timeline
  // is built for them.
  if (subscriptions_->agent_url().empty() &&
      subscriptions_->call_url().empty() && queue_.empty() && held_.empty()) {
    if (cursor_.time <= now) cursor_ = {now + 1, 0};
    idle_.notify_all();
    wake_.wait_for(lock, kPoll);
    return;
  }
  const Date date = timelines_->traffic().DateOf(cursor_.time);
  lock.unlock();
  std::shared_ptr<const DayTimeline> timeline = timelines_->Timeline(date);
  lock.lock();
  if (stop_ || timelines_->traffic().DateOf(cursor_.time) != date) return;
  cursor_timeline_ = timeline;
  if (Refill(now, timeline)) return;  // the next day's events are due too
  if (queue_.empty()) {
    idle_.notify_all();
    wake_.wait_for(lock, kPoll);
    return;
  }
  const auto send_at =
      queue_.front().due + std::chrono::milliseconds(switches_.delay_ms);
  const auto real_now = std::chrono::steady_clock::now();
  if (real_now < send_at) {
    wake_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                             send_at - real_now, kPoll));
    return;
  }
  sending_ = std::make_unique<Pending>(std::move(queue_.front()));
  queue_.pop_front();
  last_taken_time_ = sending_->event.time;
  Pending pending = *sending_;
  lock.unlock();
  Process(std::move(pending));
  lock.lock();
  sending_.reset();
  idle_.notify_all();
}

bool EventSender::Refill(int64_t now,
                         const std::shared_ptr<const DayTimeline>& timeline) {
  const std::vector<FloorEvent>& events = timeline->events;
  size_t i = FirstAt(events, cursor_.time) + cursor_.offset;
  const auto due = std::chrono::steady_clock::now();
  while (queue_.size() < kMaxQueue) {
    if (i >= events.size()) {
      // The day is done; move on once the next one has begun.
      const int64_t next_midnight = timeline->midnight + kDay;
      if (next_midnight > now) return false;
      cursor_ = {next_midnight, 0};
      return true;
    }
    const FloorEvent& event = events[i];
    if (event.time > now) return false;
    queue_.push_back(Pending{event, i, timeline, due});
    cursor_ = event.time == cursor_.time
                  ? Cursor{cursor_.time, cursor_.offset + 1}
                  : Cursor{event.time, 1};
    ++i;
  }
  return false;
}

EventSender::Fault EventSender::Roll(const FloorEvent& event) const {
  const uint64_t subject = event.IsCallEvent()
                               ? static_cast<uint64_t>(event.call->ucid)
                               : static_cast<uint64_t>(event.subject);
  const double u =
      UnitInterval(HashOf({seed_, kFaultSalt, static_cast<uint64_t>(event.time),
                           subject, static_cast<uint64_t>(event.action)}));
  // One draw, three disjoint bands: the faults exclude each other.
  double edge = switches_.drop_rate;
  if (u < edge) return Fault::kDrop;
  edge += switches_.duplicate_rate;
  if (u < edge) return Fault::kDuplicate;
  edge += switches_.reorder_rate;
  if (u < edge && !event.IsCallEvent()) return Fault::kReorder;
  return Fault::kNone;
}

// The agent's next event must come at a later second and be sent plainly,
// so that the receiver sees exactly one older event after a newer one.
bool EventSender::CanReorder(const Pending& pending) const {
  const std::vector<FloorEvent>& events = pending.timeline->events;
  for (size_t i = pending.index + 1; i < events.size(); ++i) {
    const FloorEvent& next = events[i];
    if (next.IsCallEvent() || next.subject != pending.event.subject) continue;
    return next.time != pending.event.time && Roll(next) == Fault::kNone;
  }
  return false;
}

std::string EventSender::UrlFor(const FloorEvent& event) const {
  return event.IsCallEvent() ? subscriptions_->call_url()
                             : subscriptions_->agent_url();
}

std::string EventSender::Body(const Pending& pending) const {
  const bool nested = IsNested(switches_.envelope, pending.index);
  return pending.event.IsCallEvent()
             ? CallEventJson(*account_, pending.event, utc_offset_, nested)
             : AgentEventJson(*account_, pending.event, utc_offset_, nested);
}

DeliveryCounters& EventSender::CountersFor(const FloorEvent& event) {
  return event.IsCallEvent() ? call_counters_ : agent_counters_;
}

void EventSender::Process(Pending pending) {
  const FloorEvent& event = pending.event;
  const std::string url = UrlFor(event);
  if (url.empty()) return;  // that kind is not subscribed
  std::unique_lock<std::mutex> lock(mutex_);
  const Fault fault = Roll(event);
  const int agent = event.subject;
  if (fault == Fault::kDrop) {
    ++CountersFor(event).dropped;
    if (!event.IsCallEvent()) last_dropped_[agent] = {event.time, event.action};
  } else if (fault == Fault::kReorder && !held_.count(agent) &&
             CanReorder(pending)) {
    held_.emplace(agent, std::move(pending));
    return;
  }
  bool delivered = false;
  if (fault != Fault::kDrop) {
    const int copies = fault == Fault::kDuplicate ? 2 : 1;
    if (copies == 2) ++CountersFor(event).duplicated;
    lock.unlock();
    delivered = Send(pending, copies);
    lock.lock();
  }
  // A held event of this agent follows its newer partner.
  auto held = event.IsCallEvent() ? held_.end() : held_.find(agent);
  if (held == held_.end()) return;
  const Pending older = held->second;
  lock.unlock();
  Send(older, 1);
  lock.lock();
  if (delivered) ++agent_counters_.reordered;
  held_.erase(agent);
}

bool EventSender::Send(const Pending& pending, int copies) {
  std::string body;
  int max_retries = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body = Body(pending);
    max_retries = switches_.retry ? switches_.max_retries : 0;
  }
  const std::string url = UrlFor(pending.event);
  DeliveryCounters delta;
  bool delivered = false;
  for (int copy = 0; copy < copies; ++copy) {
    delivered |= PostWithRetries(url, body, max_retries, &delta);
  }
  ++(delivered ? delta.delivered : delta.failed);
  std::lock_guard<std::mutex> lock(mutex_);
  Add(delta, &CountersFor(pending.event));
  return delivered;
}

bool EventSender::PostWithRetries(const std::string& url,
                                  const std::string& body, int max_retries,
                                  DeliveryCounters* counters) {
  std::chrono::milliseconds backoff = kFirstBackoff;
  for (int attempt = 0;; ++attempt) {
    ++counters->sent;
    if (Ok(poster_->Post(url, body))) {
      ++counters->accepted;
      return true;
    }
    if (attempt >= max_retries) return false;
    ++counters->retried;
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_for(lock, backoff, [this] { return stop_; })) return false;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

// Pausing sends the events held for a reorder, oldest first, so that
// nothing stays in flight; they are then plain deliveries.
void EventSender::FlushHeld(std::unique_lock<std::mutex>* lock) {
  while (!held_.empty()) {
    auto oldest = std::min_element(
        held_.begin(), held_.end(), [](const auto& a, const auto& b) {
          return a.second.event.time < b.second.event.time;
        });
    const Pending pending = oldest->second;
    const int agent = oldest->first;
    lock->unlock();
    Send(pending, 1);
    lock->lock();
    held_.erase(agent);
  }
}

bool EventSender::SecondUnfinished() const {
  if (last_taken_time_ == std::numeric_limits<int64_t>::min()) return false;
  if (!queue_.empty()) return queue_.front().event.time == last_taken_time_;
  if (!cursor_timeline_ ||
      timelines_->traffic().DateOf(cursor_.time) != cursor_timeline_->date) {
    return false;
  }
  const std::vector<FloorEvent>& events = cursor_timeline_->events;
  const size_t i = FirstAt(events, cursor_.time) + cursor_.offset;
  return i < events.size() && events[i].time == last_taken_time_;
}

int64_t EventSender::EarliestUndone(int64_t now) const {
  int64_t earliest = std::numeric_limits<int64_t>::max();
  if (sending_) earliest = std::min(earliest, sending_->event.time);
  for (const auto& [agent, pending] : held_) {
    earliest = std::min(earliest, pending.event.time);
  }
  if (!queue_.empty()) earliest = std::min(earliest, queue_.front().event.time);
  int64_t next = cursor_.time;
  if (cursor_timeline_ &&
      timelines_->traffic().DateOf(cursor_.time) == cursor_timeline_->date) {
    const std::vector<FloorEvent>& events = cursor_timeline_->events;
    const size_t i = FirstAt(events, cursor_.time) + cursor_.offset;
    next =
        i < events.size() ? events[i].time : cursor_timeline_->midnight + kDay;
  }
  return std::min({earliest, next, now + 1});
}

// Due events not yet taken up; -1 when unknown (timeline not fetched yet).
int64_t EventSender::UntakenDue(int64_t now) const {
  if (cursor_.time > now) return 0;
  if (!cursor_timeline_ ||
      timelines_->traffic().DateOf(cursor_.time) != cursor_timeline_->date) {
    return -1;
  }
  const std::vector<FloorEvent>& events = cursor_timeline_->events;
  const size_t i = FirstAt(events, cursor_.time) + cursor_.offset;
  const size_t end = FirstAfter(events, now);
  int64_t count = end > i ? static_cast<int64_t>(end - i) : 0;
  // Past the day's end the next day's events are due too.
  if (now >= cursor_timeline_->midnight + kDay)
    count = std::max<int64_t>(count, 1);
  return count;
}

// Held events wait for a partner that may not be due yet, so they keep a
// paused sender busy (it flushes them) but not a running one.
bool EventSender::IdleLocked() const {
  if (sending_) return false;
  // A pause waits for the rest of the second being delivered.
  if (switches_.paused) return held_.empty() && !SecondUnfinished();
  if (!started_) return true;
  return queue_.empty() && UntakenDue(NowSeconds()) == 0;
}

bool EventSender::WaitIdle(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return IdleLocked(); });
}

DeliveryStatus EventSender::Status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t now = NowSeconds();
  DeliveryStatus status;
  status.paused = switches_.paused;
  status.queued = static_cast<int64_t>(queue_.size()) +
                  std::max<int64_t>(0, UntakenDue(now));
  status.in_flight = (sending_ ? 1 : 0) + static_cast<int64_t>(held_.size());
  // Paused, the rest of the second being delivered is still to go: a test
  // waiting for in_flight 0 then sees whole seconds only.
  if (switches_.paused && !sending_ && SecondUnfinished()) ++status.in_flight;
  status.delivered_through = EarliestUndone(now) - 1;
  status.agent = agent_counters_;
  status.call = call_counters_;
  return status;
}

std::string EventSender::StatusJson() const {
  const DeliveryStatus status = Status();
  EventOptions switches;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    switches = switches_;
  }
  DeliveryCounters total;
  Add(status.agent, &total);
  Add(status.call, &total);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("paused");
  w.Bool(status.paused);
  WriteMember(&w, "queued", status.queued);
  WriteMember(&w, "in_flight", status.in_flight);
  WriteMember(&w, "delivered_through", status.delivered_through);
  WriteCounters(&w, total);
  w.Key("agent");
  w.StartObject();
  WriteCounters(&w, status.agent);
  w.EndObject();
  w.Key("call");
  w.StartObject();
  WriteCounters(&w, status.call);
  w.EndObject();
  w.Key("switches");
  w.StartObject();
  w.Key("paused");
  w.Bool(switches.paused);
  w.Key("drop_rate");
  w.Double(switches.drop_rate);
  w.Key("duplicate_rate");
  w.Double(switches.duplicate_rate);
  w.Key("reorder_rate");
  w.Double(switches.reorder_rate);
  WriteMember(&w, "delay_ms", switches.delay_ms);
  w.Key("retry");
  w.Bool(switches.retry);
  WriteMember(&w, "max_retries", switches.max_retries);
  WriteMember(&w, "envelope", EnvelopeText(switches.envelope));
  w.EndObject();
  w.Key("subscribed");
  w.StartObject();
  w.Key("agent");
  w.Bool(!subscriptions_->agent_url().empty());
  w.Key("call");
  w.Bool(!subscriptions_->call_url().empty());
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string EventSender::Update(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError() || !doc.IsObject()) {
    return "body must be a JSON object";
  }
  std::lock_guard<std::mutex> lock(mutex_);
  // Validate into a copy so a bad member changes nothing.
  EventOptions next = switches_;
  bool reset = false;
  std::string error;
  if (!ReadBool(doc, "reset", &reset, &error)) return error;
  if (reset) next = startup_;
  if (!ReadBool(doc, "paused", &next.paused, &error) ||
      !ReadRate(doc, "drop_rate", &next.drop_rate, &error) ||
      !ReadRate(doc, "duplicate_rate", &next.duplicate_rate, &error) ||
      !ReadRate(doc, "reorder_rate", &next.reorder_rate, &error) ||
      !ReadInt(doc, "delay_ms", 600000, &next.delay_ms, &error) ||
      !ReadBool(doc, "retry", &next.retry, &error) ||
      !ReadInt(doc, "max_retries", 100, &next.max_retries, &error) ||
      !ReadEnvelope(doc, &next.envelope, &error)) {
    return error;
  }
  if (next.drop_rate + next.duplicate_rate + next.reorder_rate > 1) {
    return "drop_rate, duplicate_rate and reorder_rate exclude each other "
           "and must sum to at most 1";
  }
  switches_ = next;
  wake_.notify_all();
  return "";
}

bool EventSender::WasDropped(int agent, int64_t time, Action action) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (agent < 0 || agent >= static_cast<int>(last_dropped_.size())) {
    return false;
  }
  return last_dropped_[agent] == std::make_pair(time, action);
}

}  // namespace callcenter::sim
