"""sutui: compare systems under test side by side, in the terminal."""

__version__ = "0.1.0"
