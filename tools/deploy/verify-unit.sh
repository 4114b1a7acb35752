#!/usr/bin/env bash
# Checks deploy/ims-server.service offline: `systemd-analyze verify` (syntax, unknown keys, bad
# values; any warning fails) and `systemd-analyze security` (exposure at most 1.5 of 10; 1.2 today). Needs
# Debian's `systemd` package (no running systemd). Run by `npm run deploy-check` in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
unit=deploy/ims-server.service
command -v systemd-analyze >/dev/null || { echo "verify-unit: systemd-analyze not found (apt-get install systemd)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify also checks that ExecStart's program exists: a stub stands in for the installed one.
printf '#!/bin/sh\n' >"$tmp/ims-server"
chmod 755 "$tmp/ims-server"
sed "s#^ExecStart=/usr/local/bin/ims-server\$#ExecStart=$tmp/ims-server#" "$unit" >"$tmp/ims-server.service"
grep -q "^ExecStart=$tmp/ims-server\$" "$tmp/ims-server.service" || { echo "verify-unit: $unit: ExecStart is not /usr/local/bin/ims-server" >&2; exit 1; }
# The hardening docs/deploying.md promises: each must be set (the last assignment wins in systemd).
for want in DynamicUser=yes StateDirectory=ims-server Restart=on-failure NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes; do
  last=$(grep "^${want%%=*}=" "$unit" | tail -1)
  [ "$last" = "$want" ] || { echo "verify-unit: $unit must set $want (has: ${last:-nothing})" >&2; exit 1; }
done
out=$(cd "$tmp" && systemd-analyze verify ims-server.service 2>&1) || { echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then echo "$out" >&2; exit 1; fi
score=$(cd "$tmp" && systemd-analyze security --offline=yes --threshold=15 --no-pager ims-server.service 2>&1 | grep 'Overall exposure') || {
  (cd "$tmp" && systemd-analyze security --offline=yes --no-pager ims-server.service) >&2 || true
  echo "verify-unit: exposure above 1.5" >&2
  exit 1
}
echo "verify-unit: $unit verified; ${score#→ }"
