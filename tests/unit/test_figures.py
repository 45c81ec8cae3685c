"""Figures written straight from integer cents read exactly as the Decimal path writes them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from appraisal.figures import figure, num, publish, tidy


@given(st.integers(-10**9, 10**9), st.sampled_from([1, 2, 3, 4, 5, 7, 10, 20, 25, 50, 100, 300]))
def test_fast_figures_equal_the_decimal_ones(n: int, d: int) -> None:
    x = Fraction(n, d)
    assert figure(x) == str(publish(x))
    assert num(x) == str(tidy(Decimal(x.numerator) / Decimal(x.denominator)))


def test_edge_figures() -> None:
    assert figure(Fraction(-4, 1000)) == "0.00" and figure(Fraction(-5, 1000)) == "-0.01"
    assert num(Fraction(1250, 100)) == "12.5" and num(Fraction(-3, 5)) == "-0.6"
    assert num(Fraction(800, 100)) == "8" and num(Fraction(7, 100)) == "0.07"
