#!/usr/bin/env bash
# Installs the system packages Dance builds against, when they are missing.
# libopenblas-openmp-dev is the OpenMP build of OpenBLAS, which the engine links so that BLAS, oneDNN
# and its own loops share one thread pool (libgomp's).
# As root it runs apt-get; otherwise it prints the command to run. Safe to run repeatedly.
set -euo pipefail

packages=(pkg-config zlib1g-dev libpng-dev libdeflate-dev libisal-dev libjpeg-dev libopenblas-dev libsqlite3-dev libdnnl-dev libopenblas-openmp-dev)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Optional: Debian's Chromium, for the test that renders the audit page (AuditPageTests skips
# without it). Its absence or a failed install never fails this script; DANCE_NO_CHROMIUM=1 skips it.
install_optional_chromium() {
  [ -n "${DANCE_NO_CHROMIUM:-}" ] && return 0
  command -v chromium >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "dance: installing chromium (optional, for the audit page test)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
      || echo "dance: chromium not installed (optional; the audit page test will be skipped)" >&2
  else
    echo "dance: optional: 'sudo apt-get install -y chromium' enables the audit page test" >&2
  fi
  return 0
}

if [ ${#missing[@]} -eq 0 ]; then
  install_optional_chromium || true
  exit 0
fi

echo "dance: installing missing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  install_optional_chromium || true
else
  echo "dance: run this first (needs root):" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
