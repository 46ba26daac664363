#include "app/config.h"

#include "callcenter/common/files.h"

namespace callcenter::app {
namespace {

constexpr size_t kMaxConfigBytes = size_t{1} << 20;

}  // namespace

LoadedConfig ReadConfigFile(const std::string& path, std::string* text) {
  LoadedConfig config;
  const FileRead read = ReadRegularFile(path, kMaxConfigBytes);
  if (read.status == FileRead::Status::kMissing) {
    config.errors.push_back("config.file: cannot read \"" + path +
                            "\": no such file");
  } else if (read.status == FileRead::Status::kError) {
    config.errors.push_back("config.file: " + read.error);
  } else {
    *text = read.content;
  }
  return config;
}

LoadedConfig ParseConfig(const std::string& text, const core::EnvLookup& env,
                         const std::vector<core::Module*>& modules,
                         std::vector<core::Module*>* enabled) {
  LoadedConfig config;
  core::ConfigNode root =
      core::ConfigNode::Parse(text, &config.errors, kMaxConfigBytes);
  if (!config.errors.empty()) return config;
  root.Bool("per_agent_metrics", &config.global.per_agent_metrics);
  config.directory =
      directory::ParseDirectoryConfig(root, config.global.per_agent_metrics);
  config.floor =
      live::ParseFloorOptions(root, config.global.per_agent_metrics);
  for (core::Module* module : modules) {
    if (module->Configure(root, config.global, env)) enabled->push_back(module);
  }
  root.RejectUnknown();
  if (enabled->empty() && config.errors.empty()) {
    config.errors.push_back(
        "config: no source configured (add an ozonetel, crm or cccp section)");
  }
  return config;
}

}  // namespace callcenter::app
