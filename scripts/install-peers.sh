#!/usr/bin/env bash
# Installs the system peers that `pnpm test:interop` talks to (Debian/Ubuntu).
# Idempotent and quiet: installs only what is missing, prints one line per step.
set -euo pipefail

PACKAGES=(
  # CAS clients for keycloak-cas-bridge
  apache2 libapache2-mod-auth-cas php-cas
  php-cli php-curl php-xml php-mbstring
  # SAML 2.0 identity provider for peertube-auth-saml2
  simplesamlphp
  # promtool and a real Prometheus for every /metrics
  prometheus
  # browser for accessibility and end-to-end tests
  chromium
  # PHPUnit and PHP's SQLite driver for nextcloud-laboite's PHP shell
  phpunit php-sqlite3
  # antivirus for bbb-upload
  clamav clamav-daemon clamdscan
  # databases (already running on the project's machines; installed here for other hosts)
  postgresql redis-server
  # Redis Sentinel for the CAS bridge's failover test
  redis-sentinel
  # test certificate authority
  openssl
)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-peers: apt-get not found; install these packages with your system's package manager: ${PACKAGES[*]}" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-peers: all ${#PACKAGES[@]} system peers already installed"
  exit 0
fi

echo "install-peers: installing ${missing[*]}"
# Keep package scripts from starting system services (Apache on :80, clamd, freshclam):
# tests start their own instances on free ports.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/install-peers.log 2>&1 || {
  echo "install-peers: apt-get failed; last lines of /tmp/install-peers.log:" >&2
  tail -n 30 /tmp/install-peers.log >&2
  exit 1
}
echo "install-peers: done"
