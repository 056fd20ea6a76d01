# Sourced by ./tally and .ci/run: exports JAVA_HOME pointing at a JDK >= 21, and
# TALLY_JDK_MAJOR, its feature version (21, 25, ...).
# Order: $JAVA_HOME if it is new enough, then the JDKs under /usr/lib/jvm and
# /opt, then whatever `java` is on the PATH. Fails loudly if none qualifies.
tally_jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
}
tally_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(tally_jdk_major "$c")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$major:$c"
      return 0
    fi
  done
  return 1
}
if ! TALLY_JDK=$(tally_find_jdk); then
  echo "tally: no JDK 21 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm, /opt and the PATH)." >&2
  echo "tally: install one (e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+) or set JAVA_HOME." >&2
  exit 1
fi
export TALLY_JDK_MAJOR="${TALLY_JDK%%:*}"
TALLY_JDK="${TALLY_JDK#*:}"
export JAVA_HOME="$TALLY_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
