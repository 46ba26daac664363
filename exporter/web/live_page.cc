#include "web/live_page.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <utility>

#include "callcenter/common/strings.h"
#include "live_assets.h"

namespace callcenter::web {
namespace {

constexpr char kJsonContentType[] = "application/json; charset=utf-8";
// Roughly what one agent and one queue take in the document.
constexpr size_t kBytesPerAgent = 224;
constexpr size_t kBytesPerQueue = 160;

// The escape of an ASCII byte, or nullptr when it stands for itself.
const char* AsciiEscape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '<':
      return "\\u003c";
    case '>':
      return "\\u003e";
    case '&':
      return "\\u0026";
    default:
      return nullptr;
  }
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence starting at text[i] (a byte of
// 0x80 or more), or 0 when it is not one (overlong forms, surrogates and
// code points above U+10FFFF included).
size_t Utf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[i + k]);
  };
  const unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (!IsContinuation(byte(k))) return 0;
  }
  return length;
}

void AppendControl(unsigned char c, std::string* out) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
  out->append(buffer);
}

// Appends text[i] and what follows it up to the next byte that needs
// care; returns the index of that byte.
size_t AppendPlainRun(std::string_view text, size_t i, std::string* out) {
  size_t end = i;
  while (end < text.size()) {
    const auto c = static_cast<unsigned char>(text[end]);
    if (c < 0x20 || c >= 0x7F || AsciiEscape(c) != nullptr) break;
    ++end;
  }
  out->append(text.substr(i, end - i));
  return end;
}

void AppendNumber(int64_t value, std::string* out) {
  out->append(std::to_string(value));
}

void AppendTime(const std::optional<TimePoint>& time, std::string* out) {
  if (time) {
    out->append(UnixSecondsText(*time));
  } else {
    out->append("null");
  }
}

void AppendKey(std::string_view key, std::string* out) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void AppendStates(std::string* out) {
  AppendKey("states", out);
  out->push_back('[');
  for (int s = 0; s < live::kStateCount; ++s) {
    if (s > 0) out->push_back(',');
    AppendJsonString(live::StateName(static_cast<live::State>(s)), out);
  }
  out->push_back(']');
}

void AppendCounts(const live::FloorView& view, std::string* out) {
  AppendKey("counts", out);
  out->push_back('{');
  for (int s = 0; s < live::kStateCount; ++s) {
    if (s > 0) out->push_back(',');
    AppendJsonString(live::StateName(static_cast<live::State>(s)), out);
    out->push_back(':');
    AppendNumber(view.counts[static_cast<size_t>(s)], out);
  }
  out->push_back('}');
}

void AppendAgent(const live::Agent& agent, bool publish_names,
                 std::string* out) {
  out->append("{\"agent\":");
  AppendJsonString(agent.id, out);
  if (publish_names) {
    out->append(",\"name\":");
    AppendJsonString(agent.name, out);
  }
  out->append(",\"role\":");
  AppendJsonString(agent.role, out);
  out->append(",\"profile\":");
  AppendJsonString(agent.profile, out);
  out->append(",\"state\":");
  AppendJsonString(live::StateName(agent.state), out);
  out->append(",\"since\":");
  out->append(UnixSecondsText(agent.since));
  out->append(",\"login_at\":");
  AppendTime(agent.login_at, out);
  out->append(",\"queue\":");
  AppendJsonString(agent.queue, out);
  out->push_back('}');
}

void AppendQueue(const live::Queue& queue, std::string* out) {
  out->append("{\"queue\":");
  AppendJsonString(queue.name, out);
  out->append(",\"waiting\":");
  AppendNumber(queue.waiting, out);
  out->append(",\"oldest_since\":");
  // As on /metrics: no oldest wait when nobody waits.
  AppendTime(queue.waiting > 0 ? queue.oldest_waiting_since : std::nullopt,
             out);
  out->append(",\"agents\":{");
  bool first = true;
  for (const auto& [status, count] : queue.agents) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(status, out);
    out->push_back(':');
    AppendNumber(count, out);
  }
  out->append("}}");
}

std::string RandomInstance() {
  std::random_device device;
  const uint64_t value = (static_cast<uint64_t>(device()) << 32) ^ device();
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "%016llx",
                static_cast<unsigned long long>(value));
  return buffer;
}

// The headers every live response carries.
void AddCommonHeaders(HttpResponse* response) {
  response->headers.emplace_back("Cache-Control", "no-cache");
  response->headers.emplace_back("X-Content-Type-Options", "nosniff");
}

// A shipped asset, or 304 when the client has this build's copy.
HttpResponse AssetResponse(const HttpRequest& request,
                           std::string_view content_type, std::string_view body,
                           std::string_view hash) {
  const std::string etag = "\"" + std::string(hash) + "\"";
  HttpResponse response;
  response.content_type = std::string(content_type);
  AddCommonHeaders(&response);
  response.headers.emplace_back("ETag", etag);
  if (IfNoneMatchHits(request.Header("if-none-match"), etag)) {
    response.status = 304;
    return response;
  }
  response.body = std::string(body);
  return response;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    i = AppendPlainRun(text, i, out);
    if (i >= text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (const char* escape = AsciiEscape(c)) {
        out->append(escape);
      } else {
        AppendControl(c, out);  // below 0x20, or DEL
      }
      ++i;
      continue;
    }
    const size_t length = Utf8Length(text, i);
    if (length == 0) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    const std::string_view sequence = text.substr(i, length);
    if (sequence == "\xE2\x80\xA8") {
      out->append("\\u2028");
    } else if (sequence == "\xE2\x80\xA9") {
      out->append("\\u2029");
    } else {
      out->append(sequence);
    }
    i += length;
  }
  out->push_back('"');
}

