#!/usr/bin/env bash
# Sums every Surefire/Failsafe XML report of the reactor and prints one closing line:
#   tests: N passed, N failed, N skipped
# (a reactor's last "Tests run:" line covers only its last module).
# Exit status: 1 if any test failed or errored, or if no test ran at all; else 0.
set -euo pipefail
root="${1:-.}"
total=0 failed=0 skipped=0
while IFS= read -r -d '' f; do
  head=$(grep -m1 -o '<testsuite [^>]*>' "$f" || true)
  [ -z "$head" ] && continue
  attr() { echo "$head" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  t=$(attr tests); e=$(attr errors); fl=$(attr failures); s=$(attr skipped)
  total=$((total + t)); failed=$((failed + e + fl)); skipped=$((skipped + s))
done < <(find "$root" -path '*/target/*-reports/TEST-*.xml' -print0)
passed=$((total - failed - skipped))
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$total" -eq 0 ] || [ "$failed" -gt 0 ]; then exit 1; fi
