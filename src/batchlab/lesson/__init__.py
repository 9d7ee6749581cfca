"""The lesson's text as content files, rendered to HTML with server-side MathML."""

from batchlab.lesson.errors import ContentError
from batchlab.lesson.render import (
    Lesson,
    MethodText,
    PageText,
    Section,
    load_lesson,
    render_markdown,
)

__all__ = ["ContentError", "Lesson", "MethodText", "PageText", "Section", "load_lesson",
           "render_markdown"]
