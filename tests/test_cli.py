"""The article-qa command on the fake embedder: build, ask (text and JSON), eval, errors."""

import json
import logging

import pytest

from article_qa import cli, retrieval

from .conftest import FakeEmbedder


@pytest.fixture
def run(corpus_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(retrieval, "load_embedder", lambda model=None: FakeEmbedder())

    def _run(*args):
        code = cli.main([args[0], "--corpus", str(corpus_copy), "--index", str(tmp_path / "index"), *args[1:]])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


def test_build_prints_the_passages(run):
    code, out, _ = run("build")
    assert code == 0
    assert out.startswith("24 passages from 1 file(s)")
    assert "ketamine-for-addiction:24" in out


def test_ask_text_and_json(run):
    code, out, _ = run("ask", "cocaine midazolam session", "--all", "-k", "2")
    assert code == 0 and out.startswith("[1] ") and "[2] " in out and "(ketamine-for-addiction.txt)" in out
    code, out, _ = run("ask", "cocaine midazolam session", "--all", "-k", "2", "--json")
    hits = json.loads(out)
    assert [h["rank"] for h in hits] == [1, 2] and {"citation", "highlight_start", "text"} <= hits[0].keys()


def test_ask_with_nothing_above_the_cut(run):
    code, out, _ = run("ask", "capital of France", "--min-score", "5")
    assert code == 0 and "Nothing in the article answers" in out


def test_ask_declined_says_what_the_article_lacks_and_lists_the_nearest(run, monkeypatch):
    """Without a cut of the reader's own, `ask` gives the page's judgement: a question the judge
    declines names the words the article lacks, then its nearest passages as related reading."""
    from article_qa.retrieval import Answer, Retriever

    hit = Retriever.search  # the ranked hits stand in for the judge's related reading

    def declined(self, question, k=3, *, article=None):
        return Answer(question, False, 0.05, ["PTSD"], hit(self, question, k, min_score=None, article=article))

    monkeypatch.setattr(Retriever, "ask", declined)
    code, out, _ = run("ask", "Does ketamine help PTSD?", "-k", "2")
    assert code == 0 and out.startswith("The article doesn't mention PTSD, so it can't answer that.")
    assert "Related, but not an answer:" in out and "[1] " in out and "[2] " in out
    code, out, _ = run("ask", "Does ketamine help PTSD?", "--json")
    assert json.loads(out) == []  # programs get the answer's hits only: none


def test_ask_answered_in_part_says_which_part_the_article_lacks(run, monkeypatch):
    from article_qa.retrieval import Answer, Retriever

    hit = Retriever.search

    def partly(self, question, k=3, *, article=None):
        return Answer(question, True, 0.9, ["cost"], hit(self, question, k, min_score=None, article=article))

    monkeypatch.setattr(Retriever, "ask", partly)
    code, out, _ = run("ask", "What are the side effects of ketamine, and how much does it cost?", "-k", "1")
    assert code == 0 and out.startswith(
        "The article doesn't mention cost, so this may answer only part of the question."
    )
    assert "\n[1] " in out and "Related" not in out


def test_ask_one_article_of_the_corpus(run):
    code, out, _ = run("ask", "cocaine midazolam", "--all", "-k", "1", "--article", "ketamine-for-addiction.txt")
    assert code == 0 and "(ketamine-for-addiction.txt)" in out
    code, _, err = run("ask", "cocaine", "--article", "No Such Article")
    assert code == 2 and "no article 'No Such Article'" in err


def test_user_errors_are_one_line_with_exit_2(run, tmp_path):
    code, _, err = run("ask", "   ")
    assert code == 2 and "question is empty" in err and "Traceback" not in err
    code, _, err = cli.main(["build", "--corpus", str(tmp_path / "nowhere")]), None, None
    assert code == 2


@pytest.fixture
def questions(tmp_path):
    qs = tmp_path / "q.jsonl"
    qs.write_text(
        json.dumps({"id": "a", "question": "cocaine midazolam", "gold": ["fifty-five individuals"]})
        + "\n"
        + json.dumps({"id": "u", "question": "capital of France", "gold": [], "kind": "off-topic"})
        + "\n",
        "utf-8",
    )
    return qs


def test_eval_prints_the_table(run, questions):
    code, out, _ = run("eval", str(questions))
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("questions: 1 answerable, 1 unanswerable")
    header = (
        "| hit@1 | hit@3 | MRR | unanswerable -> empty | off-topic -> empty | absent -> empty | answerable -> empty |"
    )
    assert lines[1] == header
    cells = [c.strip() for c in lines[3].strip("|").split("|")]
    assert len(cells) == 7 and all(0 <= float(c) <= 1 for c in cells)
    assert lines[4].startswith("confidence tells answerable from not (AUROC): ")
    assert lines[5].startswith("marked sentence holds the answer (highlight@1): ")


def test_eval_json(run, questions):
    code, out, _ = run("eval", str(questions), "--json")
    m = json.loads(out)
    assert code == 0 and m["answerable"] == 1 and m["unanswerable"] == 1
    assert 0 <= m["hit@1"] <= m["hit@3"] <= 1 and 0 <= m["highlight@1"] <= 1


def test_eval_set_ranking_uses_the_index_on_disk_and_index_setting_builds_in_memory(run, questions, tmp_path, caplog):
    run("build")
    manifest = (tmp_path / "index" / "manifest.json").read_bytes()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        code, _, _ = run("eval", str(questions), "--json", "--set", "token_weight=0", "--set", "spelling=false")
    assert code == 0 and caplog.text == ""  # ranking settings: the index on disk, nothing built
    with caplog.at_level(logging.WARNING):
        code, _, _ = run("eval", str(questions), "--json", "--set", "context=none")
    assert code == 0 and "building it" in caplog.text  # an index setting: built in memory
    assert (tmp_path / "index" / "manifest.json").read_bytes() == manifest  # index/ left as it was
    code, _, err = run("eval", str(questions), "--set", "nonsense=1")
    assert code == 2 and "expected NAME=VALUE" in err


def test_ask_prints_a_code_block_with_its_lines(run, corpus_copy):
    (corpus_copy / "httpx.md").write_text(
        "# HTTPX\n\nHTTPX is an HTTP client.\n\nInstall it with pip:\n\n```shell\n$ pip install httpx\n"
        "$ pip install 'httpx[http2]'\n```\n\nThe examples:\n\n```\n"
        + "\n".join(f"step {n}" for n in range(8))
        + "\n```\n",
        encoding="utf-8",
    )
    code, out, _ = run("ask", "pip install httpx http2", "--all", "-k", "1", "--article", "httpx.md")
    assert (
        code == 0 and "    Install it with pip:\n      $ pip install httpx\n      $ pip install 'httpx[http2]'\n" in out
    )
    code, out, _ = run("ask", "step 1 step 2 step 7", "--all", "-k", "1", "--article", "httpx.md", "--json")
    assert json.loads(out)[0]["code"] is True  # a listing too long to join stands alone
    code, out, _ = run("ask", "step 1 step 2 step 7", "--all", "-k", "1", "--article", "httpx.md")
    assert "    step 0\n    step 1\n" in out
