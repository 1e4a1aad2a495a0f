#!/usr/bin/env bash
# Starts a small mosaik cluster on this machine: N copies of the sample app (default 3), each with its
# own HTTP port and mosaik port, all on 127.0.0.1. Node 1 starts first; the others bootstrap to it.
# Node 1 is the exchange (it produces a stream of quotes), the others are traders (they consume it).
# Every node is a member of the counter group (a replicated counter, at /counter on each node), kept on
# disk in .demo/data/node-N, so the count survives a restart of the demo. Nodes 1 and 2 write the replicated
# balances map and order book (/balances, /book), node 3 reads them. Ctrl-C stops every node. Logs
# go to .demo/node-N.log.
#
#   scripts/demo-cluster.sh [--nodes N] [--transport tcp|quic] [--fresh]
#
# --fresh deletes the nodes' data first, so the counter starts again from 0 (needed after running with
# fewer nodes than before: the nodes that stay away are still voters of the group and a majority is
# missing).
#
# Node N listens on http://127.0.0.1:808N (actuator: /actuator/mosaik) and on mosaik port 740N.
set -euo pipefail

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

NODES=3
TRANSPORT=""
FRESH=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --nodes) NODES="${2:-}"; shift 2 ;;
        --nodes=*) NODES="${1#*=}"; shift ;;
        --transport) TRANSPORT="${2:-}"; shift 2 ;;
        --transport=*) TRANSPORT="${1#*=}"; shift ;;
        --fresh) FRESH=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
if ! [[ "$NODES" =~ ^[1-9]$ ]]; then
    echo "--nodes must be 1 to 9 (node N uses ports 808N and 740N), got '$NODES'" >&2
    exit 2
fi
if [[ -n "$TRANSPORT" && "$TRANSPORT" != tcp && "$TRANSPORT" != quic ]]; then
    echo "--transport must be tcp or quic, got '$TRANSPORT'" >&2
    exit 2
fi

# DEMO ONLY: a fixed, published secret key for node 1, so its peer id (and so the bootstrap address
# the other nodes use) is the same on every run. Never use a published key for a real node: anyone
# could impersonate it. Real deployments use mosaik.key-file or a secret from a secret store.
DEMO_NODE1_SECRET_KEY=6d6f7361696b2d64656d6f2d6e6f64652d312d6b65792d6f6e6c792d64656d6f

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO_DIR="$ROOT/.demo"
STARTUP_SECONDS=90

# --- a JDK >= 21 --------------------------------------------------------------------------------
JDK="$("$ROOT/scripts/java-home.sh")" || exit 1
JAVA="$JDK/bin/java"
command -v curl >/dev/null || { echo "curl is needed to check on the nodes; install it" >&2; exit 1; }

# --- the sample application jar -------------------------------------------------------------------
find_jar() {
    ls "$ROOT"/sample-app/target/sample-app-*.jar 2>/dev/null | grep -v -e '\.original$' -e 'sources' | head -n 1 || true
}
JAR="$(find_jar)"
if [[ -z "$JAR" ]]; then
    echo "building the sample app (once; takes a minute) with $JDK ..."
    (cd "$ROOT" && JAVA_HOME="$JDK" mvn -B -q -DskipTests -pl sample-app -am package)
    JAR="$(find_jar)"
    [[ -n "$JAR" ]] || { echo "the build produced no sample-app jar" >&2; exit 1; }
fi

# --- nodes --------------------------------------------------------------------------------------
mkdir -p "$DEMO_DIR"
if [[ "$FRESH" == true ]]; then
    rm -rf "$DEMO_DIR/data"
fi
PIDS=()

