"""Camera scanning on ``/verify`` in a browser without ``BarcodeDetector`` (Firefox, Safari,
Chrome on Windows and Linux): the vendored jsQR decoder reads a QR code image from the camera
and the page submits what it says (issue #16).

The camera is a canvas stream that shows a QR code made here with the ``qrcode`` package, so
the decoder sees real pixels, not a stubbed answer.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from urllib.parse import unquote_plus

import pytest
import qrcode
from playwright.sync_api import Page, expect

from passport.app import create_app
from passport.database import prepare_database
from tests.passport.live_server import serving
from tests.storage import sqlite_url
from tests.verifier.support import settings_for

pytestmark = pytest.mark.browser
SHARED_LINK = "https://passport.example.ca/s/Ab_cd-EF_gh12_34"

# No BarcodeDetector, and a camera that films the QR code (drawn on a white margin).
FAKE_CAMERA = """
delete window.BarcodeDetector;
const camera = async () => {
  const image = new Image();
  image.src = "%s";
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width + 80;
  canvas.height = image.height + 80;
  const context = canvas.getContext("2d");
  const draw = () => {
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 40, 40);
  };
  draw();
  window.setInterval(draw, 100);
  return canvas.captureStream(10);
};
if (!navigator.mediaDevices) {
  Object.defineProperty(navigator, "mediaDevices", { value: {} });
}
navigator.mediaDevices.getUserMedia = camera;
"""


def qr_data_url(text: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(text, box_size=6, border=4).save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = settings_for(sqlite_url(tmp_path_factory.mktemp("verify-qr")))
    prepare_database(settings)
    with serving(create_app(settings)) as base_url:
        yield base_url


def test_the_jsqr_fallback_reads_a_qr_code_from_the_camera(page: Page, site: str) -> None:
    page.add_init_script(FAKE_CAMERA % qr_data_url(SHARED_LINK))
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{site}/verify?lang=fr")
    scan = page.locator("#scan-start")
    expect(scan).to_be_visible()
    with page.expect_request(lambda request: request.method == "POST") as sent:
        scan.click()
    assert f"{site}/static/verifier/vendor/jsQR.js" in fetched
    body = sent.value.post_data or ""
    assert SHARED_LINK in unquote_plus(body), body


def test_the_decoder_is_shipped_with_its_licence(page: Page, site: str) -> None:
    for path in ("jsQR.js", "jsQR.LICENSE"):
        answer = page.request.get(f"{site}/static/verifier/vendor/{path}")
        assert answer.status == 200
    licence = page.request.get(f"{site}/static/verifier/vendor/jsQR.LICENSE").text()
    assert "Apache License" in licence
