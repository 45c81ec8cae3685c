"""How a figure is published: one rounding for every score and every amount.

Scores and money are exact inside (Fraction, Decimal, integer cents); what a
person reads is rounded once, half-up to two decimals (SPEC: never banker's
rounding, never binary float), here and nowhere else.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def exact(value: Fraction | Decimal | int | str) -> Fraction:
    """Any exact number as a Fraction (strings are read as decimals)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(Decimal(value))


def _cents(value: Fraction | Decimal | int | str) -> int:
    """The value rounded half-up (away from zero) to whole cents, exactly."""
    x = exact(value)
    n, d = x.numerator, x.denominator
    cents = (abs(n) * 200 + d) // (2 * d)  # floor(|x|·100 + ½)
    return -cents if n < 0 else cents


def publish(value: Fraction | Decimal | int | str | None) -> Decimal | None:
    """Round half-up (away from zero) to 2 decimals, exactly (integer arithmetic)."""
    if value is None:
        return None
    return Decimal(_cents(value)).scaleb(-2).quantize(CENT)


def figure(value: Fraction | Decimal | int | str | None) -> str | None:
    """A published figure as the API and the pages show it: "96.71", or None
    (str of publish(value), written straight from the integer cents: a close writes
    hundreds of thousands of them)."""
    if value is None:
        return None
    cents = _cents(value)
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def tidy(d: Decimal) -> Decimal:
    """8.00 → 8, 7.50 → 7.5: points and weights read as people write them."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def num(value: Decimal | Fraction | int) -> str:
    """An input parameter (points, weights) as people write it: 10, 0.6."""
    if isinstance(value, Fraction) and 100 % value.denominator == 0:
        # Whole cents (points earned, lost, weights): written without Decimal division.
        cents = value.numerator * (100 // value.denominator)
        whole, part = divmod(abs(cents), 100)
        text = f"{whole}.{part:02d}".rstrip("0").rstrip(".") if part else str(whole)
        return f"-{text}" if cents < 0 else text
    d = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) \
        else Decimal(value)
    return str(tidy(d))
