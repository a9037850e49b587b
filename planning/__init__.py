"""Slate Planner's engine: data contract, store, validation, conflicts, optimizer, cash flow."""
