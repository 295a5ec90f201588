# The two commands a person needs: `make demo` and `make test`. Everything else is a step of those.
BUILD_DIR ?= build
DB ?= sqlite:demo.db
LISTEN ?= 127.0.0.1:8080
CUSTOMERS ?= 2000

.PHONY: deps build demo test unit test-e2e clean bench

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR)

demo: build
	@rm -f demo.db demo.db-wal demo.db-shm
	@$(BUILD_DIR)/dangol demo --db $(DB) --customers $(CUSTOMERS) --login-url http://$(LISTEN)
	@$(BUILD_DIR)/dangol serve --db $(DB) --listen $(LISTEN)

test: build
	@scripts/run-tests $(BUILD_DIR)

bench: build
	@scripts/run-bench $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
