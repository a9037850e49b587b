"""Slate Planner's Streamlit dashboard: thin pages over ``planning``, figures from pure functions."""
