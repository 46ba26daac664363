// Loads the configuration file: the settings every module shares, the
// agent directory, and each module's own section (read by the module).
// Nothing here throws: every problem is one line naming the key.
#ifndef CALLCENTER_APP_CONFIG_H_
#define CALLCENTER_APP_CONFIG_H_

#include <memory>
#include <string>
#include <vector>

#include "app/modules.h"
#include "core/config_reader.h"
#include "core/module.h"
#include "directory/agent_directory.h"
#include "live/floor.h"

namespace callcenter::app {

struct LoadedConfig {
  core::GlobalSettings global;
  directory::DirectoryConfig directory;
  live::FloorOptions floor;
  std::vector<std::string> errors;  // "key: problem", one per line
  bool ok() const { return errors.empty(); }
};

// Reads the file (at most 1 MiB, a regular file) and parses the settings
// that do not belong to a module.
LoadedConfig ReadConfigFile(const std::string& path, std::string* text);

// Parses `text`: global settings, the directory, and every module's
// section. `enabled` receives the modules this config turns on. Reports
// unknown top-level keys, and an error when no source is configured.
LoadedConfig ParseConfig(const std::string& text, const core::EnvLookup& env,
                         const std::vector<core::Module*>& modules,
                         std::vector<core::Module*>* enabled);

}  // namespace callcenter::app

#endif  // CALLCENTER_APP_CONFIG_H_
