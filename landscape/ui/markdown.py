"""User text inside Streamlit's Markdown (messages that quote a link or a file name)."""

import re


def literal(text: str) -> str:
    """``text`` shown as typed inside Markdown: every ASCII punctuation character
    backslash-escaped, so a link, image or emphasis in user text stays text."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)
