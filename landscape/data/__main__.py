"""``python -m landscape.data make ...``: the command line of ``writer.py``."""

from .writer import main

if __name__ == "__main__":
    raise SystemExit(main())
