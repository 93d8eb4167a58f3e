#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter for Rasa 3.6 (which does not run on 3.11+),
# or explains how to get one and fails.
set -euo pipefail
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  candidates+=("$(pyenv root)"/versions/3.10.*/bin/python3.10)
fi
candidates+=("$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10)
for py in "${candidates[@]}"; do
  if [ -x "$py" ] && "$py" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$py"
    exit 0
  fi
done
cat >&2 <<'MSG'
Rasa 3.6 needs Python 3.10, and none was found (looked on PATH and under pyenv).
Get one, then run make again:
  - with pyenv:   pyenv install 3.10.13
  - on Debian/Ubuntu: sudo apt-get install python3.10 python3.10-venv  (deadsnakes PPA on Ubuntu)
  - with uv:      uv python install 3.10   (then put it on PATH)
Or point the Makefile at it: make PYTHON310=/path/to/python3.10 ...
MSG
exit 1
