"""Which evidence files are accepted: an allowlist of types, checked by content too."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# Binary formats must start with their signature; text formats must be UTF-8.
_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
}
_TEXT = {".txt", ".md", ".csv", ".json", ".yaml", ".yml", ".log"}
ALLOWED_EXTENSIONS = frozenset(_SIGNATURES) | _TEXT
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".json": "application/json",
    ".csv": "text/csv",
}


def upload_problem(upload: UploadedFile) -> str | None:
    """Why the file is refused, or None. Reads at most the first bytes and the size."""
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        allowed = ", ".join(sorted(ALLOWED_EXTENSIONS))
        return f"Files of type {extension or '(none)'} are not accepted; use one of {allowed}."
    if upload.size > MAX_EVIDENCE_BYTES:
        return "Files are limited to 10 MB."
    if upload.size == 0:
        return "The file is empty."
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if extension in _SIGNATURES:
        if not head.startswith(_SIGNATURES[extension]):
            return f"The content is not a {extension[1:].upper()} file."
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 8 KiB boundary is still text.
        if exc.start < len(head) - 3:
            return "Text files must be UTF-8."
    return None


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(PurePath(name).suffix.lower(), "text/plain")
