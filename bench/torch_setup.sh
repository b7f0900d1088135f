# Sourced by bench/engine.sh and bench/e2e.sh: sets PY to Debian's python3
# (not pyenv's, which lacks Debian's torch) and installs python3-torch and
# OpenBLAS when missing. Debian's torch calls the system BLAS
# (libblas.so.3); without OpenBLAS that is the reference BLAS and PyTorch
# would be ~20× slower than it can be, an unfair baseline.
PY=/usr/bin/python3
if ! "$PY" -c 'import torch' 2>/dev/null; then
	echo "installing python3-torch (several minutes)..." >&2
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch
fi
if ! ls /usr/lib/x86_64-linux-gnu/libopenblas*.so* >/dev/null 2>&1; then
	echo "installing libopenblas0-pthread for a fair PyTorch baseline..." >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y libopenblas0-pthread ||
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libopenblas0-pthread; }
fi
