// The configuration file: app::ParseConfig with every module, built the
// way exporter_app.cc builds them (a first pass for the directory and the
// floor, then AgentDirectory, live::Floor, MakeModules and a second pass),
// with an environment that answers fixed values; and the web config
// (web::ParseWebConfig), from the same text.
//
// Inputs that name a file to read (any "_file" key) or hold a backslash
// (a YAML escape could spell such a key) are skipped: the target reads no
// file. The input is the YAML text itself.
//
// Invariants: nothing throws; each problem is one non-empty line; the two
// passes agree on the shared settings; a config without problems enables
// at least one module; parsing is deterministic (the same text, parsed
// again, gives the same problems and the same modules).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"
#include "app/modules.h"
#include "core/config_reader.h"
#include "core/module.h"
#include "directory/agent_directory.h"
#include "fuzz_util.h"
#include "live/floor.h"
#include "web/web_config.h"

namespace callcenter {
namespace {

std::optional<std::string> FixedEnv(const std::string& name) {
  if (name == "OZONETEL_API_KEY") return "fuzz-ozonetel-key";
  if (name == "CRM_API_KEY") return "fuzz-crm-key";
  if (name == "OZONETEL_EVENTS_TOKEN") return "fuzz-events-token";
  return std::nullopt;
}

void CheckProblems(const std::vector<std::string>& problems) {
  for (const std::string& problem : problems) {
    FUZZ_CHECK(!problem.empty());
    if (problem.find('\n') != std::string::npos) {
      fprintf(stderr, "problem on several lines: %s\n", problem.c_str());
    }
    FUZZ_CHECK(problem.find('\n') == std::string::npos);
  }
}

struct Configured {
  std::vector<std::string> errors;
  std::vector<std::string> enabled;
  app::LoadedConfig base;
};

Configured Configure(const std::string& text) {
  Configured out;
  std::vector<core::Module*> none;
  std::vector<core::Module*> ignored;
  out.base = app::ParseConfig(text, FixedEnv, none, &ignored);
  CheckProblems(out.base.errors);
  FUZZ_CHECK(ignored.empty());
  directory::AgentDirectory agents(out.base.directory);
  live::Floor floor(out.base.floor);
  app::SharedData shared{agents, floor};
  std::vector<std::unique_ptr<core::Module>> modules = app::MakeModules(shared);
  std::vector<core::Module*> all;
  for (auto& module : modules) all.push_back(module.get());
  std::vector<core::Module*> enabled;
  const app::LoadedConfig config =
      app::ParseConfig(text, FixedEnv, all, &enabled);
  CheckProblems(config.errors);
  // The first pass reads the same shared settings.
  FUZZ_CHECK(config.global.per_agent_metrics ==
             out.base.global.per_agent_metrics);
  FUZZ_CHECK(config.directory.max_agents == out.base.directory.max_agents);
  FUZZ_CHECK(config.directory.agents.size() ==
             out.base.directory.agents.size());
  FUZZ_CHECK(config.floor.max_agents == out.base.floor.max_agents);
  FUZZ_CHECK(config.floor.publish_names == out.base.floor.publish_names);
  if (config.ok()) FUZZ_CHECK(!enabled.empty());
  out.errors = config.errors;
  for (core::Module* module : enabled) {
    out.enabled.emplace_back(module->name());
  }
  return out;
}

}  // namespace
}  // namespace callcenter

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callcenter;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (text.find("_file") != std::string::npos ||
      text.find('\\') != std::string::npos) {
    return 0;
  }
  const Configured first = Configure(text);
  const Configured second = Configure(text);
  FUZZ_CHECK(first.errors == second.errors);
  FUZZ_CHECK(first.enabled == second.enabled);

  std::vector<std::string> problems;
  const web::WebConfig web =
      web::ParseWebConfig(text, "/nonexistent/web.yml", &problems);
  CheckProblems(problems);
  if (problems.empty()) {
    // Without a *_file key, a PEM can only come inline.
    FUZZ_CHECK(web.tls.enabled == !web.tls.cert_pem.empty());
  }
  return 0;
}
