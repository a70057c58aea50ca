"""Extraction on a Ray cluster (the ``ray`` extra: ``pip install 'summarizer[ray]'``).

>>> import ray.data
>>> from summarizer import Settings
>>> from summarizer.ray import extract_dataset
>>> articles = ray.data.read_json("s3://desk/wire/2026-12/*.jsonl")
>>> settings = Settings.load(base_url="http://vllm:8000/v1", model="Qwen/Qwen2.5-7B-Instruct")
>>> extract_dataset(articles, settings=settings).write_parquet("s3://desk/records/2026-12/")

docs/scale.md says how to size ``actors`` and ``requests_per_actor`` to an endpoint.
"""

from summarizer._errors import SetupError

try:
    import ray.data  # noqa: F401  (checked here: the extra is optional)
except ImportError as exc:  # pragma: no cover - the extra is installed where this is tested
    raise SetupError("the Ray engine needs the ray extra: pip install 'summarizer[ray]'") from exc

from summarizer.ray._dataset import ROWS, extract_dataset

__all__ = ["ROWS", "extract_dataset"]
