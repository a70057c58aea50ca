"""Many articles, resumable: inputs read into a SQLite store, workers, exports.

`inputs` reads files, folders and streams into articles; `runner` extracts them with
a pool of workers and stores each result; `store` is the one SQLite file they all
share; `export` writes a store's results as JSONL, CSV or a Markdown digest.
"""
