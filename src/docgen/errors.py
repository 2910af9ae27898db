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


class DiskError(DocgenError):
    """The storage refused what docgen had to write (full, read-only, gone): the run stops."""


# What the machine's storage answered, in the clerk's words; these stop a whole run, since
# every later file would meet the same answer.
_DISK = {
    "ENOSPC": "磁盘空间已满", "EDQUOT": "磁盘配额已用完", "EROFS": "磁盘是只读的",
    "EACCES": "没有写入权限", "EPERM": "没有写入权限", "ENOENT": "文件夹已被删除或移走",
    "EIO": "磁盘读写出错",
}


def disk_problem(exc: BaseException) -> str | None:
    """What stopped a write, in Chinese, when `exc` is the storage's refusal; None otherwise."""
    import errno

    if not isinstance(exc, OSError) or exc.errno is None:
        return None
    return _DISK.get(errno.errorcode.get(exc.errno, ""))
