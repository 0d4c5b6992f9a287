"""Textual-free glue: actions, config, site profile, session, refresh policy, errors, paths."""
