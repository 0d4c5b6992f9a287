"""The console's widgets. Importing any of them corrects Textual's frame pacing first
(`frame_pacing`: a frame after a late one waited up to two ticks)."""

from daostui.widgets import frame_pacing

frame_pacing.install()
