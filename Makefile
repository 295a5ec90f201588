# The two commands a person needs: `make demo` and `make test`. Everything else is a step of those.
BUILD_DIR ?= build
DB ?= sqlite:demo.db
LISTEN ?= 127.0.0.1:8080
CUSTOMERS ?= 2000

.PHONY: deps build web demo test unit test-e2e clean bench

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR)

# The web UI (web/dist, served by `dangol serve`): `npm ci` only when package-lock.json changed.
web/node_modules/.package-lock.json: web/package-lock.json
	@cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web: deps web/node_modules/.package-lock.json
	@cd web && npm run --silent build >/dev/null

demo: build web
	@rm -f demo.db demo.db-wal demo.db-shm demo.db.key
	@$(BUILD_DIR)/dangol demo --db $(DB) --customers $(CUSTOMERS) --login-url http://$(LISTEN)
	@scripts/demo-serve $(BUILD_DIR) $(DB) $(LISTEN)

test: build web
	@scripts/run-tests $(BUILD_DIR)

bench: build
	@scripts/run-bench $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
