"""A batch's inputs: files, folders, JSONL on stdin or Python objects, one article at a time.

Each input becomes an `ArticleInput` (checked text, its id and metadata) or a `BadInput`
(why it cannot be used), never an exception, so one bad file does not stop a batch.
Inputs are streamed: folders are walked lazily and JSONL is read line by line, so memory
does not grow with the size of the batch.

Formats, by file suffix: ``.txt``, ``.md`` or none (plain UTF-8 text); ``.html`` and
``.htm`` (the main text found by trafilatura, with the page's title, canonical URL and
publication date); ``.json`` (an object or a list of objects) and ``.jsonl`` (one object
a line), each object holding ``text`` (or ``html``, a web page read as an ``.html``
file is) and optionally ``id``, ``published`` (``YYYY-MM-DD``), ``url`` and ``title``.
Any other suffix is refused with its reason; hidden files and folders are skipped. An
article's id is its given ``id``, else its content hash (`Article.digest`); an unusable
input's id is the hash of its bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from summarizer._batch.store import StoredArticle
from summarizer._errors import InputError, SetupError, SummarizerError
from summarizer._text.article import STDIN, Article, check_text, decode, read_bounded
from summarizer._text.dates import parse_published
from summarizer._text.jsonl import loads

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text", ""})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSON_SUFFIXES = frozenset({".json", ".jsonl"})
SUPPORTED = ".txt, .md, .html, .json or .jsonl"
# A module that a failed import names -> the package that brings it, where they differ.
PACKAGE_OF_MODULE = {"lxml.html.clean": "lxml_html_clean"}


@dataclass(frozen=True)
class ArticleInput:
    """One usable article of a batch: checked text, its id, and what is known about it."""

    id: str
    article: Article
    published: date | None = None
    url: str | None = None
    title: str | None = None

    @property
    def source(self) -> str:
        return self.article.source

    def stored(self) -> StoredArticle:
        """The article as the store holds it."""
        return StoredArticle(
            id=self.id,
            source=self.source,
            url=self.url,
            title=self.title,
            published=self.published.isoformat() if self.published else None,
            text=self.article.text,
        )


@dataclass(frozen=True)
class BadInput:
    """An input that cannot be extracted, and why."""

    id: str
    source: str
    error: SummarizerError


Input = ArticleInput | BadInput


def _hash_id(data: bytes) -> str:
    """The id of an input that has no usable text: a hash of its bytes, as `Article.digest`."""
    return hashlib.sha256(data).hexdigest()[:12]


def _walk(path: str) -> Iterator[Path]:
    """The files a path names: itself, or every visible file below it, in a stable order."""
    root = Path(path)
    if not root.is_dir():
        yield root
        return
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        yield from (Path(folder) / n for n in sorted(names) if not n.startswith("."))


def _special(file: Path) -> bool:
    """True for what a folder may hold but is no file to read: a FIFO (reading one waits
    for a writer, maybe for ever), a socket, a device."""
    try:
        return not stat.S_ISREG(file.stat().st_mode)
    except OSError:
        return False  # reading it will say why


def count_inputs(paths: Iterable[str]) -> int | None:
    """How many articles `paths` hold (for a progress bar); None when stdin is among them."""
    total = 0
    for path in paths:
        if path == STDIN:
            return None
        for file in _walk(path):
            suffix = file.suffix.lower()
            try:
                if suffix == ".jsonl":
                    with file.open("rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                elif suffix == ".json":
                    loaded = loads(file.read_bytes())
                    total += len(loaded) if isinstance(loaded, list) else 1
                else:
                    total += 1
            except (OSError, ValueError):
                total += 1  # reading it will report why, as one failed input
    return total


@dataclass(frozen=True)
class Reader:
    """Turns inputs into `Input`s, checking each text against the length limit.

    `published` is the date for articles that do not carry their own.
    """

    max_chars: int
    published: date | None = None

    def read(self, paths: Iterable[str]) -> Iterator[Input]:
        """Every article in `paths` (files, folders, or ``-`` for JSONL on stdin)."""
        for path in paths:
            if path == STDIN:
                yield from self._lines(sys.stdin.buffer, "<stdin>")
                continue
            for file in _walk(path):
                if file != Path(path) and _special(file):
                    error = InputError(f"{file}: not a regular file (a pipe or a device)")
                    yield BadInput(_hash_id(str(file).encode()), str(file), error)
                    continue
                yield from self._file(file)

    def objects(self, articles: Iterable[str | Mapping[str, Any]]) -> Iterator[Input]:
        """Every article of a Python iterable: texts, or mappings shaped like a JSONL line."""
        for number, item in enumerate(articles, start=1):
            source = f"<articles>:{number}"
            if isinstance(item, str):
                yield self.checked(item, source)
            else:
                yield self.record(item, source, json.dumps(item, default=str).encode())

    def _file(self, file: Path) -> Iterator[Input]:
        source = str(file)
        suffix = file.suffix.lower()
        try:
            if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES:
                raise InputError(f"{source}: unsupported file type {suffix!r}; give {SUPPORTED}")
            handle = _open(file)
        except InputError as exc:
            yield BadInput(_hash_id(source.encode()), source, exc)
            return
        with handle:
            if suffix == ".jsonl":
                yield from self._lines(handle, source)
                return
            try:
                # A .json file may hold many articles: read whole, as documented.
                bounded = suffix != ".json"
                data = read_bounded(handle, source, self.max_chars) if bounded else handle.read()
            except InputError as exc:
                yield BadInput(_hash_id(source.encode()), source, exc)
                return
        try:
            if suffix in HTML_SUFFIXES:
                yield self._html(data, source)
            elif suffix == ".json":
                yield from self._json(loads(decode(data, source)), source, data)
            else:
                yield self.checked(decode(data, source), source)
        except SummarizerError as exc:
            yield BadInput(_hash_id(data), source, exc)
        except ValueError as exc:
            yield BadInput(_hash_id(data), source, InputError(f"{source}: not valid JSON: {exc}"))

    def _json(self, loaded: Any, source: str, data: bytes) -> Iterator[Input]:
        if not isinstance(loaded, list):
            yield self.record(loaded, source, data)
            return
        for index, item in enumerate(loaded):
            yield self.record(item, f"{source}[{index}]", json.dumps(item).encode())

    def _lines(self, handle: BinaryIO, name: str) -> Iterator[Input]:
        """One input per non-blank line; a bad line (bytes, JSON) is one bad input."""
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            source = f"{name}:{number}"
            try:
                loaded = loads(decode(line, source))
            except InputError as exc:
                yield BadInput(_hash_id(line), source, exc)
                continue
            except ValueError as exc:
                error = InputError(f"{source}: not valid JSON: {exc}")
                yield BadInput(_hash_id(line), source, error)
                continue
            yield self.record(loaded, source, line)

    def record(self, item: Any, source: str, raw: bytes) -> Input:
        """An input from a JSON object: ``text`` and optional ``id``, ``published``, ..."""
        if not isinstance(item, Mapping):
            return BadInput(_hash_id(raw), source, InputError(f"{source}: not a JSON object"))
        given = item.get("id")
        if given is not None and (isinstance(given, bool) or not isinstance(given, str | int)):
            error = InputError(f"{source}: id must be a string or a number, not {given!r}")
            return BadInput(_hash_id(raw), source, error)
        given_id = None if given is None else str(given)
        text, html = item.get("text"), item.get("html")
        if not isinstance(text, str) and not (text is None and isinstance(html, str)):
            reason = "has no text" if text is None else "text must be a string"
            return BadInput(given_id or _hash_id(raw), source, InputError(f"{source}: {reason}"))
        given_date = item.get("published")
        try:
            published = parse_published(None if given_date is None else str(given_date))
        except InputError as exc:
            return BadInput(given_id or _hash_id(raw), source, InputError(f"{source}: {exc}"))
        url, title = _text_or_none(item, "url"), _text_or_none(item, "title")
        if text is None:
            try:
                return self._html(html.encode("utf-8"), source, given_id, published, url, title)
            except SummarizerError as exc:
                return BadInput(given_id or _hash_id(raw), source, exc)
        return self.checked(text, source, given_id, published, url, title)

    def _html(
        self, data: bytes, source: str, given_id: str | None = None,
        published: date | None = None, url: str | None = None, title: str | None = None,
    ) -> Input:  # fmt: skip
        """The main text of a web page, with its title, canonical URL and date if it has
        them; what the caller gives (`published`, `url`, `title`) wins over the page's."""
        if b"\x00" in data:
            decode(data, source)  # raises the binary-file error
        page = _page(data, source)
        if page is None or not (page.text or "").strip():
            if not data.strip():
                return self.checked("", source, given_id)  # the "empty" error
            error = InputError(f"{source}: no article text found")
            return BadInput(given_id or _hash_id(data), source, error)
        if published is None:
            try:
                published = parse_published(page.date)
            except InputError:
                published = None  # a page's odd date metadata is no reason to refuse its text
        url, title = url or page.url, title or page.title
        return self.checked(page.text, source, given_id, published, url, title)

    def checked(
        self,
        text: str,
        source: str,
        given_id: str | None = None,
        published: date | None = None,
        url: str | None = None,
        title: str | None = None,
    ) -> Input:
        """An article from its text, or a `BadInput` when the text fails `check_text`."""
        try:
            article = check_text(text, source, self.max_chars)
        except InputError as exc:
            return BadInput(given_id or _hash_id(text.encode("utf-8", "replace")), source, exc)
        return ArticleInput(
            id=given_id or article.digest,
            article=article,
            published=published or self.published,
            url=url,
            title=title,
        )

    def stored(self, article: StoredArticle) -> Input:
        """A stored article as an input again (checked against today's limits)."""
        published = date.fromisoformat(article.published) if article.published else None
        return self.checked(
            article.text, article.source, article.id, published, article.url, article.title
        )


