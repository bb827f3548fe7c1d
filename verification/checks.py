"""One check on the public page: a code, a PDF file, or both, and what can be said about them."""

import hashlib
import logging
from dataclasses import dataclass

from pypdf import PdfReader

from core import verification
from verification import records
from verification.records import Issued

logger = logging.getLogger(__name__)


class Verdict:
    AUTHENTIC = "authentic"  # the file is, byte for byte, a document the service issued
    CODE_KNOWN = "code"  # the code belongs to an issued document (no file to compare)
    ALTERED = "altered"  # the file carries (or was given with) the code of an issued document, but differs
    UNKNOWN = "unknown"  # no issued document matches


@dataclass
class Outcome:
    verdict: str
    document: Issued | None = None
    sha256: str = ""  # of the uploaded file
    code_mismatch: bool = False  # a code was typed, and it belongs to another document than the file


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def code_printed_in(upload) -> str | None:
    """The verification code printed on the first page of an uploaded PDF, if it can be read."""
    try:
        reader = PdfReader(upload)
        text = reader.pages[0].extract_text() if reader.pages else ""
    except Exception:  # any malformed upload: nothing can be read, nothing more to say
        logger.info("uploaded PDF could not be read", exc_info=True)
        return None
    finally:
        upload.seek(0)
    return verification.find_code(text)


def check(code: str | None, upload) -> Outcome:
    by_code = records.by_code(code) if code else None
    if upload is None:
        return Outcome(Verdict.CODE_KNOWN, by_code) if by_code else Outcome(Verdict.UNKNOWN)
    digest = file_sha256(upload)
    issued = records.by_sha256(digest)
    if issued is not None:
        mismatch = bool(code) and (by_code is None or by_code.sha256 != issued.sha256)
        return Outcome(Verdict.AUTHENTIC, issued, digest, code_mismatch=mismatch)
    if by_code is None:
        printed = code_printed_in(upload)
        by_code = records.by_code(printed) if printed else None
    if by_code is not None:
        return Outcome(Verdict.ALTERED, by_code, digest)
    return Outcome(Verdict.UNKNOWN, sha256=digest)
