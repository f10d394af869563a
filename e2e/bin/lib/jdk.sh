# Sourced by ./build and the e2e scripts: exports JAVA_HOME pointing at a JDK 21 or newer
# (io.strimzi:api is Java 21 bytecode; the machine's default java may be 17).
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }

pick_jdk() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]] && (( $(java_major "$JAVA_HOME") >= 21 )); then
    echo "$JAVA_HOME"; return
  fi
  local best="" best_major=0 dir major
  for dir in /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
    [[ -x "$dir/bin/javac" ]] || continue
    major=$(java_major "$dir") || continue
    if (( major >= 21 && major > best_major )); then best="$dir"; best_major=$major; fi
  done
  [[ -n "$best" ]] || { echo "no JDK 21 or newer found; install one (e.g. Temurin 21+) and set JAVA_HOME" >&2; return 1; }
  echo "$best"
}

JAVA_HOME="$(pick_jdk)"
export JAVA_HOME