def _page(data: bytes, source: str) -> Any:
    """trafilatura's reading of a web page (or None), its failures as one-line errors."""
    try:
        import trafilatura  # slow to import, and only HTML needs it

        return trafilatura.bare_extraction(data, with_metadata=True, include_comments=False)
    except ImportError as exc:
        raise SetupError(f"{source}: reading HTML needs {_missing(exc)}") from None
    except Exception as exc:  # lxml and trafilatura raise many kinds on odd pages
        raise InputError(f"{source}: cannot read the page ({type(exc).__name__}: {exc})") from None


def _missing(exc: ImportError) -> str:
    """What to install after a failed import: from the module it names, or its message
    (lxml 6 names none: "lxml.html.clean module is now a separate project ...")."""
    module = exc.name or next((m for m in PACKAGE_OF_MODULE if m in str(exc)), None)
    if module is None:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"a module that does not import ({first_line}); reinstall summarizer"
    package = PACKAGE_OF_MODULE.get(module, module.partition(".")[0])
    return f"the Python module {module!r}, which is not installed; run: pip install {package}"


def _open(file: Path) -> BinaryIO:
    try:
        return file.open("rb")
    except FileNotFoundError:
        raise InputError(f"{file}: no such file") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror}") from None


def _text_or_none(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value.strip() else None