stop_nodes() {
    trap - INT TERM EXIT
    if [[ ${#PIDS[@]} -gt 0 ]]; then
        echo
        echo "stopping ${#PIDS[@]} node(s) ..."
        kill "${PIDS[@]}" 2>/dev/null || true
        local pid waited
        for pid in "${PIDS[@]}"; do
            for waited in $(seq 1 20); do # up to 10 s each for a graceful shutdown
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.5
            done
            kill -9 "$pid" 2>/dev/null || true
        done
    fi
}
trap stop_nodes EXIT
trap 'exit 130' INT TERM

# starts node N in the background; extra arguments go to the application
start_node() {
    local n="$1"; shift
    local args=(--server.port="$((8080 + n))" --server.address=127.0.0.1
                --mosaik.port="$((7400 + n))" --mosaik.bind-address=127.0.0.1
                # the counter group's log and snapshots, in .demo/data/node-N/groups/counter
                --mosaik.data-dir="$DEMO_DIR/data/node-$n" --mosaik.groups.counter.storage=disk)
    if [[ "$n" == 1 ]]; then # node 1 is the exchange: it produces the quotes stream
        args+=(--mosaik.discovery.tags="demo,node-$n,exchange" --sample.role=exchange)
    else                      # the others are traders: they consume it
        # a key file keeps the peer id across restarts, so the node comes back as the same group member
        args+=(--mosaik.discovery.tags="demo,node-$n" --sample.role=trader
               --mosaik.key-file="$DEMO_DIR/data/node-$n/node.key")
    fi
    # the balances map and the order book: nodes 1 and 2 write them, node 3 only reads its replicas
    [[ "$n" == 3 ]] && args+=(--sample.collections-role=reader)
    [[ -n "$TRANSPORT" ]] && args+=(--mosaik.transport="$TRANSPORT")
    "$JAVA" -Xmx256m -jar "$JAR" "${args[@]}" "$@" >"$DEMO_DIR/node-$n.log" 2>&1 &
    PIDS+=("$!")
}

# fetches /actuator/mosaik of node N
mosaik_json() {
    curl -fsS --max-time 5 -H 'Accept: application/json' "http://127.0.0.1:$((8080 + $1))/actuator/mosaik"
}

# prints the value of a string field of the node section ("peerId", "address")
json_field() {
    grep -o "\"$2\":\"[^\"]*\"" <<<"$1" | head -n 1 | cut -d'"' -f4
}

# waits until node N answers and is RUNNING; prints its JSON
await_node() {
    local n="$1" pid="$2" deadline=$((SECONDS + STARTUP_SECONDS)) body
    while (( SECONDS < deadline )); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "node $n exited during start-up; the end of $DEMO_DIR/node-$n.log:" >&2
            tail -n 25 "$DEMO_DIR/node-$n.log" >&2
            return 1
        fi
        if body="$(mosaik_json "$n" 2>/dev/null)" && [[ "$(json_field "$body" state)" == RUNNING ]]; then
            echo "$body"
            return 0
        fi
        sleep 1
    done
    echo "node $n did not answer within ${STARTUP_SECONDS}s; see $DEMO_DIR/node-$n.log" >&2
    return 1
}

echo "java: $JAVA ($("$JAVA" -version 2>&1 | head -n 1))"
echo "jar:  $JAR"
echo "starting node 1 ..."
MOSAIK_SECRETKEY="$DEMO_NODE1_SECRET_KEY" start_node 1 # from the environment: kept off the command line
NODE1_JSON="$(await_node 1 "${PIDS[0]}")"
BOOTSTRAP="$(json_field "$NODE1_JSON" address)"
[[ -n "$BOOTSTRAP" ]] || { echo "node 1 reported no address: $NODE1_JSON" >&2; exit 1; }
echo "node 1 is at $BOOTSTRAP"

for n in $(seq 2 "$NODES"); do
    echo "starting node $n (bootstrap: node 1) ..."
    start_node "$n" --mosaik.discovery.bootstrap="$BOOTSTRAP"
done

echo
printf '%-6s %-45s %s\n' node actuator "peer id"
printf '%-6s %-45s %s\n' 1 "http://127.0.0.1:8081/actuator/mosaik" "$(json_field "$NODE1_JSON" peerId)"
for n in $(seq 2 "$NODES"); do
    body="$(await_node "$n" "${PIDS[$((n - 1))]}")"
    printf '%-6s %-45s %s\n' "$n" "http://127.0.0.1:$((8080 + n))/actuator/mosaik" "$(json_field "$body" peerId)"
done
echo
echo "logs: $DEMO_DIR/node-N.log    try: curl -s -H 'Accept: application/json' http://127.0.0.1:8081/actuator/mosaik"
if (( NODES > 1 )); then
    echo "quotes flow from node 1 (exchange) to the traders: curl -s http://127.0.0.1:8082/quotes"
    echo "                     and their stats: curl -s http://127.0.0.1:8081/actuator/mosaik/streams"
fi
echo "a counter replicated on every node:   curl -s -X POST 'http://127.0.0.1:8081/counter/add?delta=5'"
echo "            read it back on node $NODES:   curl -s http://127.0.0.1:$((8080 + NODES))/counter"
echo "   kept in $DEMO_DIR/data across restarts (--fresh starts from 0)"
echo "          its group (leader, bonds):   curl -s http://127.0.0.1:8081/actuator/mosaik/groups"
echo "press Ctrl-C to stop the cluster"

# keep running until Ctrl-C, or until a node exits on its own
while true; do
    for i in "${!PIDS[@]}"; do
        if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
            echo "node $((i + 1)) exited; the end of $DEMO_DIR/node-$((i + 1)).log:" >&2
            tail -n 25 "$DEMO_DIR/node-$((i + 1)).log" >&2
            exit 1
        fi
    done
    sleep 2
done
