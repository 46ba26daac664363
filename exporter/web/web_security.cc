#include "web/web_security.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace callcenter::web {
namespace {

// bcrypt's usual cost, for the dummy when no user is configured.
constexpr int kDefaultCost = 10;

std::string JoinProblems(const std::vector<std::string>& problems) {
  std::string joined;
  for (const std::string& problem : problems) {
    joined += (joined.empty() ? "" : "; ") + problem;
  }
  return joined;
}

// PEM text (the private key above all) is not kept once it was loaded.
void WipePem(TlsSettings* tls) {
  for (std::string* pem :
       {&tls->key_pem, &tls->cert_pem, &tls->client_ca_pem}) {
    OPENSSL_cleanse(pem->data(), pem->size());
    pem->clear();
  }
}

// Builds what serving needs from a parsed config without problems.
std::shared_ptr<const LoadedWebConfig> Finish(
    WebConfig config, std::vector<std::string>* errors) {
  auto loaded = std::make_shared<LoadedWebConfig>();
  if (config.tls.enabled) {
    loaded->tls = TlsContext::Build(config.tls, errors);
    if (loaded->tls == nullptr) {
      WipePem(&config.tls);
      return nullptr;
    }
  }
  // As costly as the dearest configured hash, so that an unknown user takes
  // at least as long as any known one.
  int cost = 0;
  for (const auto& [user, hash] : config.users) {
    cost = std::max(cost, BcryptCost(hash));
  }
  loaded->dummy_hash = DummyBcryptHash(cost == 0 ? kDefaultCost : cost);
  WipePem(&config.tls);
  loaded->config = std::move(config);
  return loaded;
}

}  // namespace

std::shared_ptr<const LoadedWebConfig> LoadWebConfig(
    const std::string& path, std::vector<std::string>* errors) {
  std::vector<std::string> problems;
  WebConfig config = ReadWebConfig(path, &problems);
  std::shared_ptr<const LoadedWebConfig> loaded;
  if (problems.empty()) {
    loaded = Finish(std::move(config), &problems);
  } else {
    WipePem(&config.tls);
  }
  errors->insert(errors->end(), problems.begin(), problems.end());
  return problems.empty() ? loaded : nullptr;
}

WebSecurity::WebSecurity(std::string path,
                         std::shared_ptr<const LoadedWebConfig> initial,
                         const core::Logger& logger)
    : path_(std::move(path)),
      logger_(logger),
      tls_(initial->tls != nullptr),
      current_(std::move(initial)),
      watched_(current_->config.files),
      families_(MakeFamilies()) {}

Security WebSecurity::Hooks() {
  Security security;
  security.authorize = [this](const HttpRequest& request) {
    return Authorize(request);
  };
  security.response_headers = [this] { return ResponseHeaders(); };
  if (tls_) {
    security.configure_tls = [this](void* ssl_ctx, std::string* error) {
      return PrepareListener(ssl_ctx, this, error);
    };
  }
  return security;
}

void WebSecurity::SetOnChange(std::function<void()> on_change) {
  std::lock_guard<std::mutex> lock(mutex_);
  on_change_ = std::move(on_change);
}

bool WebSecurity::Changed() const {
  return std::any_of(watched_.begin(), watched_.end(), [](const auto& file) {
    return StampFile(file.first) != file.second;
  });
}

std::shared_ptr<const LoadedWebConfig> WebSecurity::Current() {
  std::function<void()> notify;
  std::shared_ptr<const LoadedWebConfig> current;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!Changed()) return current_;
    std::vector<std::string> problems;
    WebConfig config = ReadWebConfig(path_, &problems);
    // Followed from now on even when broken: fixing any of them retries.
    watched_ = config.files;
    std::shared_ptr<const LoadedWebConfig> loaded;
    if (problems.empty()) {
      loaded = Finish(std::move(config), &problems);
    } else {
      WipePem(&config.tls);
    }
    if (loaded != nullptr && (loaded->tls != nullptr) != tls_) {
      // The listeners were started as HTTPS or HTTP; that cannot change
      // under them.
      problems.push_back(
          "tls_server_config: turning TLS on or off needs a restart");
      loaded = nullptr;
    }
    if (loaded != nullptr) {
      current_ = std::move(loaded);
      ++successes_;
      last_ok_ = true;
      logger_.Info("web", "web config reloaded",
                   {{"file", path_},
                    {"users", std::to_string(current_->config.users.size())}});
    } else {
      ++failures_;
      last_ok_ = false;
      logger_.Error("web",
                    "cannot reload the web config; keeping the last good one",
                    {{"file", path_}, {"err", JoinProblems(problems)}});
    }
    notify = on_change_;
    current = current_;
  }
  if (notify) notify();
  return current;
}

std::shared_ptr<const TlsContext> WebSecurity::CurrentTls() {
  return Current()->tls;
}

std::optional<HttpResponse> WebSecurity::Authorize(const HttpRequest& request) {
  const std::shared_ptr<const LoadedWebConfig> config = Current();
  if (config->config.users.empty()) return std::nullopt;
  if (authenticator_.Check(config->config.users, config->dummy_hash,
                           request.Header("authorization"))) {
    return std::nullopt;
  }
  return Unauthorized();
}

std::vector<std::pair<std::string, std::string>>
WebSecurity::ResponseHeaders() {
  return Current()->config.headers;
}

std::vector<core::FamilySpec> WebSecurity::Families() const {
  return families_;
}

std::vector<core::FamilySpec> WebSecurity::MakeFamilies() {
  return {
      {"callcenter_exporter_web_config_reloads_total",
       "Reads of --web.config.file after it changed, by result; a failure "
       "keeps the last good config.",
       core::MetricType::kCounter,
       {"result"}},
      {"callcenter_exporter_web_config_last_reload_successful",
       "1 when the last read of --web.config.file succeeded, 0 when the "
       "exporter serves an older config.",
       core::MetricType::kGauge,
       {}},
  };
}

void WebSecurity::Render(core::MetricSink& sink) const {
  sink.Begin(families_[0]);
  sink.Sample(core::LabelSet{{"result", "success"}},
              static_cast<double>(successes_.load()));
  sink.Sample(core::LabelSet{{"result", "failure"}},
              static_cast<double>(failures_.load()));
  sink.Begin(families_[1]);
  sink.Sample(core::LabelSet{}, last_ok_.load() ? 1.0 : 0.0);
}

}  // namespace callcenter::web
