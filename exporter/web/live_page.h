// The exporter's own live wallboard: /live, one HTML page (its script and
// style at /live.js and /live.css, all shipped inside the binary), and
// /live.json, the live floor as the page polls it (live-floor.md).
//
// /live.json is built from live::Floor::View() only: no upstream call, and
// no lock of the floor held while it is written. Its body, apart from
// `now`, depends on the view alone, so it is written once per floor version
// and shared by every request until the floor changes; its ETag names the
// version, so a poll of an unchanged floor is a 304 with the exporter's
// clock in X-Exporter-Now (the page computes time in state from that clock,
// which may be simulated, never from the browser's).
//
//   {"now": 1772433000.25, "version": 42,
//    "states": ["available", ..., "unknown"],
//    "counts": {"available": 1, ...},
//    "agents": [{"agent": "agent01", "name": "...",   (name: only when
//                "role": "agent", "profile": "...",    live.agent_names)
//                "state": "busy", "since": 1772432911,
//                "login_at": 1772419210, "queue": "Inbound_Main"}],
//    "queues": [{"queue": "Inbound_Main", "waiting": 1,
//                "oldest_since": 1772432990, "agents": {"logged": 9}}],
//    "calls": {"inbound": 6, "outbound": 2}}
//
// Every route answers GET and HEAD behind the web configuration's basic
// auth; the page carries Content-Security-Policy: default-src 'self'.
#ifndef CALLCENTER_WEB_LIVE_PAGE_H_
#define CALLCENTER_WEB_LIVE_PAGE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "core/engine.h"
#include "live/floor.h"

namespace callcenter::web {

inline constexpr char kLivePagePath[] = "/live";
inline constexpr char kLiveJsonPath[] = "/live.json";
inline constexpr char kLiveScriptPath[] = "/live.js";
inline constexpr char kLiveStylePath[] = "/live.css";
// The exporter's clock on every /live.json answer, 304s included.
inline constexpr char kExporterNowHeader[] = "X-Exporter-Now";

// `text` as a JSON string literal (quotes included), appended to `out`.
// Invalid UTF-8 becomes U+FFFD; <, >, &, U+2028 and U+2029 are escaped as
// well, so the document is safe wherever it ends up.
void AppendJsonString(std::string_view text, std::string* out);

// Unix seconds with at most millisecond precision ("1772433000",
// "1772433000.25").
std::string UnixSecondsText(TimePoint time);

// The /live.json document after `"now":...,` (from `"version"` to the
// closing brace): a function of the view and `publish_names` alone.
std::string LiveJsonTail(const live::FloorView& view, bool publish_names);

// The whole /live.json document.
std::string LiveJson(const live::FloorView& view, bool publish_names,
                     TimePoint now);

// Whether an If-None-Match header value matches `etag` (a list, weak
// validators and "*" included).
bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag);

class LivePage {
 public:
  LivePage(const live::Floor& floor, const Clock& clock);
  LivePage(const LivePage&) = delete;
  LivePage& operator=(const LivePage&) = delete;

  HttpResponse Json(const HttpRequest& request) const;
  HttpResponse Page(const HttpRequest& request) const;
  HttpResponse Script(const HttpRequest& request) const;
  HttpResponse Style(const HttpRequest& request) const;

  // The ETag of /live.json for a floor version.
  std::string JsonEtag(uint64_t version) const;

 private:
  // The shared body tail of `view`, written at most once per version.
  std::shared_ptr<const std::string> Tail(
      const std::shared_ptr<const live::FloorView>& view) const;

  const live::Floor& floor_;
  const Clock& clock_;
  // Versions restart at every start: the ETags of one process never match
  // another's.
  const std::string instance_;
  mutable std::mutex mutex_;
  mutable uint64_t tail_version_ = 0;
  mutable std::shared_ptr<const std::string> tail_;
};

// The routes of the page, its assets and /live.json (GET and HEAD, behind
// basic auth); they share one LivePage, which refers to `floor` and `clock`.
std::vector<core::Route> LivePageRoutes(const live::Floor& floor,
                                        const Clock& clock);

}  // namespace callcenter::web

#endif  // CALLCENTER_WEB_LIVE_PAGE_H_
