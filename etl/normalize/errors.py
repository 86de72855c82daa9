"""The one error type raised by all normalizers."""


class NormalizeError(ValueError):
    """A cell value could not be normalized.

    The message is plain Chinese: what was found and what was expected. The caller adds
    file / sheet / row / column.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
