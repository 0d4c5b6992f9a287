"""The DAOS troubleshooting checklist (Textual-free)."""
