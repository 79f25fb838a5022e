# One task runner for people and CI. Every target sets itself up on a fresh machine:
# a .venv with the pinned packages of requirements.lock (torch 2.13.0, CPU build) and this package.
PYTHON ?= python3
CODE   := src tests benchmarks app.py
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Manual pages saved as text (`man tar > tar.txt`) for the option questions of `make eval-manuals`.
MAN_PAGES := tar ssh grep ls cp sed curl find less ps sort cut du df chmod ln rm xargs diff wc head tail uniq date mkdir ssh-keygen git-commit tr
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export PIP_DISABLE_PIP_VERSION_CHECK := 1

PHONY_EXTRA := install eval-docs owner-demo situations judge
.PHONY: $(PHONY_EXTRA) run test test-fast index lint format eval eval-docs eval-manuals answerability answerability-report bench bench-scale loadtest screenshot browser-deps clean

# CORPUS=my-docs: run, index and serve a folder of your own (its index is my-docs/.index); default corpus/.
CORPUS ?=
CORPUS_FLAG := $(if $(CORPUS),--corpus $(CORPUS))

install: $(STAMP) ## set up .venv with everything (run and test do it too); then .venv/bin/article-qa works

run: index ## set up, build the index if missing or stale, serve the chat page on 127.0.0.1:7860 (CORPUS=...)
	$(PY) app.py $(CORPUS_FLAG)

test: $(STAMP) browser-deps ## the whole suite: lint, fast tests, real-model tests, browser tests
	$(VENV)/bin/ruff check $(CODE)
	$(VENV)/bin/ruff format --check $(CODE)
	$(PY) -m pytest

test-fast: $(STAMP) ## only the tests on the fake embedder: no real model, no browser (seconds)
	$(PY) -m pytest -m "not model and not browser"

index: $(STAMP) ## build the corpus's index when it is missing or stale (CORPUS=my-docs for yours)
	$(PY) -m article_qa build $(CORPUS_FLAG) >/dev/null

eval: $(STAMP) ## retrieval quality on the development questions
	$(PY) -m article_qa eval eval/dev.jsonl

eval-docs: $(STAMP) ## real web pages and PDFs, each added as a user would: passages, problems, answers (needs ../shared)
	$(PY) -m benchmarks.documents ../shared/benchmarks/real-docs eval/real-docs.jsonl --out bench/real-docs.json
	$(PY) -m benchmarks.documents ../shared/benchmarks/real-docs eval/search-queries.jsonl --out bench/search-queries.json
	$(PY) -m benchmarks.documents ../shared/benchmarks/real-docs eval/real-docs-situations.jsonl --out bench/real-docs-situations.json
	$(PY) -m benchmarks.documents ../shared/benchmarks/real-docs eval/real-docs-question-first.jsonl --out bench/real-docs-question-first.json

eval-manuals: $(STAMP) ## manuals, documentation pages, plain-text documents and FAQ pages installed on this machine (Debian's docs and licences, rustup's docs), manual pages and --help texts saved as text
	$(PY) -m benchmarks.documents / eval/system-docs.jsonl --out bench/system-docs.json
	$(PY) -m benchmarks.documents / eval/text-docs.jsonl --out bench/text-docs.json
	$(PY) -m benchmarks.documents / eval/faq-docs.jsonl --out bench/faq-docs.json
	$(PY) -m benchmarks.documents / eval/rst-docs.jsonl --out bench/rst-docs.json
	mkdir -p build/man && for page in $(MAN_PAGES); do MANWIDTH=80 man $$page > build/man/$$page.txt; done
	$(PY) -m benchmarks.documents build/man eval/man-options.jsonl --out bench/man-options.json
	$(PY) -m benchmarks.documents build/man eval/man-options-heldout.jsonl --out bench/man-options-heldout.json
	$(PY) -m benchmarks.documents build/man eval/man-options-absent.jsonl --out bench/man-options-absent.json
	mkdir -p build/help && for c in cp du sort head date; do $$c --help > build/help/$$c.txt; done
	python3 -m venv --help > build/help/venv.txt && python3 -m json.tool --help > build/help/json-tool.txt
	python3 -m pip install --help > build/help/pip-install.txt
	$(PY) -m benchmarks.documents build/help eval/help-options.jsonl --out bench/help-options.json

answerability: $(STAMP) ## refit the answerability judge on the development question sets (deterministic)
	$(PY) -m article_qa fit-answerability eval/dev.jsonl eval/dev-absent.jsonl eval/readers-a.jsonl eval/readers-b.jsonl

answerability-report: $(STAMP) ## abstention per question set, reliability bands, SQuAD 2.0 (bench/answerability.json)
	$(PY) -m benchmarks.answerability --squad ../shared/benchmarks/squad2/dev-articles.json

situations: $(STAMP) ## ConditionalQA: situation-then-question and question-first messages against bare questions (needs ../shared)
	$(PY) -m benchmarks.situations

judge: $(STAMP) ## the answerability judge refitted on many articles, checked on held-out ones (needs ../shared)
	$(PY) -m benchmarks.judge

bench: $(STAMP) ## latency, cold start and build benchmarks; writes bench/results.json
	$(PY) -m benchmarks.bench

screenshot: $(STAMP) browser-deps index ## docs/*.png: a real answer, and a question the article does not answer
	$(PY) -m tests.browser docs/screenshot.png docs/not-in-the-article.png docs/two-articles.png docs/your-own-pdf.png docs/code-answer.png

# Debian's Chromium for the browser tests; without it (and without root) those tests are skipped.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver fonts-dejavu-core >/dev/null; \
	  else echo "chromium not found: browser tests will be skipped (apt-get install chromium)"; fi; }

bench-scale: $(STAMP) ## exact vs HNSW FAISS search at 10k, 100k and 1M random 384-d vectors
	$(PY) -m benchmarks.bench --scale

loadtest: $(STAMP) index ## 16 then 64 users for 60 s on /retrieve (question log off, then on), a flood past the queue limit, then the same users on POST /api/ask
	$(PY) -m benchmarks.loadtest --users 16,64 --seconds 60 --endpoint retrieve --output bench/loadtest.json
	$(PY) -m benchmarks.loadtest --users 16,64 --seconds 60 --api json --log on --flood 0 --output bench/loadtest-json.json

owner-demo: $(STAMP) index ## the eval sets' questions through the page, readers' thumbs, then article-qa report and its chart
	$(PY) -m benchmarks.owner_demo

lint: $(STAMP)
	$(VENV)/bin/ruff check $(CODE)

format: $(STAMP)
	$(VENV)/bin/ruff format $(CODE)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache src/*.egg-info
