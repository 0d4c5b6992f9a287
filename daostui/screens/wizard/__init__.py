"""The guided wizard: one widget per step."""