std::string UnixSecondsText(TimePoint time) {
  using std::chrono::milliseconds;
  // Rounded: a whole second stored as a double may read back as .999...
  const int64_t ms =
      std::chrono::round<milliseconds>(time.time_since_epoch()).count();
  int64_t seconds = ms / 1000;
  int64_t fraction = ms % 1000;
  if (fraction < 0) {
    fraction += 1000;
    --seconds;
  }
  std::string text = std::to_string(seconds);
  if (fraction == 0) return text;
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), ".%03d", static_cast<int>(fraction));
  text += buffer;
  while (text.back() == '0') text.pop_back();
  return text;
}

std::string LiveJsonTail(const live::FloorView& view, bool publish_names) {
  std::string out;
  out.reserve(512 + view.agents.size() * kBytesPerAgent +
              view.queues.size() * kBytesPerQueue);
  AppendKey("version", &out);
  AppendNumber(static_cast<int64_t>(view.version), &out);
  out.push_back(',');
  AppendStates(&out);
  out.push_back(',');
  AppendCounts(view, &out);
  out.append(",\"agents\":[");
  for (size_t i = 0; i < view.agents.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendAgent(view.agents[i], publish_names, &out);
  }
  out.append("],\"queues\":[");
  for (size_t i = 0; i < view.queues.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendQueue(view.queues[i], &out);
  }
  out.append("],\"calls\":{\"inbound\":");
  AppendNumber(view.calls.inbound, &out);
  out.append(",\"outbound\":");
  AppendNumber(view.calls.outbound, &out);
  out.append("}}");
  return out;
}

std::string LiveJson(const live::FloorView& view, bool publish_names,
                     TimePoint now) {
  return "{\"now\":" + UnixSecondsText(now) + "," +
         LiveJsonTail(view, publish_names);
}

bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag) {
  size_t start = 0;
  while (start <= if_none_match.size()) {
    size_t comma = if_none_match.find(',', start);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    std::string_view candidate =
        Trim(if_none_match.substr(start, comma - start));
    if (candidate == "*") return true;
    if (StartsWith(candidate, "W/")) candidate.remove_prefix(2);
    if (!candidate.empty() && candidate == etag) return true;
    start = comma + 1;
  }
  return false;
}

LivePage::LivePage(const live::Floor& floor, const Clock& clock)
    : floor_(floor), clock_(clock), instance_(RandomInstance()) {}

std::string LivePage::JsonEtag(uint64_t version) const {
  return "\"" + instance_ + "-" + std::to_string(version) + "\"";
}

std::shared_ptr<const std::string> LivePage::Tail(
    const std::shared_ptr<const live::FloorView>& view) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (tail_ && tail_version_ == view->version) return tail_;
  }
  // Written outside any lock: the view is immutable.
  auto tail = std::make_shared<const std::string>(
      LiveJsonTail(*view, floor_.options().publish_names));
  std::lock_guard<std::mutex> lock(mutex_);
  if (!tail_ || view->version >= tail_version_) {
    tail_ = tail;
    tail_version_ = view->version;
  }
  return tail;
}

HttpResponse LivePage::Json(const HttpRequest& request) const {
  const std::shared_ptr<const live::FloorView> view = floor_.View();
  const std::string etag = JsonEtag(view->version);
  const std::string now = UnixSecondsText(clock_.Now());
  HttpResponse response;
  response.content_type = kJsonContentType;
  AddCommonHeaders(&response);
  response.headers.emplace_back("ETag", etag);
  response.headers.emplace_back(kExporterNowHeader, now);
  if (IfNoneMatchHits(request.Header("if-none-match"), etag)) {
    response.status = 304;
    return response;
  }
  std::shared_ptr<const std::string> tail = Tail(view);
  std::string head = "{\"now\":" + now + ",";
  response.stream_length = head.size() + tail->size();
  response.stream = [head = std::move(head),
                     tail = std::move(tail)](const BodyWriter& write) {
    write(head);
    write(*tail);
  };
  return response;
}

HttpResponse LivePage::Page(const HttpRequest& request) const {
  HttpResponse response =
      AssetResponse(request, "text/html; charset=utf-8", assets::kLiveHtml,
                    assets::kLiveHtmlHash);
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  return response;
}

HttpResponse LivePage::Script(const HttpRequest& request) const {
  return AssetResponse(request, "text/javascript; charset=utf-8",
                       assets::kLiveScript, assets::kLiveScriptHash);
}

HttpResponse LivePage::Style(const HttpRequest& request) const {
  return AssetResponse(request, "text/css; charset=utf-8", assets::kLiveStyle,
                       assets::kLiveStyleHash);
}

std::vector<core::Route> LivePageRoutes(const live::Floor& floor,
                                        const Clock& clock) {
  auto page = std::make_shared<const LivePage>(floor, clock);
  using Serve = HttpResponse (LivePage::*)(const HttpRequest&) const;
  const auto route = [&page](std::string path, Serve serve) {
    core::Route route;
    route.path = std::move(path);
    route.methods = {"GET", "HEAD"};
    route.basic_auth = true;
    route.handler = [page, serve](const HttpRequest& request) {
      return ((*page).*serve)(request);
    };
    return route;
  };
  std::vector<core::Route> routes;
  routes.push_back(route(kLivePagePath, &LivePage::Page));
  routes.push_back(route(kLiveJsonPath, &LivePage::Json));
  routes.push_back(route(kLiveScriptPath, &LivePage::Script));
  routes.push_back(route(kLiveStylePath, &LivePage::Style));
  return routes;
}

}  // namespace callcenter::web
