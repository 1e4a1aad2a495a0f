#!/usr/bin/env bash
# Prints a JAVA_HOME of version 21 or newer: $JAVA_HOME if it qualifies, else the newest JDK under
# /usr/lib/jvm. Exits 1 with a message when there is none. Source-free: call it as $(scripts/java-home.sh).
set -euo pipefail
version_of() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(version_of "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
  echo "$JAVA_HOME"; exit 0
fi
best="" best_version=0
for home in /usr/lib/jvm/*; do
  [ -x "$home/bin/javac" ] || continue
  v=$(version_of "$home") || continue
  if [ "${v:-0}" -ge 21 ] 2>/dev/null && [ "$v" -gt "$best_version" ]; then best="$home"; best_version="$v"; fi
done
if [ -z "$best" ]; then
  echo "no JDK 21 or newer found: install one (Temurin 25 recommended) and set JAVA_HOME" >&2
  exit 1
fi
echo "$best"
