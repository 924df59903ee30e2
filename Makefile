# The two commands a newcomer needs: `make test` and `make demo`. Each sets up .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: venv test unit integration demo demo-deps sync-real bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,sandbox,webhooks]'
	touch $(STAMP)

# The suites wait on rate limits and subprocesses far more than they compute: three workers, each test file on
# one worker (its module-scoped sandbox stays its own), keep `make test` well inside CI's time on two cores.
TEST_WORKERS ?= 3

test: demo-deps
	packaging/install-postgres.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

unit: venv
	$(BIN)/python -m pytest -q unit_tests

integration: venv
	$(BIN)/python -m pytest -q integration_tests

# PyAirbyte (the `demo` extra) is big; only the demo and its test need it.
demo-deps: $(DEMO_STAMP)

$(DEMO_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev,sandbox,webhooks,demo]'
	touch $(DEMO_STAMP)

# Rankr export -> destination-ghl-contacts -> seeded ghl_sandbox -> source-ghl-contacts -> DuckDB (docs/demo.md)
demo: demo-deps
	$(BIN)/python -m demo

# The same against real GHL with secrets/source.json and secrets/destination.json: check, then sync.
# Writes only when given an export: make sync-real EXPORT=path/to/rankr_export
sync-real: demo-deps
	$(BIN)/python -m demo --real $(if $(EXPORT),--export $(EXPORT))

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	touch $(BENCH_STAMP)

bench: venv $(BENCH_STAMP)
	$(BIN)/python -m bench

# Connector images with podman (docs/images.md). `make test` runs the image tests too wherever podman works.
.PHONY: images image-test push

images:
	packaging/images.sh install
	packaging/images.sh build all

image-test: venv
	packaging/images.sh install
	$(BIN)/python -m pytest -q -p no:cacheprovider -m image_tests integration_tests/images

# Push both images, tagged with each connector's dockerImageTag and `dev`, to REGISTRY (with podman, or docker
# where podman is missing): make push REGISTRY=ghcr.io/you  ->  ghcr.io/you/ghl-contacts-connectors/source-ghl-contacts:0.1.0
push:
	@test -n "$(REGISTRY)" || { echo "make push needs REGISTRY=host[:port][/path], e.g. make push REGISTRY=ghcr.io/you" >&2; exit 2; }
	packaging/images.sh push "$(REGISTRY)"

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
