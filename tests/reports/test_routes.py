"""Report pages, indicator forms, freeze, compare, exports and the JSON API, with their permissions."""
import csv
import io
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from app.accounts import services as accounts
from app.accounts.models import Role
from app.extensions import db
from app.reports import indicators
from app.reports.models import Indicator, ReportSnapshot
from tests.factories import make_user
from tests.reports.conftest import make_organiser


@pytest.fixture
def organiser(known):
    user = make_organiser()
    known["programme"].organisers = [user]
    db.session.commit()
    return user


@pytest.fixture
def defined(known, organiser):
    programme = known["programme"]
    s1, s2 = known["stages"]
    for data in (
        {"name": "Обучено консультантов", "plan": 30, "source": "trainees_trained", f"stage_plan_{s1.id}": 30},
        {"name": "Охвачено регионов", "plan": 30, "source": "regions_covered"},
        {"name": "Обслужено жителей сёл", "plan": 300, "source": "people_served"},
        {"name": "Посетители сайта", "unit": "человек", "plan": 50, "source": "manual"},
    ):
        indicators.create_indicator(programme, organiser, {"unit": "", **data})
    visitors = indicators.indicators_of(programme)[-1]
    indicators.record_manual_fact(visitors, organiser, {"value": 77, "note": "Яндекс Метрика",
                                                        "evidence_url": "https://example.org/stats"})
    return programme


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:800])
    return response.get_data(as_text=True)


def test_report_page_shows_the_table_the_plan_and_the_charts(client, login, organiser, defined):
    login(organiser)
    html = page(client, f"/manage/programmes/{defined.id}/report")
    for text in ("Обучено консультантов", "Охвачено регионов", "Посетители сайта", "77", "146", "Яндекс Метрика",
                 "Участники по регионам", "Обслужено человек по выездам", "<desc id=\"chart-plan-desc\">"):
        assert text in html, text
    assert html.count("<h1") == 1
    visitors, trained = indicators.indicators_of(defined)[-1], indicators.indicators_of(defined)[0]
    assert f"/indicators/{visitors.id}/fact" in html and f"/indicators/{trained.id}/breakdown" in html
    stage_id = defined.stages[0].id
    html = page(client, f"/manage/programmes/{defined.id}/report/stages/{stage_id}")
    assert "Отчёт по этапу 1: Консультирование" in html
    indicator = indicators.indicators_of(defined)[0]
    html = page(client, f"/manage/programmes/{defined.id}/indicators/{indicator.id}/breakdown?by=region")
    assert "Пензенская область" in html and "По регионам" in html
    page(client, f"/manage/programmes/{defined.id}/indicators/{indicator.id}/breakdown?by=nonsense", 404)
    page(client, f"/manage/programmes/{defined.id}/indicators")


