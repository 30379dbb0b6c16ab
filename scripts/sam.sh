#!/usr/bin/env bash
# Run the SAM CLI with settings that keep it on this machine: no telemetry, no instance
# metadata look-ups, and no version check. SAM's build, validate and generate-event commands
# query PyPI for a newer SAM CLI when their config folder's last check is a week old. This
# script gives them a config folder of the project's own and records a check at every run.
#
# Usage: scripts/sam.sh ARGS...   (for example: scripts/sam.sh validate --lint)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config_dir="$root/target/sam-cli"
mkdir -p "$config_dir"
python3 - "$config_dir/metadata.json" <<'PYTHON'
import json, sys, time
from pathlib import Path

path = Path(sys.argv[1])
try:
    metadata = json.loads(path.read_text())
except (OSError, ValueError):
    metadata = {}
metadata["telemetryEnabled"] = False
metadata["lastVersionCheck"] = time.time()
path.write_text(json.dumps(metadata))
PYTHON

export SAM_CLI_TELEMETRY=0
export AWS_EC2_METADATA_DISABLED=true
export __SAM_CLI_APP_DIR="$config_dir"
exec sam "$@"
