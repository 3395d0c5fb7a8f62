"""Errors a user can act on. The CLI prints their message as one sentence, without a traceback."""


class UserError(Exception):
    """A mistake in the input or the command, explained in the message."""


class NoUsableArticles(UserError):
    """The raw folder holds no article that could be used; the previous KB is kept."""
