#!/usr/bin/env bash
# Installs the system packages Dance builds against, when they are missing.
# As root it runs apt-get; otherwise it prints the command to run. Safe to run repeatedly.
set -euo pipefail

packages=(pkg-config zlib1g-dev libpng-dev libdeflate-dev libjpeg-dev libopenblas-dev libsqlite3-dev)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "dance: installing missing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "dance: run this first (needs root):" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
