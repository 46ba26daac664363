// web::LandingPage: what an operator sees first, with every piece of
// upstream or configured text escaped.
#include "web/landing_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callcenter::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

UpstreamStatus Upstream(std::string source, std::string api) {
  UpstreamStatus upstream;
  upstream.source = std::move(source);
  upstream.api = std::move(api);
  return upstream;
}

LandingData Data() {
  LandingData data;
  data.version = "1.4.0";
  data.revision = "0123456789ab";
  data.telemetry_path = "/metrics";
  data.storage_path = "/var/lib/callcenter_exporter";
  return data;
}

TEST(LandingPageTest, ShowsVersionReadinessStorageAndLinks) {
  LandingData data = Data();
  data.links = {{"/live", "/live"}};
  const std::string page = LandingPage(data);
  EXPECT_THAT(page, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(page, HasSubstr("Version 1.4.0, revision 0123456789ab."));
  EXPECT_THAT(page, HasSubstr("<p class=\"up\">Ready.</p>"));
  EXPECT_THAT(page, Not(HasSubstr("Not ready")));
  EXPECT_THAT(page, HasSubstr("/var/lib/callcenter_exporter: <span "
                              "class=\"up\">writable</span>"));
  EXPECT_THAT(page, HasSubstr("<a href=\"/metrics\">Metrics</a>"));
  EXPECT_THAT(page, HasSubstr("<a href=\"/live\">/live</a>"));
  EXPECT_THAT(page, HasSubstr("<a href=\"/-/healthy\">"));
  EXPECT_THAT(page, HasSubstr("<a href=\"/-/ready\">"));
  EXPECT_THAT(page, HasSubstr("</html>"));
}

TEST(LandingPageTest, UpstreamsShowStateDataAgeAndBudgetUse) {
  LandingData data = Data();
  UpstreamStatus cdr = Upstream("ozonetel", "cdr");
  cdr.polled = true;
  cdr.up = true;
  cdr.age_seconds = 30;
  cdr.used = 1;
  cdr.limit = 2;
  cdr.window_seconds = 60;
  UpstreamStatus summary = Upstream("ozonetel", "summary");
  summary.polled = true;
  summary.up = false;
  summary.age_seconds = 300;
  summary.last_error = "rate_limited: max limit exceeded";
  UpstreamStatus token = Upstream("ozonetel", "token");
  token.polled = true;
  token.up = true;
  token.age_seconds = 3 * 3600;
  token.used = 0;
  token.limit = 10;
  token.window_seconds = 3600;
  UpstreamStatus crm = Upstream("crm", "");
  data.upstreams = {cdr, summary, token, crm};
  const std::string page = LandingPage(data);
  EXPECT_THAT(page, HasSubstr("<tr><td>ozonetel</td><td>cdr</td><td><span "
                              "class=\"up\">up</span></td><td>30 s</td><td>1 "
                              "/ 2 per 60 s</td><td></td></tr>"));
  EXPECT_THAT(page, HasSubstr("<td>summary</td><td><span class=\"down\">down"
                              "</span></td><td>5 min</td><td></td><td>"
                              "rate_limited: max limit exceeded</td>"));
  EXPECT_THAT(page, HasSubstr("<td>3.0 h</td><td>0 / 10 per 3600 s</td>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>crm</td><td></td><td><span "
                              "class=\"muted\">not polled yet</span></td>"
                              "<td>never</td>"));
}

TEST(LandingPageTest, NotReadyListsEveryReason) {
  LandingData data = Data();
  data.not_ready = {"cdr: catching up (today read up to 09:00)",
                    "storage: state cannot be written"};
  const std::string page = LandingPage(data);
  EXPECT_THAT(page, HasSubstr("<p class=\"down\">Not ready:</p>\n<ul>\n"
                              "<li>cdr: catching up (today read up to 09:00)"
                              "</li>\n<li>storage: state cannot be written"
                              "</li>\n</ul>"));
  EXPECT_THAT(page, Not(HasSubstr("Ready.</p>")));
}

TEST(LandingPageTest, AStorageProblemIsShown) {
  LandingData data = Data();
  data.storage_writable = false;
  data.storage_problem =
      "cdr_state.json: cannot write: No space left on device";
  EXPECT_THAT(LandingPage(data),
              HasSubstr("<span class=\"down\">cannot write</span> "
                        "(cdr_state.json: cannot write: No space left on "
                        "device)"));
}

TEST(LandingPageTest, UpstreamAndConfiguredTextIsEscaped) {
  LandingData data = Data();
  data.version = "<b>1</b>";
  data.revision = "\"rev\"";
  data.telemetry_path = "/m\"><script>x</script>";
  data.storage_path = "/data/<dir>";
  data.storage_writable = false;
  data.storage_problem = "<img src=x onerror=alert(1)>";
  data.not_ready = {"crm: <script>alert('r')</script>"};
  UpstreamStatus upstream = Upstream("ozo<netel", "c&r");
  upstream.polled = true;
  upstream.last_error = "http: HTTP 502: <html><body>Bad Gateway</body></html>";
  data.upstreams = {upstream};
  data.links = {{"/x\"onclick=\"y", "<i>x</i>"}};
  const std::string page = LandingPage(data);
  for (const char* raw : {"<b>1</b>", "<script>", "<img", "<html><body>",
                          "<dir>", "<i>x</i>", "\"onclick", "ozo<netel"}) {
    EXPECT_THAT(page, Not(HasSubstr(raw))) << raw;
  }
  EXPECT_THAT(page, HasSubstr("&lt;b&gt;1&lt;/b&gt;"));
  EXPECT_THAT(page, HasSubstr("&quot;rev&quot;"));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(&#39;r&#39;)"));
  EXPECT_THAT(page, HasSubstr("HTTP 502: &lt;html&gt;&lt;body&gt;Bad Gateway"));
  EXPECT_THAT(page, HasSubstr("<td>ozo&lt;netel</td><td>c&amp;r</td>"));
  EXPECT_THAT(page, HasSubstr("href=\"/m&quot;&gt;&lt;script&gt;"));
}

}  // namespace
}  // namespace callcenter::web
