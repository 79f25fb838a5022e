"""One BLAS thread while answering: `retrieval.one_blas_thread` and its ARTICLE_QA_BLAS_THREADS setting."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from article_qa.retrieval import one_blas_thread


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def restore_blas():
    with threadpool_limits(limits=None):  # whatever a test sets, the next one starts as before
        yield


def test_loading_a_corpus_leaves_one_blas_thread(restore_blas, monkeypatch, fake_retriever):
    if not _blas_threads():
        pytest.skip("numpy has no BLAS library threadpoolctl can see")
    monkeypatch.delenv("ARTICLE_QA_BLAS_THREADS", raising=False)
    threadpool_limits(2, user_api="blas")
    assert set(_blas_threads()) == {2}
    fake_retriever.search("Does ketamine help with alcohol?")
    assert set(_blas_threads()) == {1}


def test_keep_and_a_number_are_obeyed_and_a_bad_value_changes_nothing(restore_blas, monkeypatch, caplog):
    if not _blas_threads():
        pytest.skip("numpy has no BLAS library threadpoolctl can see")
    threadpool_limits(2, user_api="blas")
    monkeypatch.setenv("ARTICLE_QA_BLAS_THREADS", "keep")
    one_blas_thread()
    assert set(_blas_threads()) == {2}
    monkeypatch.setenv("ARTICLE_QA_BLAS_THREADS", "many")
    one_blas_thread()
    assert set(_blas_threads()) == {2}
    assert "BLAS threads left as they are" in caplog.text
    monkeypatch.setenv("ARTICLE_QA_BLAS_THREADS", "1")
    one_blas_thread()
    assert set(_blas_threads()) == {1}
