# Onward: `make run` and `make test` need only Go, plus PostgreSQL and Redis,
# which `onward services` finds running or starts privately under .onward/.

GO      ?= go
STATE   := .onward
# The race detector needs cgo, which Go turns off when there is no C
# compiler; then the tests still run, without -race, and say so.
RACE     = $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && echo -race)
# Test packages run one more at a time than the machine has cores: several
# spend most of their time waiting (a server stopped on purpose, a provider
# that does not answer), and go test's default leaves a core idle then.
TESTP    = $(shell echo $$(( $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 1 )))
# go test starts packages in the order named: the two that mostly wait on
# processes they start (the binary's commands, the chaos test) go first,
# so the rest fill the machine meanwhile instead of it idling at the end.
# (./cmd/onward first also compiles every package before the chaos test
# builds the binary.) ./... then adds the rest, each once.
TESTPKGS = ./cmd/onward ./test/chaos ./...

.PHONY: run test build bench config-table fmt vet services-env services-stop

## run: start Onward for development (finds or starts PostgreSQL and Redis)
run:
	$(GO) run ./cmd/onward dev

## test: run every test with -race against real PostgreSQL and Redis (each
## package may take up to 30 minutes on a slow machine, past go test's 10)
## (the browser tests skip without Chromium, unless ONWARD_REQUIRE_BROWSER=1)
test: services-env
	@[ -n "$(RACE)" ] || echo "make test: no C compiler, so cgo is off: running without -race (install gcc or clang to get it)" >&2
	@[ "$$ONWARD_REQUIRE_BROWSER" = 1 ] || [ -n "$$ONWARD_CHROMIUM" ] || [ -x /usr/bin/chromium ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		echo "make test: browser tests skipped: Chromium not found; install it with \`sudo apt-get install chromium\`" >&2
	. ./$(STATE)/services.env && $(GO) test $(RACE) -p $(TESTP) -count=1 -timeout 30m $(TESTPKGS)

## services-env: write export lines for ONWARD_DATABASE_URL and ONWARD_REDIS_URL
services-env:
	@mkdir -p $(STATE)
	$(GO) run ./cmd/onward-services env > $(STATE)/services.env.tmp
	@mv $(STATE)/services.env.tmp $(STATE)/services.env

## services-stop: stop the private PostgreSQL and Redis under .onward/, if any
services-stop:
	$(GO) run ./cmd/onward-services stop

## build: build the binary into ./bin/onward
build:
	$(GO) build -o bin/onward ./cmd/onward

## bench: build ./bin/onward-bench and run every benchmark against the services
bench: services-env
	$(GO) build -o bin/onward-bench ./cmd/onward-bench
	. ./$(STATE)/services.env && ./bin/onward-bench all

## config-table: rewrite README.md's configuration table from the settings in code
config-table:
	$(GO) test ./core/config -run '^TestTableInREADME$$' -count=1 -update

fmt:
	$(GO) fmt ./...

vet:
	$(GO) vet ./...
