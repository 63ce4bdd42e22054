# Sourced by run-local, run-tests and bench: finds a JDK 25 and checks the other tools.
find_jdk25() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$d" ] && candidates+=("$d")
  done
  local c v
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME=$(find_jdk25); then
  echo "tm-serverless needs a JDK 25 (javac included). Install one (for example Temurin 25) and set JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

for tool in mvn node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "tm-serverless needs '$tool' on the PATH (Maven 3.8+, Node.js 20+ with npm)." >&2
    exit 1
  fi
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "tm-serverless needs Node.js 20 or newer (found $(node --version))." >&2
  exit 1
fi

# The emulators' npm packages (dynalite, s3rver), pinned by the committed package-lock.json.
ensure_node_modules() {
  local dir="$1/infra/emulators/node"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) && touch "$dir/node_modules"
  fi
}

export AWS_EC2_METADATA_DISABLED=true
MVN=(mvn -B -ntp)
