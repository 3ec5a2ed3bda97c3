"""Shared test fixtures. Module-specific fixtures live beside their tests."""
