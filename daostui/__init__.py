"""daostui: a terminal operations console for DAOS and PBS on ALCF Aurora."""

__version__ = "0.1.0"
