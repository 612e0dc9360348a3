"""One row of the dispatcher's table: a method's name, its options (names, defaults,
validation) and how it runs.

Each method family declares its ``Method`` entries next to the code they run. A
method's options are a frozen dataclass: its fields are the option names with their
defaults, and its ``checked(prob)`` returns the validated settings (defaults that
depend on the problem filled in) or raises ValueError naming the option.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from ..problem import Problem

#: per-step facts every line-search method records
LINE_SEARCH = ("step_size", "pole_rejections")


@dataclass(frozen=True)
class NoOptions:
    """The settings of a method without options of its own."""

    def checked(self, prob: Problem) -> NoOptions:
        return self


@dataclass(frozen=True)
class Method:
    """A minimiser ``minimize`` can run.

    ``run(prob, x0, rec, *, tol, max_iter, seed, options) -> Trajectory`` with
    ``options`` an instance of ``options`` (checked); ``max_iter`` is the default
    limit; ``per_step`` names the per-step facts it records (``Trajectory`` fields).
    """

    name: str
    run: Callable
    max_iter: int
    options: type = NoOptions
    per_step: tuple[str, ...] = ()

    def settings(self, given: dict, prob: Problem):
        """The method's options from the keywords ``given``, checked: unknown names
        are refused with the list of known ones."""
        known = [f.name for f in fields(self.options)]
        unknown = sorted(set(given) - set(known))
        if unknown:
            name = unknown[0]
            raise ValueError(f"option {name!r} is not known for method {self.name!r} "
                             f"(its options: {', '.join(known) if known else 'none'}); "
                             f"received {name}={given[name]!r}.")
        return self.options(**given).checked(prob)
