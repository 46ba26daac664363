// The README's metric catalogue is the reference operators read: it must
// list exactly the families the exporter can publish, with their types, so
// that it never drifts from the code. The exporter is started with every
// source configured (upstreams unreachable, nothing needed from them) and
// its declared families are compared with the catalogue's rows.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "app/exporter_app.h"
#include "app/flags.h"
#include "callcenter/common/clock.h"
#include "core/logging.h"

namespace callcenter::app {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// name -> type ("counter", "gauge", "histogram") from the catalogue tables:
// rows `| `name` | type | ...`.
std::map<std::string, std::string> Catalogue() {
  const std::string readme =
      ReadFile(std::string(CALLCENTER_SOURCE_DIR) + "/README.md");
  const size_t start = readme.find("\n## Metric catalogue");
  EXPECT_NE(std::string::npos, start);
  const size_t end = readme.find("\n## ", start + 1);
  const std::string section = readme.substr(start, end - start);
  std::map<std::string, std::string> rows;
  const std::regex row(R"(^\| `([a-z_:]+)` \| ([a-z]+))");
  std::istringstream lines(section);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, row)) rows[match[1]] = match[2];
  }
  return rows;
}

std::string TypeName(core::MetricType type) {
  switch (type) {
    case core::MetricType::kCounter:
      return "counter";
    case core::MetricType::kGauge:
      return "gauge";
    case core::MetricType::kHistogram:
      return "histogram";
  }
  return "?";
}

TEST(CatalogueTest, ReadmeListsExactlyTheFamiliesTheExporterDeclares) {
  const std::string dir = testing::TempDir() + "/catalogue_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // Every source on; upstreams that refuse at once.
  const std::string config = R"(
ozonetel:
  url: http://127.0.0.1:9
  user_name: acme
  auth: token
  events:
    reconcile: true
crm:
  url: http://127.0.0.1:9/graphql
cccp:
  source: file:)" + dir + R"(/missing.json
)";
  std::ofstream(dir + "/web.yml") << "basic_auth_users: {}\n";
  Flags flags;
  flags.listen_addresses = {"127.0.0.1:0"};
  flags.storage_path = dir + "/data";
  flags.web_config_file = dir + "/web.yml";
  std::ostringstream log;
  core::Logger logger(log, core::LogLevel::kError);
  SystemClock clock;
  ExporterApp app(flags, clock, logger);
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "OZONETEL_EVENTS_TOKEN") return "a-token-of-enough-length";
    return "secret";
  };
  ASSERT_EQ(std::vector<std::string>{}, app.Configure(config, env));
  ASSERT_TRUE(app.Start()) << log.str();
  std::map<std::string, std::string> declared;
  for (const core::FamilySpec& family : app.DeclaredFamilies()) {
    declared[family.name] = TypeName(family.type);
  }
  app.Shutdown();
  const std::map<std::string, std::string> catalogue = Catalogue();
  std::string missing;  // declared, not catalogued (or another type)
  std::string extra;    // catalogued, not declared
  for (const auto& [name, type] : declared) {
    auto row = catalogue.find(name);
    if (row == catalogue.end() || row->second != type) {
      missing += "\n  " + name + " (" + type + ")";
    }
  }
  for (const auto& [name, type] : catalogue) {
    if (declared.count(name) == 0) extra += "\n  " + name;
  }
  EXPECT_EQ("", missing) << "declared but not in README's catalogue";
  EXPECT_EQ("", extra) << "in README's catalogue but never declared";
}

}  // namespace
}  // namespace callcenter::app