def test_indicator_form_saves_and_shows_errors_beside_fields(client, login, organiser, known):
    login(organiser)
    programme = known["programme"]
    s1 = known["stages"][0]
    url = f"/manage/programmes/{programme.id}/indicators/new"
    assert "Откуда берётся факт" in page(client, url)
    response = client.post(url, data={"name": "", "plan": "-3", "source": "people_served",
                                      "filter_option": "checkups", "filter_date_from": "2027-05-01",
                                      "filter_date_to": "2027-04-01"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html and 'id="plan-error"' in html
    response = client.post(url, data={"name": "Осмотрено", "plan": "5", "source": "manual",
                                      "filter_date_from": "2027-05-01", "filter_date_to": "2027-04-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="filter_date_to-error"' in html and 'id="source-error"' in html
    assert db.session.query(Indicator).count() == 0
    response = client.post(url, data={"name": "Осмотрено", "plan": "5", "source": "events_held",
                                      "filter_event_id": str(10**12)})
    assert response.status_code == 422 and 'id="filter_event_id-error"' in response.get_data(as_text=True)
    response = client.post(url, data={"name": "Осмотрено жителей", "plan": "200", "source": "people_served",
                                      "filter_option": "checkups", f"stage_plan_{s1.id}": "120"})
    assert response.status_code == 302
    indicator = db.session.query(Indicator).one()
    assert (indicator.plan, indicator.filters, indicator.stage_plan(s1.id)) == (200, {"option": "checkups"}, 120)
    edit = f"/manage/programmes/{programme.id}/indicators/{indicator.id}/edit"
    assert 'value="120"' in page(client, edit)
    assert client.post(edit, data={"name": "Осмотрено", "plan": "250", "source": "people_served"}).status_code == 302
    db.session.expire_all()
    assert (indicator.name, indicator.plan, indicator.filters, indicator.stage_plans) == ("Осмотрено", 250, {}, [])


def test_manual_fact_form(client, login, organiser, defined):
    login(organiser)
    visitors = indicators.indicators_of(defined)[-1]
    url = f"/manage/programmes/{defined.id}/indicators/{visitors.id}/fact"
    assert 'value="77"' in page(client, url)
    response = client.post(url, data={"stage_id": "", "value": "80", "evidence_url": "ftp://x"})
    assert response.status_code == 422 and 'id="evidence_url-error"' in response.get_data(as_text=True)
    assert client.post(url, data={"stage_id": "", "value": "80", "note": "итог"}).status_code == 302
    db.session.expire_all()
    assert visitors.manual_fact(None).value == 80
    computed = indicators.indicators_of(defined)[0]
    page(client, f"/manage/programmes/{defined.id}/indicators/{computed.id}/fact", 404)


def test_freeze_compare_and_deviations(client, login, organiser, defined):
    login(organiser)
    response = client.post(f"/manage/programmes/{defined.id}/report/deviations",
                           data={"deviations": "Два участника заболели; семинар перенесён."})
    assert response.status_code == 302
    response = client.post(f"/manage/programmes/{defined.id}/report/freeze", data={"label": "Этап 1"})
    assert response.status_code == 302
    snapshot = db.session.query(ReportSnapshot).one()
    html = page(client, response.headers["Location"])
    assert "Два участника заболели" in html and "больше не меняется" in html
    html = page(client, f"/manage/programmes/{defined.id}/report/compare?before={snapshot.id}&after=live")
    assert "Обучено консультантов" in html
    page(client, f"/manage/programmes/{defined.id}/report/compare?before=999999", 404)


def test_exports_xlsx_csv_pdf(client, login, organiser, defined, tmp_path):
    login(organiser)
    response = client.get(f"/manage/programmes/{defined.id}/report.xlsx")
    assert response.status_code == 200
    path = tmp_path / "report.xlsx"
    path.write_bytes(response.data)
    workbook = load_workbook(path)
    sheet = workbook["Показатели"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Показатель", "Единица", "План", "Факт", "Выполнение плана")
    assert rows[1][:5] == ("Обучено консультантов", "человек", 30, 3, 0.1)
    assert rows[3][2:4] == (300, 146) and isinstance(rows[3][3], int)
    assert len(sheet._charts) == 1 and sheet._charts[0].tagname == "barChart"
    assert {"Этап 1", "Этап 2", "Календарный план", "Регионы", "Выезды"} <= set(workbook.sheetnames)
    if shutil.which("libreoffice"):
        result = subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                                 str(path)], capture_output=True, timeout=180,
                                env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
        assert result.returncode == 0 and (tmp_path / "report.pdf").exists(), result.stderr
    response = client.get(f"/manage/programmes/{defined.id}/report.csv")
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[1][:5] == ["", "Обучено консультантов", "человек", "30", "3"]
    assert any(row[0] == "1" and row[1] == "Обучено консультантов" for row in table)
    response = client.get(f"/manage/programmes/{defined.id}/report.pdf")
    assert response.status_code == 200 and response.data[:4] == b"%PDF"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for name in ("Обучено консультантов", "Охвачено регионов", "Посетители сайта", "Этап 1", "Пригорское"):
        assert name in text, name
    english = client.get(f"/manage/programmes/{defined.id}/report.pdf?lang=en")
    pdf.write_bytes(english.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Indicator" in text and "Stage 1" in text and "Обучено консультантов" in text
    assert client.get(f"/manage/programmes/{defined.id}/report.pdf?lang=xx").status_code == 200


def test_an_organiser_sees_only_their_programmes(client, login, known, defined):
    stranger = make_user("other@example.org", roles=(Role.ORGANISER,))
    trainee = make_user("trainee@example.org")
    login(stranger)
    indicator = indicators.indicators_of(defined)[0]
    for url in (f"/manage/programmes/{defined.id}/report", f"/manage/programmes/{defined.id}/report.xlsx",
                f"/manage/programmes/{defined.id}/indicators", f"/manage/programmes/{defined.id}/indicators/new",
                f"/manage/programmes/{defined.id}/indicators/{indicator.id}/breakdown"):
        page(client, url, 404)
    assert client.post(f"/manage/programmes/{defined.id}/report/freeze").status_code == 404
    assert client.post(f"/manage/programmes/{defined.id}/indicators/{indicator.id}/delete").status_code == 404
    assert db.session.query(ReportSnapshot).count() == 0 and db.session.get(Indicator, indicator.id) is not None
    client.post("/auth/logout")
    login(trainee)
    page(client, "/manage", 403)
    page(client, f"/manage/programmes/{defined.id}/report", 404)
    client.post("/auth/logout")
    assert client.get(f"/manage/programmes/{defined.id}/report").status_code == 302


def test_an_indicator_of_another_programme_is_a_404(client, login, organiser, known, defined):
    other = known["other"]
    other.organisers = [organiser]
    db.session.commit()
    login(organiser)
    indicator = indicators.indicators_of(defined)[0]
    page(client, f"/manage/programmes/{other.id}/indicators/{indicator.id}/edit", 404)
    assert client.post(f"/manage/programmes/{other.id}/indicators/{indicator.id}/delete").status_code == 404


def test_no_mutating_report_route_accepts_get(app):
    mutating = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("reports.") and "POST" in r.methods
                and "GET" not in r.methods]
    assert {r.endpoint for r in mutating} == {"reports.save_deviations", "reports.freeze", "reports.indicator_delete",
                                             "reports.indicator_move"}


def test_api_report(client, organiser, known, defined):
    token = accounts.create_api_token(organiser)
    response = client.get(f"/api/v1/programmes/{defined.id}/report", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    first = body["indicators"][0]
    assert {k: first[k] for k in ("name", "unit", "plan", "fact", "percent", "source")} == {
        "name": "Обучено консультантов", "unit": "человек", "plan": 30, "fact": 3, "percent": 10,
        "source": "trainees_trained"}
    assert [s["number"] for s in body["stages"]] == [1, 2]
    assert body["stages"][0]["indicators"][0]["plan"] == 30
    assert client.get(f"/api/v1/programmes/{defined.id}/report").status_code == 401
    stranger = make_user("api-other@example.org", roles=(Role.ORGANISER,))
    other_token = accounts.create_api_token(stranger)
    assert client.get(f"/api/v1/programmes/{defined.id}/report",
                      headers={"Authorization": f"Bearer {other_token}"}).status_code == 403
    assert client.get("/api/v1/programmes/999999/report",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/programmes/{programme_id}/report" in spec["paths"]
    assert date.fromisoformat(body["stages"][0]["starts_on"]) == date(2027, 1, 1)
