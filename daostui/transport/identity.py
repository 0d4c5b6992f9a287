"""Who commands run as, on the machine where they run.

Over ssh that is the remote account, which may differ from the laptop's (`User` in ~/.ssh/config,
`alice@` on the command line, or a site that maps names): it is learned once after login (`id -un`)
and every client reads it from this one object — `qselect -u`, mount points under `/tmp/<user>`,
the header — so nothing keeps using the local name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Identity:
    #: The account name commands run as.
    user: str
    #: Its home directory there ("" until learned); job scripts go under it by default.
    home: str = ""
    #: True once the machine itself said so (`id -un` after login), not just the configuration.
    learned: bool = False

    def learn(self, user: str, home: str) -> None:
        self.user = user or self.user
        self.home = home or self.home
        self.learned = True
