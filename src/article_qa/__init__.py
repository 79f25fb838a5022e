"""article-qa: answers questions about an article with the article's own passages, cited.

The public names are loaded on first access (PEP 562), so `import article_qa` costs next to nothing;
numpy comes with the first use, and torch, sentence-transformers, ONNX Runtime, FAISS and Gradio
only when a model, an index or the page is needed.
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Answer", "Hit", "IndexSettings", "Passage", "QuestionLog", "RankSettings", "Retriever", "__version__",
           "ask", "retrieve"]  # fmt: skip

_HOMES = {"Hit": "retrieval", "Retriever": "retrieval", "retrieve": "retrieval", "Passage": "passages",
          "Answer": "retrieval", "ask": "retrieval",
          "IndexSettings": "build", "RankSettings": "ranking", "QuestionLog": "questions_log"}  # fmt: skip

if TYPE_CHECKING:  # pragma: no cover
    from .build import IndexSettings
    from .passages import Passage
    from .questions_log import QuestionLog
    from .ranking import RankSettings
    from .retrieval import Answer, Hit, Retriever, ask, retrieve


def __getattr__(name: str):
    if name in _HOMES:
        from importlib import import_module

        value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'article_qa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
