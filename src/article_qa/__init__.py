"""article-qa: answers questions about an article with the article's own passages, cited.

Only light re-exports live here; torch, sentence-transformers, FAISS and Gradio load on first use.
"""

__version__ = "0.1.0"

from .passages import Passage
from .retrieval import Hit, Retriever, Settings, retrieve

__all__ = ["Hit", "Passage", "Retriever", "Settings", "__version__", "retrieve"]
