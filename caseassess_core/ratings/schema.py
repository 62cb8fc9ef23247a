"""The rating scheme file's schema (pydantic)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    """A band of "% done sufficiently well": ``from_percent`` <= % < ``to_percent``
    (the top band includes 100)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, description="The rating's words, e.g. 'Good'.")
    from_percent: Decimal = Field(ge=0, le=100)
    to_percent: Decimal = Field(ge=0, le=100)
    score: int = Field(ge=0, description="Points the band adds to an overall rating.")


class Unit(_Strict):
    """A rated unit: a headline or general criteria score of the instrument, or a standard made
    of key questions whose rating is the lowest rating among them (``combine: lowest``) or the
    rating of their pooled percentage (``combine: pooled``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    score: str | None = Field(default=None, description="Id of a headline or general criteria score.")
    key_questions: list[str] = Field(default_factory=list, description="Question ids as the guide prints them.")
    combine: Literal["pooled", "lowest"] = "pooled"


class OverallBand(_Strict):
    """An overall rating from the sum of the units' band scores: ``min_total`` <= sum."""

    label: str = Field(min_length=1)
    min_total: int = Field(ge=0)


class RatingScheme(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=1)
    version: str = Field(min_length=1)
    effective_from: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    instrument: str = Field(description="The instrument id this scheme rates.")
    bands: list[Band] = Field(min_length=2, description="Highest band first; together they cover 0-100 exactly.")
    units: list[Unit] = Field(min_length=1)
    overall: list[OverallBand] = Field(default_factory=list, description="Highest first; the last starts at 0.")
    min_n: int = Field(default=10, ge=1, description="Below this N a rating is marked 'too few cases'.")

    def band_for(self, pct: Decimal) -> Band:
        for band in self.bands:
            if band.from_percent <= pct and (pct < band.to_percent or (band.to_percent == 100 and pct == 100)):
                return band
        raise ValueError(f"{pct}% is in no band")  # the loader refuses gaps, so this is a bug

    def band_by_id(self, band_id: str) -> Band:
        return next(b for b in self.bands if b.id == band_id)
