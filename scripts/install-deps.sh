#!/usr/bin/env bash
# Installs every Debian 12 package the build, the demo and the tests need.
# Idempotent: packages already present are skipped, so a second run is quick.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config ca-certificates curl python3 python3-yaml
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev rapidjson-dev
  libyaml-cpp-dev zlib1g-dev libssl-dev libcrypt-dev
  # tests: unit, fuzz smoke (clang's libFuzzer with ASan/UBSan), real peers
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev llvm
  prometheus prometheus-alertmanager openssl
  # packaging: cpack's .deb, systemd-analyze verify of the unit, strace to
  # check the unit's system-call filter against what the binary really calls
  dpkg-dev fakeroot systemd strace
  # browser test of the /live page
  chromium chromium-driver python3-selenium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
