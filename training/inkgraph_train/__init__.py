"""Inkgraph's embedded model family: recipes that render, train, evaluate and export (see training/README.md)."""
