# exoready — `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
OUT ?= out
FUZZTIME ?= 20s

.PHONY: help build test test-unit test-rego test-integration demo render lint ldap-up ldap-down golden fixtures clean check-powershell fuzz bench

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-18s %s\n", $$1, $$2}'

build: ## build ./exoready with version and commit stamped in
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o exoready ./cmd/exoready

test: ## the whole suite: unit, Rego, CLI end-to-end and integration against a throwaway Samba AD DC
	bash scripts/test.sh

test-unit: ## unit and Rego tests only (no directory server)
	$(GO) test -race -count=1 ./...

test-rego: ## the Rego unit tests of the built-in pack, through exoready itself
	$(GO) run ./cmd/exoready policies test

test-integration: ## integration tests (needs `make ldap-up` first, or use `make test`)
	$(GO) test -race -count=1 -tags integration ./collector/...

demo: build ## scan the embedded demo tenant into $(OUT)/ (exit 3 = not ready, as expected)
	./exoready scan --demo --out $(OUT) || [ $$? -eq 3 ]

render: ## render $(OUT)/report.xlsx with LibreOffice to PDF and one PNG per page in $(OUT)/render/ (installs LibreOffice when missing)
	bash scripts/render-xlsx.sh $(OUT)/report.xlsx

check-powershell: ## parse the shipped PowerShell scripts and the commands exoready prints (needs node; installs the grammar into scripts/node_modules)
	npm --prefix scripts install --ignore-scripts --no-audit --no-fund --no-package-lock
	node scripts/check-powershell.mjs scripts/*.ps1
	$(GO) test -count=1 -run TestPowerShellParses ./collector/exo

fuzz: ## run every fuzz target for FUZZTIME each (default 20s); failing inputs land in testdata/fuzz/ as regression tests
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

lint: ## gofmt, go vet and staticcheck
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1 ./...

ldap-up: ## start the throwaway Samba AD DC on 127.0.0.1 (prints the env to export)
	bash scripts/samba-dc.sh start

ldap-down: ## stop the throwaway Samba AD DC
	bash scripts/samba-dc.sh stop

GOLDEN_PKGS := $(shell grep -rl --include='*_test.go' 'flag.Bool."update"' . | xargs -n1 dirname | sort -u)

bench: ## measure scan, evaluation (vs its decode floor and opa eval) and LDAP collection (vs ldapsearch) on generated 10k/100k/600k-mailbox tenants; BENCH_SIZES="10000 100000" for less (docs/benchmarks.md)
	bash scripts/bench.sh

golden: ## refresh golden files after an intended output change (review the diff!)
	$(GO) test $(GOLDEN_PKGS) -count=1 -update

fixtures: ## regenerate the demo tenant and the fixture snapshots
	$(GO) generate ./fixtures/...

clean: ## remove build and demo outputs
	rm -rf exoready $(OUT)
