"""In headless Chromium: the organiser issues certificates in bulk and watches the progress bar (a real
Huey consumer runs the job), then a stranger opens the verify page from the URL in the PDF's QR code.
Pages on the way are checked with axe-core under the real CSP-free harness."""
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

from app import clock
from app.extensions import QUEUE_NAMES, db, queues
from tests.a11y import assert_accessible
from tests.certificates.conftest import AFTER, BEFORE, make_seminar
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app_overrides():
    return {"HUEY_IMMEDIATE": False, "CERTIFICATE_BATCH_SIZE": 2}


def _qr_url(pdf: bytes, tmp_path) -> str:
    if not shutil.which("zbarimg") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils and zbar-tools are needed to read the QR code")
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "c")], check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", *map(str, sorted(tmp_path.glob("c*.png")))],
                         capture_output=True, text=True, check=True).stdout.split()
    assert len(out) == 1
    return out[0]


def test_bulk_issue_progress_and_verify_from_the_qr(live_server, browser, tmp_path):
    from app.accounts.models import Role

    app = live_server.app
    with clock.frozen_at(BEFORE):
        with app.app_context():
            organiser = make_user("organiser@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")
            event, users = make_seminar(organiser, [3, 3, 3, 3, 3, 2],
                                        names=["Ёлкина Жанна Щукина", "Żaneta Łukasiewicz"])
            event_id = event.id
            db.session.remove()
        clock.advance(AFTER - clock.now())
        consumers = [queues[name].create_consumer(workers=2, worker_type="thread", periodic=False)
                     for name in QUEUE_NAMES]
        for consumer in consumers:
            consumer.start()
        try:
            staff = browser.new_context(bypass_csp=True, locale="ru-RU")
            page = staff.new_page()
            page.goto(live_server + "/auth/login")
            page.get_by_label("Электронная почта").fill("organiser@example.org")
            page.get_by_label("Пароль").fill("password123")
            page.get_by_role("button", name="Войти").click()
            page.wait_for_url(live_server + "/me")

            page.goto(f"{live_server}/manage/events/{event_id}/certificates")
            assert_accessible(page)
            main = page.locator("main").inner_text()
            assert "посещено занятий: 2 из 3 (нужно 75%)" in main
            assert page.locator("input[name=user_ids]:checked").count() == 5
            page.locator("select[name=layout]").select_option("modern")
            page.get_by_role("button", name="Выдать выбранным").click()
            page.wait_for_url(f"{live_server}/manage/events/{event_id}/certificates/jobs/*")
            assert_accessible(page)
            page.locator("#job-state", has_text="Завершено").wait_for(timeout=180_000)
            assert page.locator("#job-bar").get_attribute("aria-valuenow") == "5"
            assert "выдано 5 из 5, ошибок: 0" in page.locator("#job-counts").inner_text()

            page.goto(f"{live_server}/manage/events/{event_id}/certificates")
            link = page.get_by_role("link", name="PRK-2027-", exact=False).first
            serial = link.inner_text()
            pdf = page.request.get(f"{live_server}/certificates/{serial}.pdf")
            assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
            url = _qr_url(pdf.body(), tmp_path)
            assert url.startswith(app.config["BASE_URL"] + f"/verify/{serial}?c=")
            staff.close()

            stranger = browser.new_context(bypass_csp=True, locale="ru-RU")
            page = stranger.new_page()
            parts = urlsplit(url)
            page.goto(f"{live_server}{parts.path}?{parts.query}")
            assert "Действителен" in page.locator(".certificate-status").inner_text()
            assert page.locator(".certificate-holder").inner_text() in {"Ёлкина Жанна Щукина", "Żaneta Łukasiewicz"} \
                or page.locator(".certificate-holder").inner_text().startswith("Слушатель")
            assert_accessible(page)
            assert stranger.request.get(f"{live_server}/certificates/{serial}.pdf", max_redirects=0).status == 302
            stranger.close()
        finally:
            for consumer in consumers:
                consumer.stop(graceful=True)
