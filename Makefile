# Brukarröst: `make run` and `make test` do everything on a fresh machine.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: install train run test bench evaluate check clean

install: $(STAMP)

# One resolver pass for everything, together with rasa==3.6.21 (see pyproject.toml).
$(STAMP): pyproject.toml
	@PY=$$(scripts/find-python310) || exit 1; \
	  if [ ! -x $(BIN)/python ]; then echo "Creating $(VENV) with $$PY"; "$$PY" -m venv $(VENV); fi
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Trains only when config.yml, nlu/data (nlu/themes for the themes) or the e5 encoder
# (nlu.e5.ENCODER) changed since the last model.
train: install
	$(BIN)/brukarrost train
	$(BIN)/brukarrost themes train

# Install, train if needed, migrate the SQLite database under var/ and serve.
run: train
	$(BIN)/brukarrost serve

# The model is trained at most once here; the tests load it once per session.
test: train
	scripts/ensure-browser-tools
	$(BIN)/python -m pytest

# Load: N = 1, 50, 500 respondents, 2.5 s between a reply and the next message (500 of them
# send about 207 messages/s). SQLite in one process (the embedded default), then PostgreSQL
# through its Unix socket with 2 workers (one host, as docs/deployment.md recommends): the
# N = 500 run three times, each judged against the target. Then SIGKILL durability.
# BENCH_DB=postgresql for PostgreSQL over loopback TCP; BENCH_ARGS to pass more to load.py.
BENCH_DB ?= postgresql-socket
BENCH_THINK ?= 2.5
bench: train
	$(BIN)/python benchmarks/parse_speed.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/readability.py
	$(BIN)/python benchmarks/load.py --database sqlite --think $(BENCH_THINK) $(BENCH_ARGS)
	$(BIN)/python benchmarks/load.py --database $(BENCH_DB) --workers 2 --think $(BENCH_THINK) \
	  --repeat 3 --target 200,250 $(BENCH_ARGS)
	$(BIN)/python benchmarks/durability.py --database $(BENCH_DB)

# NLU quality: 5-fold cross-validation (trains 5 models, about 10 minutes), the held-out
# intents and the held-out typed scale answers.
evaluate: train
	$(BIN)/brukarrost nlu evaluate --folds 5

check: install
	$(BIN)/brukarrost consultations check

clean:
	rm -rf $(VENV) models var .pytest_cache .tools
