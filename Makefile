# margin: `make run` opens the reader, `make test` runs the suite; both create .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test

.PHONY: run test check bench lint clean

# what the checks read: the code, the tests, the benchmarks
CHECKED := store tui tests bench

# .ready only once the venv and its pip are whole: a run interrupted half-way (Ctrl-C during
# the pip upgrade) is made anew next time instead of leaving a broken pip behind
$(VENV)/.ready:
	$(PY) -m venv --clear $(VENV)
	$(BIN)/pip install -q --upgrade pip
	touch $@

$(VENV)/.installed: pyproject.toml | $(VENV)/.ready
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP): pyproject.toml | $(VENV)/.ready
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/margin --sample

# make test = the checks, then the suite (what .ci/run runs); any failing check stops it.
# mypy: strict on store, mypy's defaults on tui (pyproject.toml [tool.mypy]); lint-imports: the
# import contracts in pyproject.toml [tool.importlinter].
check: $(STAMP)
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/ruff format --check $(CHECKED)
	$(BIN)/mypy store tui
	$(BIN)/lint-imports

test: check
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

lint: check

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .import_linter_cache
