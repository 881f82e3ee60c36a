"""The one exception type that stage scripts turn into a readable message."""


class PipelineError(Exception):
    """Bad params or bad data: the message names the value and what would be valid."""
