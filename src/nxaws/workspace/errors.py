"""Errors a user can act on: the CLI prints the message alone and exits 1 (2 for usage errors)."""


class UserError(Exception):
    """A problem with the input or the workspace; the message names the problem and the fix."""

    exit_code = 1


class UsageError(UserError):
    """The command line itself is wrong."""

    exit_code = 2


class WriteError(UserError, OSError):
    """The workspace could not be written: a file-system error, told as a user error (what, and that nothing
    was changed)."""
