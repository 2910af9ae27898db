"""Conditions that stop a run (raised), as opposed to issues in the data (collected).

Every message of a DocgenError is meant for the clerk and is in Chinese; the CLI
prints it without a traceback.
"""


class DocgenError(Exception):
    """A condition that stops the requested operation; its message is for the user."""


class ConfigError(DocgenError):
    """docgen.toml cannot be read or holds an invalid value."""


class TemplateError(DocgenError):
    """A document template is missing or does not fit its context."""


class RenderError(DocgenError):
    """A document could not be rendered or written."""


class CalendarError(DocgenError):
    """A working-day count reaches a year without a holiday schedule."""
