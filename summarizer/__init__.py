"""summarizer: news articles about violent incidents in, grounded incident records out.

>>> from summarizer import summarize
>>> doc = summarize(text, published="2023-12-30")
>>> for incident in doc.records:
...     print(incident.sub_event_type, incident.killed.best if incident.killed else None)
"""

from summarizer._api import summarize, summarize_many
from summarizer._batch.runner import Outcome
from summarizer._errors import (
    ArticleTooLongError,
    AuthenticationError,
    EndpointError,
    ExtractionError,
    InputError,
    SchemaError,
    SetupError,
    SummarizerError,
)
from summarizer._extract.pipeline import Document
from summarizer._llm.client import LLMClient, Usage
from summarizer._llm.connect import connect
from summarizer._settings import Settings
from summarizer.schemas._base import Schema
from summarizer.schemas._incident import Claim, Count, Grounded, Incident
from summarizer.schemas._relevance import Relevance

__version__ = "0.1.0"

__all__ = [
    "ArticleTooLongError",
    "AuthenticationError",
    "Claim",
    "Count",
    "Document",
    "EndpointError",
    "ExtractionError",
    "Grounded",
    "Incident",
    "InputError",
    "LLMClient",
    "Outcome",
    "Relevance",
    "Schema",
    "SchemaError",
    "Settings",
    "SetupError",
    "SummarizerError",
    "Usage",
    "__version__",
    "connect",
    "summarize",
    "summarize_many",
]
