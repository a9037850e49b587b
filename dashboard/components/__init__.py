"""Streamlit custom components of the dashboard, each with its built frontend committed beside it."""
