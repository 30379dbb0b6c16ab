.DEFAULT_GOAL := help

BINARIES := submit evaluate-jit notify decide expire audit-query
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))

# The AWS SDKs must never fall back to the EC2 instance metadata service for credentials or
# region; locally everything talks to moto on 127.0.0.1.
export AWS_EC2_METADATA_DISABLED := true

.PHONY: help run test lint build-release lambda-build sam-build sizes bench clean

help:
	@echo 'Targets:'
	@echo '  run            install missing tools, then run the service locally against moto (scripts/run-local.sh)'
	@echo '  test           install missing tools, run all cargo tests (cargo lambda runs included), then'
	@echo '                 check template.yaml with cfn-lint (serverless rules too) and sam validate --lint'
	@echo '  lint           cargo fmt --check and cargo clippy with warnings as errors'
	@echo '  build-release  build every function binary in release mode for the host target'
	@echo '  lambda-build   build the six functions for Lambda (arm64) with cargo lambda'
	@echo '  sam-build      build the stack for deployment with sam build (into .aws-sam/)'
	@echo '  sizes          build-release, then print the size of each function binary'
	@echo '  bench          build release binaries, then measure cold starts and sizes (BENCH_RUNS, default 30)'
	@echo '  clean          remove cargo and sam build output'

run:
	bash scripts/ensure-tools.sh
	bash scripts/run-local.sh

test:
	bash scripts/ensure-tools.sh --cfn-lint --sam --cargo-lambda --browser
	cargo test --workspace --all-targets
	cfn-lint template.yaml --append-rules cfn_lint_serverless.rules
	bash scripts/sam.sh validate --lint

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

build-release:
	cargo build --release --workspace --bins

# The Lambda builds are arm64 release builds with LTO, so each takes minutes; `make test` leaves
# them out. sam-build runs the same cargo lambda build for each function in template.yaml.
lambda-build:
	bash scripts/ensure-tools.sh --cargo-lambda
	cargo lambda build --release --arm64 $(addprefix --bin ,$(BINARIES))

sam-build:
	bash scripts/ensure-tools.sh --sam --cargo-lambda
	bash scripts/sam.sh build

# These are host-target sizes. The Lambda build (cargo lambda for arm64) has different sizes.
sizes: build-release
	@for binary in $(BINARIES); do \
		size=$$(stat -c %s "$(TARGET_DIR)/release/$$binary") || exit 1; \
		printf '%-14s %6d KiB\n' "$$binary" "$$((size / 1024))"; \
	done

# Cold start of each function against the bare lambda_runtime baseline, on this host (see
# docs/benchmarks.md). Each function gets one of its sample events as the first invocation.
BENCH_RUNS ?= 30
BENCH_EVENTS := \
	bare-runtime=events/expire/schedule.json \
	submit=events/submit/submit-request.json \
	evaluate-jit=events/evaluate-jit/request-submitted.json \
	notify=events/notify/request-customer-notified.json \
	decide=events/decide/view-request.json \
	expire=events/expire/schedule.json \
	audit-query=events/audit-query/audit-by-request.json

bench:
	cargo build --release -p bench $(addprefix -p ,$(BINARIES))
	@echo "$$(date -u '+%Y-%m-%d %H:%M UTC'), $$(uname -m), $$(nproc) CPUs, $$(lscpu | sed -n 's/^Model name: *//p')"
	$(TARGET_DIR)/release/coldstart --runs $(BENCH_RUNS) $(addprefix $(TARGET_DIR)/release/,$(BENCH_EVENTS))

clean:
	cargo clean
	rm -rf .aws-sam
