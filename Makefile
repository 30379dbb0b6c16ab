.DEFAULT_GOAL := help

BINARIES := submit evaluate-jit notify decide expire audit-query
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

# The AWS SDKs must never fall back to the EC2 instance metadata service for credentials or
# region; locally everything talks to moto on 127.0.0.1.
export AWS_EC2_METADATA_DISABLED := true

.PHONY: help run test lint build-release sizes clean

help:
	@echo 'Targets:'
	@echo '  run            install missing tools, then run the service locally against moto (scripts/run-local.sh)'
	@echo '  test           install missing tools, run all cargo tests, then cfn-lint template.yaml'
	@echo '  lint           cargo fmt --check and cargo clippy with warnings as errors'
	@echo '  build-release  build every function binary in release mode for the host target'
	@echo '  sizes          build-release, then print the size of each function binary'
	@echo '  clean          remove cargo and sam build output'

run:
	bash scripts/ensure-tools.sh
	bash scripts/run-local.sh

test:
	bash scripts/ensure-tools.sh --cfn-lint --browser
	cargo test --workspace --all-targets
	cfn-lint template.yaml

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

build-release:
	cargo build --release --workspace --bins

# These are host-target sizes. The Lambda build (cargo lambda for arm64) has different sizes.
sizes: build-release
	@for binary in $(BINARIES); do \
		size=$$(stat -c %s "$(TARGET_DIR)/release/$$binary") || exit 1; \
		printf '%-14s %6d KiB\n' "$$binary" "$$((size / 1024))"; \
	done

clean:
	cargo clean
	rm -rf .aws-sam
