#!/usr/bin/env bash
# Install the TeX Live packages `make paper` needs, when it can do so safely: as root on
# Debian or Ubuntu. Anywhere else, print the exact command and fail, rather than guess.
# The package list is tools/tex-packages.txt (also read by .ci/run and papertools).
set -euo pipefail
list="$(dirname "$0")/tex-packages.txt"
mapfile -t PACKAGES < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
cmd="apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && grep -qiE 'debian|ubuntu' /etc/os-release; then
  echo "latexmk not found: installing TeX Live ($cmd)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
else
  echo "error: latexmk not found. Install TeX Live, then rerun make paper:" >&2
  echo "  Debian/Ubuntu:  sudo sh -c '$cmd'" >&2
  echo "  macOS:          brew install --cask mactex-no-gui" >&2
  exit 1
fi
