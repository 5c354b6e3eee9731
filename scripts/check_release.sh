#!/usr/bin/env bash
# Checks scripts/release.sh end to end for this machine's target, in a temporary folder: builds
# the release (DENORT_BIN defaults to the deno executable when denort cannot be downloaded, see
# scripts/denort.sh), verifies SHA256SUMS with `sha256sum -c` (and that a damaged archive
# fails it), unpacks the archive and checks its layout: exactly the binary (executable), the
# systemd unit, the two environment examples, README.md and LICENSE, the last five identical to the
# checkout's. When the binary is a real build (not deno itself), it must print its version.
set -euo pipefail
cd "$(dirname "$0")/.."
D=./scripts/deno
source scripts/denort.sh
default_denort_bin
version=$(sed -n 's/.*VERSION = "\(.*\)".*/\1/p' src/cli/version.ts)
target=$("$D" eval --quiet 'console.log(Deno.build.target)')
name="kafscale-$version-$target"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "release check: Cannot verify the release: $*" >&2; exit 1; }

bash scripts/release.sh --host-only --dist "$tmp/dist"
[ -f "$tmp/dist/$name.tar.gz" ] || fail "$name.tar.gz was not built"
[ "$(awk '{print $2}' "$tmp/dist/SHA256SUMS")" = "$name.tar.gz" ] ||
  fail "SHA256SUMS should list exactly $name.tar.gz: $(cat "$tmp/dist/SHA256SUMS")"
(cd "$tmp/dist" && sha256sum -c SHA256SUMS) || fail "sha256sum -c SHA256SUMS failed"

# A damaged archive must not pass.
mkdir "$tmp/damaged"
cp "$tmp/dist/SHA256SUMS" "$tmp/damaged/"
{ head -c 1000 "$tmp/dist/$name.tar.gz"; printf 'x'; tail -c +1002 "$tmp/dist/$name.tar.gz"; } \
  > "$tmp/damaged/$name.tar.gz"
if (cd "$tmp/damaged" && sha256sum -c --quiet SHA256SUMS >/dev/null 2>&1); then
  fail "sha256sum -c accepted a damaged archive"
fi

expected="$name/LICENSE
$name/README.md
$name/deploy/kafscale-secure.env.example
$name/deploy/kafscale.env.example
$name/deploy/kafscale.service
$name/kafscale"
listing=$(tar -tzf "$tmp/dist/$name.tar.gz" | grep -v '/$' | LC_ALL=C sort)
[ "$listing" = "$expected" ] || fail "unexpected layout:
$listing
expected:
$expected"
mkdir "$tmp/unpacked"
tar -xzf "$tmp/dist/$name.tar.gz" -C "$tmp/unpacked"
root="$tmp/unpacked/$name"
[ -x "$root/kafscale" ] || fail "$name/kafscale is not executable"
for f in README.md LICENSE deploy/kafscale.service deploy/kafscale.env.example \
  deploy/kafscale-secure.env.example; do
  cmp -s "$f" "$root/$f" || fail "$name/$f differs from the checkout's $f"
done
if [ "$(realpath "$DENORT_BIN" 2>/dev/null)" = "$(realpath "$("$D" eval --quiet 'console.log(Deno.execPath())')")" ]; then
  echo "release check: $name/kafscale not run (built with DENORT_BIN=deno, it starts deno)" >&2
else
  out=$("$root/kafscale" --version) || fail "$name/kafscale --version failed"
  [ "$out" = "kafscale $version" ] || fail "$name/kafscale --version printed: $out"
fi
echo "release check: ok ($name.tar.gz, $(stat -c %s "$tmp/dist/$name.tar.gz") bytes)"
