"""Evaluation runs: extract an evaluation set's articles and score them, resumably.

`runner` writes each article's predictions as it goes and the scores of the built-in
schemas (MUC-4 templates, GVA incidents) at the end, with `summarizer._scoring`.
"""
