#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/tests/fuzz for SECONDS each,
# starting from the seed corpus in tests/fuzz/corpus/<name without fuzz_>.
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [SECONDS]}
secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	seeds="$here/corpus/${name#fuzz_}"
	mkdir -p "$work/$name"
	args=("$work/$name")
	[ -d "$seeds" ] && args+=("$seeds")
	echo "fuzz: $name for ${secs}s"
	if ! "$bin" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$work/$name-" "${args[@]}" >"$work/$name.log" 2>&1; then
		echo "fuzz: $name FAILED"; tail -n 40 "$work/$name.log"
		mkdir -p "$build/fuzz-artifacts"
		cp "$work/$name-"* "$build/fuzz-artifacts/" 2>/dev/null || true
		status=1
	else
		grep -E "stat::number_of_executed_runs|stat::new_units_added" "$work/$name.log" | tr '\n' ' '; echo
	fi
done
exit $status
