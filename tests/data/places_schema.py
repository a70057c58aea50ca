"""A user's own schema, written against the public extension API only."""

from pydantic import BaseModel, Field

from summarizer.schemas import Context, Schema, merge_repeats


class Sighting(BaseModel):
    """What the model fills."""

    place: str = Field(description="the town where shots were fired, as written")


class Place(BaseModel):
    """What users get: the town and where the article says it."""

    town: str
    start: int


def finalize(draft: Sighting, context: Context) -> Place | None:
    start = context.text.find(draft.place)
    if start < 0:
        context.warnings.append(f"{context.record_id}: {draft.place!r} is not in the article")
        return None
    return Place(town=draft.place, start=start)


def combine(records: list[Place], text: str) -> list[Place]:
    return merge_repeats(records, lambda a, b: a.town == b.town, lambda a, b: a)


SCHEMA: Schema[Sighting, Place] = Schema(
    name="places", item_model=Sighting, record_model=Place, fill_prompt="generic",
    strategy="single", finalize=finalize, combine=combine,
)  # fmt: skip
