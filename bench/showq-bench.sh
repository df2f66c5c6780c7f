#!/bin/bash
# showq-bench.sh [N] [DIR]: times bin/postqueue -p on a queue of N messages (default 100000)
# made in DIR (default: a new temp directory), first reading the queue directly (no master),
# the way ShowqBench does; run from the checkout after ./mvnw package.
set -euo pipefail
cd "$(dirname "$0")/.."
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
exec "$java" -cp target/posthorn.jar:target/test-classes org.posthorn.showq.ShowqBench "$@"
