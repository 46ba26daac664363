// `callcenter_exporter subscribe`: shows the account's event subscription
// (ozonetel-api.md §9) and replaces it only when asked with --set. The
// subscription is one URL pair per account, shared with any other
// integration, so the exporter never subscribes on its own.
#ifndef CALLCENTER_OZONETEL_SUBSCRIBE_H_
#define CALLCENTER_OZONETEL_SUBSCRIBE_H_

#include <ostream>
#include <string>

#include "callcenter/common/http_client.h"

namespace callcenter::ozonetel {

struct SubscribeRequest {
  bool set = false;
  std::string agent_url;
  std::string call_url;
};

// Returns the process exit code. Tokens in URLs are masked in the output.
int RunSubscribe(const std::string& config_text, const SubscribeRequest& request,
                 Transport& transport, std::ostream& out, std::ostream& err);

// "...?token=abc&x=1" -> "...?token=***&x=1".
std::string MaskToken(const std::string& url);

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_SUBSCRIBE_H_
