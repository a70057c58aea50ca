"""The schema extension API: what a schema of your own is written against.

A `Schema` names the model the LLM fills (a draft), the record users get, its prompts,
and two steps of the program's: `finalize` (one draft -> one record, or None when the
draft is no record; `Context` says what the article is and collects warnings) and
`combine` (a document's records -> those to keep: `merge_repeats` folds the ones that
tell of one incident). Give it as ``--schema path/to/module.py:SCHEMA`` or
``summarize(text, schema=SCHEMA)``; a plain Pydantic model works too, as its own draft
and record.

>>> from summarizer.schemas import Context, Schema, merge_repeats
"""

from summarizer.schemas._base import Combine, Context, Finalize, Schema, merge_repeats
from summarizer.schemas._relevance import Relevance

__all__ = ["Combine", "Context", "Finalize", "Relevance", "Schema", "merge_repeats"]
