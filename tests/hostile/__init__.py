"""Hostile input, everywhere at once: every address answers bad input with a 4xx, never a 500,
and an action refused for any reason changes nothing."""
