"""Mapping tables: loading and validation."""
