"""A user's own schema, as a user would write it: a plain Pydantic model in a file."""

from pydantic import BaseModel, Field


class Attack(BaseModel):
    """One attack: where, by whom, with what."""

    place: str | None = Field(description="the city or place of the attack, as written")
    attacker: str | None = Field(description="who carried out the attack")
    weapon: str | None = Field(description="the weapon used, e.g. 'missile' or 'car bomb'")
