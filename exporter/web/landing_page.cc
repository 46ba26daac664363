#include "web/landing_page.h"

#include <cstdio>

#include "callcenter/common/strings.h"

namespace callcenter::web {
namespace {

constexpr char kStyle[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}td,th{padding:.3em .8em;text-align:left;"
    "border-bottom:1px solid #ddd}.up{color:#1a7f37}.down{color:#cf222e}"
    ".muted{color:#777}";

std::string Age(double seconds) {
  char buffer[32];
  if (seconds < 120) {
    std::snprintf(buffer, sizeof(buffer), "%.0f s", seconds);
  } else if (seconds < 7200) {
    std::snprintf(buffer, sizeof(buffer), "%.0f min", seconds / 60);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.1f h", seconds / 3600);
  }
  return buffer;
}

std::string UpstreamRow(const UpstreamStatus& upstream) {
  std::string row = "<tr><td>" + HtmlEscape(upstream.source) + "</td><td>" +
                    HtmlEscape(upstream.api) + "</td><td>";
  if (!upstream.polled) {
    row += "<span class=\"muted\">not polled yet</span>";
  } else if (upstream.up) {
    row += "<span class=\"up\">up</span>";
  } else {
    row += "<span class=\"down\">down</span>";
  }
  row += "</td><td>";
  row += upstream.age_seconds ? Age(*upstream.age_seconds) : "never";
  row += "</td><td>";
  if (upstream.limit) {
    row += std::to_string(upstream.used.value_or(0)) + " / " +
           std::to_string(*upstream.limit) + " per " +
           std::to_string(upstream.window_seconds.value_or(60)) + " s";
  }
  row += "</td><td>" + HtmlEscape(upstream.last_error) + "</td></tr>\n";
  return row;
}

}  // namespace

std::string LandingPage(const LandingData& data) {
  const std::string metrics = HtmlEscape(data.telemetry_path);
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>callcenter_exporter</title><style>" +
      std::string(kStyle) +
      "</style></head><body>\n<h1>callcenter_exporter</h1>\n"
      "<p>Prometheus exporter for contact centres (Ozonetel CloudAgent, its "
      "CRM, CCCP). Metrics come from background pollers that stay within the "
      "vendors' rate limits; a scrape never calls upstream.</p>\n"
      "<p>Version " +
      HtmlEscape(data.version) + ", revision " + HtmlEscape(data.revision) +
      ".</p>\n";
  page += data.not_ready.empty()
              ? "<p class=\"up\">Ready.</p>\n"
              : "<p class=\"down\">Not ready:</p>\n<ul>\n";
  for (const std::string& reason : data.not_ready) {
    page += "<li>" + HtmlEscape(reason) + "</li>\n";
  }
  if (!data.not_ready.empty()) page += "</ul>\n";
  page +=
      "<h2>Upstreams</h2>\n<table><tr><th>Source</th><th>API</th>"
      "<th>Status</th><th>Data age</th><th>Requests in window</th>"
      "<th>Last error</th></tr>\n";
  for (const UpstreamStatus& upstream : data.upstreams) {
    page += UpstreamRow(upstream);
  }
  page += "</table>\n<h2>Storage</h2>\n<p>" + HtmlEscape(data.storage_path) +
          ": " +
          (data.storage_writable
               ? std::string("<span class=\"up\">writable</span>")
               : "<span class=\"down\">cannot write</span> (" +
                     HtmlEscape(data.storage_problem) + ")") +
          "</p>\n<h2>Links</h2>\n<ul>\n<li><a href=\"" + metrics +
          "\">Metrics</a></li>\n";
  for (const auto& [path, title] : data.links) {
    page += "<li><a href=\"" + HtmlEscape(path) + "\">" + HtmlEscape(title) +
            "</a></li>\n";
  }
  page +=
      "<li><a href=\"/-/healthy\">Health</a></li>\n"
      "<li><a href=\"/-/ready\">Readiness</a></li>\n</ul>\n</body></html>\n";
  return page;
}

}  // namespace callcenter::web
