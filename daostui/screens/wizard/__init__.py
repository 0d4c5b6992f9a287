"""The guided setup: `screen.py` (navigation, progress, the shared command lines), `step.py` (the
interface every step implements) and one module per step, in the order of `core.wizard_progress.STEPS`."""
