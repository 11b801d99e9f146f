#!/usr/bin/env bash
# Installs the Debian packages the tests use, when missing: dcmtk makes real DICOM files, Chromium is the
# browser for the site and admin end-to-end tests (driven by playwright-core; no browser is downloaded).
# Runs before `npm test` (pretest). Needs root for apt-get; otherwise says what to install.
set -u
need=()
command -v dump2dcm >/dev/null 2>&1 || need+=(dcmtk)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} (apt-get)…"
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
