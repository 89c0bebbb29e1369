#!/usr/bin/env bash
# Time from a clean clone to the first bot reply: clone, `make install`, `make train`,
# then start the server and send one message (benchmarks/startup.py).
#     bash benchmarks/clean_clone.sh
# Note: pip's download cache on the machine is used when it is there.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
SECONDS=0
git clone -q "$src" "$dir/brukarrost"
cd "$dir/brukarrost"
make -s install >/dev/null 2>&1
installed=$SECONDS
make -s train >/dev/null 2>&1
trained=$SECONDS
.venv/bin/python benchmarks/startup.py
echo "install: ${installed} s"
echo "train: $((trained - installed)) s"
echo "clean clone to first bot reply: ${SECONDS} s"
