#!/usr/bin/env bash
# Install the tools that `make run` and `make test` need, if they are missing, and print nothing
# when everything is already there.
#
# Usage: scripts/ensure-tools.sh [--cfn-lint] [--sam] [--cargo-lambda] [--browser]
#   Always ensures cargo and moto[server] (the local AWS mock that scripts/moto-server.py serves).
#   --cfn-lint also ensures cfn-lint and its serverless rules (cfn-lint-serverless).
#   --sam also ensures the SAM CLI (aws-sam-cli), for `sam validate` and `sam build`.
#   --cargo-lambda also ensures cargo lambda (with the zig linker it brings) and Rust's
#     aarch64-unknown-linux-gnu standard library, for Lambda's arm64 builds.
#   --browser also ensures Debian's chromium and chromedriver, which tests/browser.rs drives.
#
# Meant for a Debian machine as root with apt and pip. It does not install Rust or Docker.
set -euo pipefail

MOTO_REQUIREMENT='moto[server]==5.2.1'
CFN_LINT_SERVERLESS_REQUIREMENT='cfn-lint-serverless==0.3.6'
SAM_REQUIREMENT='aws-sam-cli==1.170.0'
CARGO_LAMBDA_REQUIREMENT='cargo-lambda==1.9.2'
want_cfn_lint=false
want_sam=false
want_cargo_lambda=false
want_browser=false

for arg in "$@"; do
    case "$arg" in
        --cfn-lint) want_cfn_lint=true ;;
        --sam) want_sam=true ;;
        --cargo-lambda) want_cargo_lambda=true ;;
        --browser) want_browser=true ;;
        *)
            echo "ensure-tools.sh: unknown argument '$arg'; usage: ensure-tools.sh [--cfn-lint] [--sam] [--cargo-lambda] [--browser]" >&2
            exit 2
            ;;
    esac
done

log() {
    echo "ensure-tools.sh: $*" >&2
}

apt_install() {
    log "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -qq update >/dev/null
    apt-get -qq install -y --no-install-recommends "$@" >/dev/null
}

pip_install() {
    log "installing $* with pip"
    local args=(--quiet --disable-pip-version-check --no-input)
    # Debian marks its Python as externally managed (PEP 668), so pip rejects plain installs.
    # As root, pip then writes to /usr/local/lib, where apt never writes, but modules there take
    # precedence over apt's python3-* copies.
    if python3 -c 'import sys, sysconfig, pathlib; sys.exit(not pathlib.Path(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED").exists())'; then
        args+=(--break-system-packages)
    fi
    python3 -m pip install "${args[@]}" "$@"
}

if ! command -v cargo >/dev/null 2>&1; then
    log "cargo not found; install the Rust toolchain (https://rustup.rs) and run this again"
    exit 1
fi

if ! command -v python3 >/dev/null 2>&1; then
    apt_install python3 python3-pip
elif ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip
fi

# These are the modules scripts/moto-server.py imports.
if ! python3 -c 'import moto.server, moto.moto_server.werkzeug_app, werkzeug.serving' >/dev/null 2>&1; then
    pip_install "$MOTO_REQUIREMENT"
fi

if "$want_cfn_lint" && ! command -v cfn-lint >/dev/null 2>&1; then
    pip_install cfn-lint
fi
if "$want_cfn_lint" && ! python3 -c 'import cfn_lint_serverless.rules' >/dev/null 2>&1; then
    pip_install "$CFN_LINT_SERVERLESS_REQUIREMENT"
fi

if "$want_sam" && ! command -v sam >/dev/null 2>&1; then
    pip_install "$SAM_REQUIREMENT"
fi

if "$want_cargo_lambda"; then
    if ! cargo lambda --version >/dev/null 2>&1; then
        pip_install "$CARGO_LAMBDA_REQUIREMENT"
    fi
    if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
        log "adding Rust's aarch64-unknown-linux-gnu target with rustup"
        rustup target add aarch64-unknown-linux-gnu >/dev/null
    fi
fi

# Debian's packages rather than a browser that a test tool downloads for itself, because that
# download needs network access beyond the package registries. chromium-driver provides
# chromedriver.
if "$want_browser" && ! { command -v chromedriver && command -v chromium; } >/dev/null 2>&1; then
    apt_install chromium chromium-driver
fi
