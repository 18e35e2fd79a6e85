"""Seeded synthetic partner data (every person invented), written as ordinary source files."""
