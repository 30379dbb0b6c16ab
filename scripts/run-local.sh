#!/usr/bin/env bash
# Runs the whole lockbox on this machine: starts the moto emulator on loopback (unless
# AWS_ENDPOINT_URL already names one) and then lockbox-local, which serves every route.
# Settings: see the README (LOCKBOX_LISTEN, LOCKBOX_EXPIRY_INTERVAL, LOCKBOX_REQUEST_EXPIRY, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

# Fixed test credentials for the emulator, and no instance metadata look-ups.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
export AWS_REGION="${AWS_REGION:-us-east-1}"

if [[ -z "${AWS_ENDPOINT_URL:-}" ]]; then
  port="${MOTO_PORT:-5000}"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port on 127.0.0.1 is already in use. Set MOTO_PORT to a free port, or AWS_ENDPOINT_URL to a running emulator." >&2
    exit 1
  fi
  python3 scripts/moto-server.py --host 127.0.0.1 --port "$port" --exit-with-parent >>.moto.log 2>&1 &
  moto_pid=$!
  trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"

  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      break
    fi
    if ! kill -0 "$moto_pid" 2>/dev/null; then
      echo "The moto emulator stopped during start-up; see .moto.log." >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "moto emulator on $AWS_ENDPOINT_URL (log: .moto.log)"
fi

echo "Building lockbox-local (the first build takes several minutes)..."
cargo build --quiet -p lockbox-local
"${CARGO_TARGET_DIR:-target}/debug/lockbox-local"
