#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <mutex>
#include <string>

#include "callcenter/common/strings.h"

#include "callcenter/common/http_client.h"

namespace callcenter {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

struct WriteContext {
  const std::function<bool(std::string_view)>* on_chunk;
  bool aborted = false;
  std::optional<std::chrono::seconds> retry_after;
};

// Reads "Retry-After: <seconds>" from the response headers.
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* context = static_cast<WriteContext*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size() &&
      EqualsIgnoreCase(line.substr(0, kName.size()), kName)) {
    std::string_view value = Trim(line.substr(kName.size()));
    int64_t seconds = 0;
    auto [end, ec] =
        std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size() &&
        seconds >= 0) {
      context->retry_after =
          std::chrono::seconds(std::min<int64_t>(seconds, 86400));
    }
  }
  return bytes;
}

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* context = static_cast<WriteContext*>(user);
  const size_t bytes = size * count;
  if (!(*context->on_chunk)(std::string_view(data, bytes))) {
    context->aborted = true;
    return bytes == 0 ? 1 : 0;  // any other count aborts the transfer
  }
  return bytes;
}

HeaderList BuildHeaders(const HttpCall& call) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : call.headers) {
    // "Name;" is curl's spelling of a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  // No "Expect: 100-continue" round trip for request bodies.
  list = curl_slist_append(list, "Expect:");
  return HeaderList(list);
}

void SetMethodAndBody(CURL* easy, const HttpCall& call) {
  if (call.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
  } else if (call.body.empty()) {
    if (call.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    }
    return;
  } else {
    // fetchCDRDetails is a GET that carries a JSON body (§4.1): the body
    // options alone would make it a POST, which the API rejects.
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(call.body.size()));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call.body.c_str());
}

void SetTransferOptions(CURL* easy, const HttpCall& call) {
  curl_easy_setopt(easy, CURLOPT_URL, call.url.c_str());
  // Signals are unsafe with several threads; timeouts still work without.
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(call.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(call.connect_timeout.count()));
  // A redirect could turn the GET-with-body into something else; the API
  // has no reason to redirect, so a 3xx is reported, not followed.
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  // Through a proxy, tunnel (CONNECT) even plain http, so no proxy can
  // rewrite the method or drop the body of a GET.
  curl_easy_setopt(easy, CURLOPT_HTTPPROXYTUNNEL, 1L);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // any curl decodes
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "callcenter_exporter");
  if (!call.ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, call.ca_file.c_str());
  }
}

class CurlTransport final : public Transport {
 public:
  CurlTransport() { GlobalInitOnce(); }

  HttpStatus Perform(
      const HttpCall& call,
      const std::function<bool(std::string_view)>& on_chunk) override {
    HttpStatus result;
    EasyHandle easy(curl_easy_init());
    if (!easy) {
      result.error = "curl_easy_init failed";
      return result;
    }
    HeaderList headers = BuildHeaders(call);
    WriteContext context{&on_chunk};
    char error_buffer[CURL_ERROR_SIZE] = {};
    SetTransferOptions(easy.get(), call);
    SetMethodAndBody(easy.get(), call);
    curl_easy_setopt(easy.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, &OnWrite);
    curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &context);
    curl_easy_setopt(easy.get(), CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(easy.get(), CURLOPT_HEADERDATA, &context);

    const CURLcode code = curl_easy_perform(easy.get());
    long status = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
    result.status = static_cast<int>(status);
    result.retry_after = context.retry_after;
    if (code != CURLE_OK) {
      result.timed_out = code == CURLE_OPERATION_TIMEDOUT;
      if (context.aborted) {
        result.error = "transfer aborted by the response reader";
      } else {
        result.error =
            error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      }
    }
    return result;
  }
};

}  // namespace

std::unique_ptr<Transport> MakeCurlTransport() {
  return std::make_unique<CurlTransport>();
}

}  // namespace callcenter
