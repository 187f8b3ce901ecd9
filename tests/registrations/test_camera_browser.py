"""The check-in page's camera scan, end to end: Chromium's fake camera shows a ticket's QR code,
app/static/js/checkin.js decodes it with the vendored jsQR and submits the check-in."""
from datetime import timedelta

import pytest
import segno

from app import clock
from app.accounts.models import Role
from app.extensions import db
from app.registrations import services
from app.registrations.models import CheckIn
from tests.conftest import CHROMIUM_ARGS, require_chromium
from tests.factories import make_event, make_user

pytestmark = pytest.mark.browser


def starting_soon():
    """A start two hours from now: check-in opens on the session's day."""
    return clock.now() + timedelta(hours=2)

WIDTH, HEIGHT = 640, 480


def write_y4m(path, text: str) -> None:
    """A Y4M video (the format of Chromium's fake camera) of a QR code on white, a few frames long."""
    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    quiet = 4
    modules = len(matrix) + 2 * quiet
    scale = min(WIDTH, HEIGHT) * 9 // 10 // modules
    left, top = (WIDTH - modules * scale) // 2, (HEIGHT - modules * scale) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if not dark:
                continue
            for dy in range(scale):
                start = (top + (y + quiet) * scale + dy) * WIDTH + left + (x + quiet) * scale
                luma[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 10)


def test_camera_scan_checks_the_ticket_holder_in(live_server, tmp_path, playwright_driver):
    app = live_server.app
    with app.app_context():
        organiser = make_user("organiser@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        event = make_event(actor=organiser, title="Школа пациентских лидеров", start=starting_soon())
        registration = services.register(event.id, make_user(full_name="Ирина Петрова", password=None))
        token = services.ticket_token(registration)
        url = f"{live_server}/manage/events/{event.id}/sessions/{event.sessions[0].id}/check-in"
        registration_id = registration.id
        db.session.remove()
    video = tmp_path / "ticket.y4m"
    write_y4m(video, token)

    browser = playwright_driver.chromium.launch(
        executable_path=require_chromium(), headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(locale="ru-RU")
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.goto(live_server + "/auth/login")
        page.get_by_label("Электронная почта").fill("organiser@example.org")
        page.get_by_label("Пароль").fill("password123")
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url(live_server + "/me")
        page.goto(url)
        page.get_by_role("button", name="Сканировать камерой").click()
        page.wait_for_selector(".flashes .alert-success", timeout=20_000)
        assert "Ирина Петрова" in page.locator(".flashes").inner_text()
    finally:
        browser.close()
    with app.app_context():
        assert [c.registration_id for c in db.session.query(CheckIn)] == [registration_id]
        db.session.remove()
