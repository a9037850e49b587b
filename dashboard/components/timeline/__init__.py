"""The Slate timeline: vis-timeline as a Streamlit custom component, served from ``frontend/static``
(vis-timeline vendored there by ``frontend/build.sh``; nothing is fetched at run time). ``dashboard/timeline.py`` makes
what it shows from a plan; ``dashboard/moves.py`` turns what it returns into a move."""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

STATIC = Path(__file__).parent / "frontend" / "static"
_component = components.declare_component("slate_timeline", path=str(STATIC))


def timeline(items: list[dict], groups: list[dict], *, backgrounds: list[dict] = (), markers: list[dict] = (),
             window: dict, editable: bool, whole_productions: bool = False, revision: int = 0, height: int = 640,
             key: str | None = None, on_change=None) -> dict | None:
    """Draw the timeline; return the last drop (``None`` before any).

    ``items``: one per bar: ``id``, ``group``, ``start``, ``end`` (ISO days), ``kind`` (phase kind: its
    colour), ``label`` and ``tip`` (text), ``locked``, ``moved`` (by hand), ``production_id``,
    ``phase_id``, ``phase_start`` and ``production_start`` (what a drop moves: the phase's start and
    the production's, ISO), ``phase_draggable`` and ``production_draggable``. ``groups``: ``id``,
    ``label``, ``tip``, ``order``. ``backgrounds``: ``id``, ``group`` (``None``: every row), ``start``,
    ``end``, ``label``, ``cls`` (``planned`` or ``outside``). ``markers``: target deliveries: ``id``,
    ``group``, ``date``, ``late``, ``tip``. ``window``: ``start`` and ``end`` shown first.
    ``editable``: items may be dragged (those draggable in the mode); ``whole_productions``: a drag
    moves every phase of its production. ``revision``: changed to draw the same items again (a move
    refused puts the dragged bar back).

    A drop returns ``{production_id, phase_id, new_start, drop}``: ``phase_id`` ``None`` for a whole
    production, ``new_start`` the Monday its phase (or first phase) now starts, ``drop`` unique per
    drop. The value is the browser's: check it (``moves.read_drop``) before using it. ``on_change`` is
    called (before the page runs again) when a new drop comes in; the value is then in
    ``st.session_state[key]``.
    """
    return _component(items=list(items), groups=list(groups), backgrounds=list(backgrounds), markers=list(markers),
                      window=window, editable=editable, whole_productions=whole_productions, revision=revision,
                      height=height, key=key, default=None, on_change=on_change)
