#!/usr/bin/env bash
# Installs what `make run` (run) or `make test` (test) needs, only if something is missing.
set -euo pipefail
what=${1:-run}

apt_run=(libssl-dev pkg-config)
apt_test=(libsrtp2-dev iproute2 nftables util-linux chromium chromium-driver janus janus-demos libjs-janus-gateway
          libjs-webrtc-adapter libvpx-dev libopus-dev valgrind)
# "import name:PyPI name[version spec]"
pip_test=("aiortc:aiortc" "selenium:selenium" "websockets:websockets>=12" "pytest:pytest"
          "pytest_timeout:pytest-timeout" "requests:requests" "cryptography:cryptography")

packages=("${apt_run[@]}")
[ "$what" = test ] && packages+=("${apt_test[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
  need_pip=()
  for entry in "${pip_test[@]}"; do
    python3 -c "import ${entry%%:*}" 2>/dev/null || need_pip+=("${entry#*:}")
  done
  # websockets older than 12 (Debian's) has no sync client.
  python3 -c "import websockets, sys; sys.exit(int(websockets.__version__.split('.')[0]) < 12)" 2>/dev/null \
    || need_pip+=("websockets>=12")
  if [ ${#need_pip[@]} -gt 0 ]; then
    echo "installing PyPI packages: ${need_pip[*]}"
    python3 -m pip install -q "${need_pip[@]}" 2>/dev/null || python3 -m pip install -q --break-system-packages "${need_pip[@]}"
  fi
fi
