"""User text on a page: names, titles, file names, emails and messages that quote them are shown
as typed, never as Markdown (an image or a link in a scenario name would load in every viewer's
browser) and never with control characters."""

from __future__ import annotations

import unicodedata

MARKDOWN = set("\\`*_{}[]()#+-.!|<>~$:=@")   # @: no mailto link made of an email


def md(text: object) -> str:
    """``text`` made literal for Streamlit Markdown: every Markdown character backslash-escaped
    (CommonMark shows an escaped punctuation mark as itself), control characters as spaces."""
    plain = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in str(text))
    return "".join("\\" + c if c in MARKDOWN else c for c in plain)
