#!/usr/bin/env python3
"""Serve moto's AWS API mocks on a loopback address, one request at a time.

moto 5.2.1 checks the conditions of a DynamoDB TransactWriteItems call and writes its items
without a lock. On moto's default threaded server, two concurrent transactions can therefore
both pass the same condition, which real DynamoDB never allows. Serving one request at a time
restores that guarantee for local runs and tests.

Requires the pip package moto[server] (scripts/ensure-tools.sh installs it).
"""

import argparse
import ipaddress
import os
import signal
import sys
import threading
import time


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on: 127.x.x.x, ::1 or localhost (default: %(default)s)",
    )
    parser.add_argument("--port", type=int, default=5000, help="TCP port to listen on (default: %(default)s)")
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="exit when the process that started this one exits, so that test runs leave no server behind",
    )
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"--host {args.host} is not a loopback address; use 127.0.0.1, ::1 or localhost")
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port} is out of range; use 1 to 65535")
    return args


def exit_when_orphaned() -> None:
    """Polls the parent process id once a second and exits when the parent has gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    args = parse_args(sys.argv[1:])
    if args.exit_with_parent:
        exit_when_orphaned()

    # Some moto handlers create boto3 clients of their own (the SES v2 identity calls do in moto
    # 5.2.1). Without credentials in the environment, boto3 would look for them at the EC2
    # metadata address, so the emulator gets fixed test credentials and no metadata look-ups.
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

    # Imported only now because importing moto takes about a second, and a parent that exits
    # during that time must still be noticed.
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    # moto reads MOTO_PORT when it calls its own endpoint, for example from Step Functions or
    # CloudFormation custom resources. moto's own launcher sets it the same way.
    os.environ.setdefault("MOTO_PORT", str(args.port))

    # Exit with status 0 on SIGTERM, as on Ctrl-C, so that callers can tell a stop from a crash.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))

    app = DomainDispatcherApplication(create_backend_app)
    try:
        run_simple(args.host, args.port, app, threaded=False, use_reloader=False)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
