"""core.pdf: the cycle collector is off while WeasyPrint lays a document out, and back as it was afterwards."""

import gc
from unittest import mock

import pytest

from core.pdf import _weasy, render_bare_pdf


def _recording_write_pdf(seen, fail=False):
    def write_pdf(self, **kwargs):
        seen.append(gc.isenabled())
        if fail:
            raise RuntimeError("layout failed")
        return b"%PDF-"

    return write_pdf


def test_the_collector_is_off_during_layout_and_on_again_after():
    seen = []
    with mock.patch.object(_weasy()[0], "write_pdf", _recording_write_pdf(seen)):
        assert render_bare_pdf("<p>Bonjour</p>", "") == b"%PDF-"
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_comes_back_when_layout_fails():
    seen = []
    with (
        mock.patch.object(_weasy()[0], "write_pdf", _recording_write_pdf(seen, fail=True)),
        pytest.raises(RuntimeError),
    ):
        render_bare_pdf("<p>Bonjour</p>", "")
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_already_off_is_left_off():
    """Another thread's document is still being laid out: its own guard turns the collector back on."""
    gc.disable()
    try:
        render_bare_pdf("<p>Bonjour</p>", "")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_real_document_comes_out_whole():
    content = render_bare_pdf("<p>Bonjour</p>", "")
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")
