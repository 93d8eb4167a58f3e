#!/usr/bin/env bash
# `make run-scaled`: the PostgreSQL- and Redis-backed stack with several processes behind
# nginx on one port, under supervisord (which restarts what dies). Every value below can be
# set in the environment first; README "Running on several hosts" explains them.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${SCALED_POSTGRES:=postgresql://postgres@127.0.0.1:5432}"
: "${PUBLIC_PORT:=8000}"
: "${PUBLIC_HOST:=127.0.0.1}"  # 0.0.0.0 to be reached from other machines
export DATABASE_URL="${SCALED_DATABASE_URL:-$SCALED_POSTGRES/supportbot}"
export RASA_TRACKER_URL="${SCALED_RASA_TRACKER_URL:-$SCALED_POSTGRES/supportbot_rasa}"
export REDIS_URL="${SCALED_REDIS_URL:-redis://127.0.0.1:6379/0}"
export RASA_LOCK_REDIS_HOST="${RASA_LOCK_REDIS_HOST:-127.0.0.1}"
export RASA_LOCK_REDIS_PORT="${RASA_LOCK_REDIS_PORT:-6379}"
export RASA_LOCK_REDIS_DB="${RASA_LOCK_REDIS_DB:-1}"
export RASA_LOCK_PREFIX="${RASA_LOCK_PREFIX:-supportbot}"
export RASA_WORKERS="${RASA_WORKERS:-2}"
export RASA_FIRST_PORT="${RASA_FIRST_PORT:-5011}"
export BRIDGE_WORKERS="${BRIDGE_WORKERS:-2}"
export BRIDGE_FIRST_PORT="${BRIDGE_FIRST_PORT:-8011}"
export PUBLIC_URL="${SCALED_PUBLIC_URL:-http://127.0.0.1:$PUBLIC_PORT}"
# The action server reaches the bridges through nginx too, like everyone else.
export BRIDGE_URL="$PUBLIC_URL"
# The bridges sit behind nginx on this host: believe its X-Forwarded-For, nobody else's.
export FORWARDED_ALLOW_IPS="${FORWARDED_ALLOW_IPS:-127.0.0.1}"
export RUN_DIR="${RUN_DIR:-$PWD/var}"  # pid files, sockets, nginx's config and temp files
export NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"

for n in "$RASA_WORKERS" "$BRIDGE_WORKERS" "$RASA_FIRST_PORT" "$BRIDGE_FIRST_PORT" "$PUBLIC_PORT"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "not a positive number: $n" >&2; exit 2; }
done
[[ -x "$NGINX" ]] || { echo "nginx is missing: sudo apt-get install nginx" >&2; exit 1; }

rasa_urls=() servers=""
for ((i = 0; i < RASA_WORKERS; i++)); do rasa_urls+=("http://127.0.0.1:$((RASA_FIRST_PORT + i))"); done
for ((i = 0; i < BRIDGE_WORKERS; i++)); do
  # max_fails=0: on loopback a down bridge refuses at once, so nginx just tries the next
  # one; never "no live upstreams" while both restart (deploy/nginx.conf for remote hosts).
  servers+="server 127.0.0.1:$((BRIDGE_FIRST_PORT + i)) max_fails=0; "
done
RASA_URLS="$(IFS=,; echo "${rasa_urls[*]}")"
export RASA_URLS

mkdir -p "$RUN_DIR/nginx"
sed -e "s|@LISTEN@|$PUBLIC_HOST:$PUBLIC_PORT|" -e "s|@SERVERS@|$servers|" -e "s|@VAR@|$RUN_DIR|g" \
  deploy/nginx.conf > "$RUN_DIR/nginx.conf"
"$NGINX" -t -q -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log"

.venv/bin/supportbot db create
.venv/bin/supportbot db create "$RASA_TRACKER_URL"
.venv/bin/supportbot db upgrade

exec .venv/bin/supervisord -c deploy/supervisord-scaled.conf
