#!/usr/bin/env bash
# The CDK app command (cdk.json "app"): finds a JDK 25 like ./run-tests does, compiles tm-core and this module
# in one reactor, and runs dev.tmserverless.cdk.TmCdkApp (exec:exec; -Dexec.skip=true keeps tm-core from running).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../scripts/env.sh"
exec "${MVN[@]}" -q -f "$here/../../pom.xml" -pl shared/core,infra/cdk -Dexec.skip=true compile exec:exec
