# Sourced by bench/imagebench.sh and bench/imagebench-gddim.sh (from the
# repository root, after they set BIN and the array common): on CORE ARGS...
# runs one `phasespace imagebench` pinned to one core with one thread, so
# that two runs side by side on a 2-core machine each get a whole core.
on() {
	local core=$1
	shift
	GOMAXPROCS=1 taskset -c "$core" "$BIN" imagebench "${common[@]}" --train-threads 1 "$@"
}
