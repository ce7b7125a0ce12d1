#!/bin/sh
# Rechecks src/math/ against this machine's libm and regenerates its data. Needs gcc and x86_64 glibc 2.36 with FMA
# (Debian 12 on a CPU with FMA and AVX2); the tests themselves need neither.
#
#   tools/reference/glibc-math/regenerate.sh check [count]   compare the port with libm on <count> (default 25000000)
#                                                           records per function (and fma), bit for bit
#   tools/reference/glibc-math/regenerate.sh fixtures        rewrite test/fixtures/glibc-math/*.json
#   tools/reference/glibc-math/regenerate.sh tables <glibc>  rewrite src/math/tables-*.ts from a glibc 2.36
#                                                           source tree (git checkout of tag glibc-2.36)
set -eu
cd "$(dirname "$0")/../../.."
here=tools/reference/glibc-math
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = tables ]; then
  # The tables come first: the port does not compile without them.
  gcc -O0 -w -I"$here/compat" -I"$2/sysdeps/ieee754/dbl-64" -o "$work/tables" "$here/tables.c"
  for t in sincos pow log; do "$work/tables" "$t" > "src/math/tables-$t.ts"; done
  exit 0
fi

gcc -O0 -fno-builtin -o "$work/reference" "$here/reference.c" -lm
# Compile the port (plain tsc, no bundling) and a copy whose fma is a * b + c, used to find the hard cases.
npx tsc --outDir "$work/port" --module nodenext --moduleResolution nodenext --target es2022 --strict \
  --noUncheckedIndexedAccess --skipLibCheck --removeComments src/math/index.ts src/math/fma.ts
cp -r "$work/port" "$work/naive"
echo 'export function fma(a, b, c) { return a * b + c; }' > "$work/naive/fma.js"

case "${1:-check}" in
check)
  status=0
  for fn in fma cos pow log; do
    "$work/reference" "$fn" "${2:-25000000}" 20261202 > "$work/$fn.bin" 2> /dev/null
    node "$here/check.mjs" "$work/port" "$fn" "$work/$fn.bin" || status=1
    rm "$work/$fn.bin"
  done
  exit $status
  ;;
fixtures)
  for fn in fma cos pow log; do
    structured=$("$work/reference" "$fn" 6000000 1 2>&1 > "$work/$fn.bin" | sed -n 's/^structured //p')
    node "$here/make-fixture.mjs" "$work/port" "$work/naive" "$fn" "$work/$fn.bin" "$structured" \
      "test/fixtures/glibc-math/$fn.json"
    rm "$work/$fn.bin"
  done
  ;;
*)
  echo "usage: $0 check [count] | fixtures | tables <glibc source tree>" >&2
  exit 2
  ;;
esac
