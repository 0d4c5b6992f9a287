"""Read-only sessions, enforced by the clients rather than the screens.

k9s leaked mutating actions through individual views for years because each view decided for
itself. Here every client method (or function) that changes anything -- creates, destroys, sets
properties or ACLs, runs `pool autotest`, copies, mounts, unmounts, submits, deletes, holds,
releases, starts an interactive job -- carries `@mutating("what it does")`. The decorator records
it in `REGISTRY` (the one list of what changes things: tests enumerate it against the commands
each method really runs) and refuses the call, before any command runs, when the session the
client belongs to is read-only. The UI only hides what the clients would refuse anyway.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from daostui.core.errors import DaostuiError

F = TypeVar("F", bound=Callable[..., Any])

HINT = "Start daostui without --readonly (and without `readonly = true` in the config) to change things."


class ReadOnlyError(DaostuiError):
    """A mutating call refused because the session is read-only; nothing was run."""

    def __init__(self, what: str) -> None:
        super().__init__(f"read-only session: refused to {what}")
        self.what = what
        self.hint = HINT


@dataclass
class Access:
    """Whether a session may change anything; one object shared by all of a session's clients, so
    switching the session to read-only switches every client at once."""

    readonly: bool = False


@dataclass(frozen=True, slots=True)
class Mutation:
    """One registered mutating method or function."""

    qualname: str  # module-qualified, e.g. "daostui.daos.client.DaosClient.cont_destroy"
    what: str


#: Every mutating method and function, by module-qualified name.
REGISTRY: dict[str, Mutation] = {}


def access_of(owner: Any) -> Access:
    """The `Access` of a client (its `.access`); fails closed for an object that has none."""
    access = getattr(owner, "access", None)
    if not isinstance(access, Access):
        raise TypeError(f"{type(owner).__name__} has no `access`: a mutating call cannot tell if it may run")
    return access


def refuse_if_readonly(owner: Any, what: str) -> None:
    if access_of(owner).readonly:
        raise ReadOnlyError(what)


def mutating(what: str) -> Callable[[F], F]:
    """Mark a method (or a function whose first argument is a client or session) as changing
    something; `what` completes "refused to ..." in the error a read-only session gets."""

    def decorate(func: F) -> F:
        name = f"{func.__module__}.{func.__qualname__}"
        REGISTRY[name] = Mutation(name, what)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def guarded_async(owner: Any, *args: Any, **kwargs: Any) -> Any:
                refuse_if_readonly(owner, what)
                return await func(owner, *args, **kwargs)

            wrapper: Any = guarded_async
        else:

            @functools.wraps(func)
            def guarded(owner: Any, *args: Any, **kwargs: Any) -> Any:
                refuse_if_readonly(owner, what)
                return func(owner, *args, **kwargs)

            wrapper = guarded
        wrapper.__mutating__ = what
        return wrapper  # type: ignore[no-any-return]

    return decorate


def is_mutating(func: Any) -> bool:
    return hasattr(func, "__mutating__")
