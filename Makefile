# Two set-up commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# one variable per line: `export A=1 B=2` would set A to "1 B=2"
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export ORT_DISABLE_TELEMETRY := 1

.PHONY: install run test chromium qemu chroma bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q torch==2.13.0          # the local CPU wheel, first: never a CUDA build
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/report-assistant ingest corpus/
	$(PY) app.py

chromium:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium chromium-driver)

qemu:   # an emulated AVX2 CPU for tests/test_embedding.py's cross-CPU check (x86-64 only)
	@[ "$$(uname -m)" != x86_64 ] || command -v qemu-x86_64 >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q qemu-user)

test: install chromium qemu
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

chroma: install
	$(VENV)/bin/chroma run --path .assistant/chroma-server --host 127.0.0.1 --port 8000

bench: install   # figures for the README's Performance section; JSON in benchmarks/results/ (see benchmarks/*.py)
	$(PY) benchmarks/bench_ingest.py
	$(PY) benchmarks/bench_query.py
	$(PY) benchmarks/bench_scale.py $(BENCH_SCALE_ARGS)

clean:
	rm -rf .assistant test-artifacts
