import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace collapsed to single spaces (line breaks fall anywhere in a PDF)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def form_data(values: dict, version: int, action: str = "save") -> dict:
    """POST data of the Annexe 1 form from model values."""
    from requests_app.models import AXES, LEVEL_KEYS

    data = {"version": str(version), action: action}
    for key, value in values.items():
        if key.startswith(("level_", "axis_")):
            continue
        if value is None:
            data[key] = ""
        elif key.startswith("hse_"):
            data[key] = str(value).replace(".", ",")
        else:
            data[key] = str(value)
    data["levels"] = [k for k in LEVEL_KEYS if values.get(f"level_{k}")]
    data["axes"] = [k for k, _ in AXES if values.get(f"axis_{k}")]
    return data
