"""The wording of how a run ended: the stopping rule and step counts, in the notation
of the pages (``‖g‖`` the gradient norm at the iterate, ``‖g₀‖`` at the start, ``≤``,
``α`` the normaliser of MATH.md 1, numbers as ``3.06×10⁻¹²`` by ``text.number``)."""

from __future__ import annotations

from ..text import number

__all__ = ["number", "rule_met", "rule_missed", "steps"]


def steps(k: int) -> str:
    """``"1 step"``, ``"7 steps"``."""
    return f"{k} step" if k == 1 else f"{k} steps"


def rule_met(grad_norm: float, target: float) -> str:
    """The stopping rule, met: ``‖g‖ = 3.06×10⁻¹² ≤ tol·‖g₀‖ = 3.86×10⁻¹²``."""
    return f"‖g‖ = {number(grad_norm, 3)} ≤ tol·‖g₀‖ = {number(target, 3)}"


def rule_missed(grad_norm: float, target: float) -> str:
    """The stopping rule, not met: ``‖g‖ = … > tol·‖g₀‖ = …``."""
    return f"‖g‖ = {number(grad_norm, 3)} > tol·‖g₀‖ = {number(target, 3)}"
