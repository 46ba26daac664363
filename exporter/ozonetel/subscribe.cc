#include "ozonetel/subscribe.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

#include "core/config_reader.h"
#include "core/json.h"
#include "ozonetel/config.h"

namespace callcenter::ozonetel {
namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;

struct Answer {
  HttpStatus status;
  std::string body;
};

Answer Call(Transport& transport, const OzonetelConfig& config,
            const std::string& method, const std::string& path,
            const std::string& body) {
  HttpCall call;
  call.method = method;
  std::string base = config.events ? config.events->subscription_url
                                   : events::EventsConfig().subscription_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  call.url = base + path;
  // §9: these endpoints spell their headers in lower case with underscores.
  call.headers = {{"api_key", config.client.api_key},
                  {"username", config.client.user_name},
                  {"Content-Type", "application/json"}};
  call.body = body;
  call.timeout = config.client.request_timeout;
  Answer answer;
  answer.status = transport.Perform(call, [&](std::string_view chunk) {
    if (answer.body.size() + chunk.size() > kMaxAnswerBytes) return false;
    answer.body.append(chunk);
    return true;
  });
  return answer;
}

// The answer with every URL's token masked: JSON members rewritten, plain
// text passed through MaskToken.
std::string Shown(const std::string& body) {
  rapidjson::Document doc;
  if (!core::ParseJson(body, &doc).empty() || !doc.IsObject()) {
    return MaskToken(body);
  }
  std::string shown;
  for (const auto& member : doc.GetObject()) {
    shown += std::string("  ") + member.name.GetString() + ": ";
    shown += member.value.IsString() ? MaskToken(member.value.GetString())
                                     : std::string("(not a string)");
    shown += "\n";
  }
  return shown;
}

bool Report(const std::string& what, const Answer& answer, std::ostream& out,
            std::ostream& err) {
  if (!answer.status.error.empty() || answer.status.status < 200 ||
      answer.status.status > 299) {
    err << what << " failed: "
        << (answer.status.error.empty()
                ? "HTTP " + std::to_string(answer.status.status)
                : answer.status.error)
        << ": " << MaskToken(answer.body.substr(0, 300)) << "\n";
    return false;
  }
  out << what << ":\n" << Shown(answer.body) << "\n";
  return true;
}

}  // namespace

std::string MaskToken(const std::string& url) {
  std::string masked = url;
  size_t pos = 0;
  while ((pos = masked.find("token=", pos)) != std::string::npos) {
    pos += 6;
    const size_t end = masked.find_first_of("&#\" \n", pos);
    masked.replace(pos, end == std::string::npos ? std::string::npos : end - pos,
                   "***");
  }
  return masked;
}

int RunSubscribe(const std::string& config_text, const SubscribeRequest& request,
                 Transport& transport, std::ostream& out, std::ostream& err) {
  std::vector<std::string> errors;
  core::ConfigNode root = core::ConfigNode::Parse(config_text, &errors);
  OzonetelConfig config;
  if (!ParseOzonetelConfig(root, core::ProcessEnv, &config)) {
    errors.push_back("ozonetel: is required");
  }
  if (!errors.empty()) {
    for (const auto& error : errors) err << "config error: " << error << "\n";
    return 1;
  }
  if (request.set) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("callEventsURL");
    w.String(request.call_url.c_str());
    w.Key("agentEventsURL");
    w.String(request.agent_url.c_str());
    w.EndObject();
    if (!Report("subscribe",
                Call(transport, config, "POST", "/events/subscribe",
                     buffer.GetString()),
                out, err)) {
      return 1;
    }
  }
  return Report("current subscription",
                Call(transport, config, "GET", "/events/subscriptions/list", ""),
                out, err)
             ? 0
             : 1;
}

}  // namespace callcenter::ozonetel
