"""The analytical report (DOCX and PDF, the fund's layout and the neutral one) of the `known` programme: the
calendar plan with actual dates from the sessions, indicators with deviation notes, qualitative results and
publications; its figures are the report page's; another organiser's programme is a 404."""
import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote

import docx
import pytest
from pypdf import PdfReader

from app.events.models import EventKind, GroupDetails, Session
from app.extensions import db
from app.programmes.models import PlanItem, Programme
from app.reports import analytical, indicators, report
from app.reports.models import Indicator
from tests.reports.conftest import NOW, event_row, make_organiser

BASE = "/manage/programmes/{id}/report/analytical.{fmt}"


@pytest.fixture
def organiser(known):
    user = make_organiser()
    known["programme"].organisers = [user]
    db.session.commit()
    return user


@pytest.fixture
def grant(known, organiser):
    """Indicators (one with a deviation note, one media indicator with links), a calendar plan linked to the
    seminar and a trip, a round table with its summary and a self-help group with a meeting's outcome."""
    programme = known["programme"]
    e1, _e2, e3, *_rest, t1, _t2 = known["events"]
    s1, s2 = known["stages"]
    indicators.create_indicator(programme, organiser, {
        "name": "Обучено консультантов", "unit": "человек", "plan": 30, "source": "trainees_trained",
        "deviation_note": "Семинар перенесён: команда болела коронавирусом в октябре и ноябре."})
    indicators.create_indicator(programme, organiser, {"name": "Обслужено жителей сёл", "plan": 300,
                                                       "source": "people_served"})
    media = indicators.create_indicator(programme, organiser, {"name": "Публикации о проекте", "unit": "публикаций",
                                                               "plan": 20, "source": "manual"})
    indicators.record_manual_fact(media, organiser, {
        "value": 3, "evidence_url": "https://vsp-penza.ru/news/1",
        "note": "Новости о работе сайта: https://vk.com/club94431200?w=wall-94431200_1572 и "
                "https://ok.ru/profile/81810905164/statuses/153179873291084."})
    db.session.add_all([
        PlanItem(programme_id=programme.id, stage_id=s1.id, position=1, number="1.1",
                 activity="Выездной семинар-тренинг для лидеров НКО", planned_start=date(2027, 2, 1),
                 planned_end=date(2027, 2, 28), events=[e1]),
        PlanItem(programme_id=programme.id, stage_id=s1.id, position=2, number="1.2",
                 activity="Выезд #ДоброВСело", planned_start=date(2027, 4, 1), planned_end=date(2027, 4, 30),
                 events=[t1]),
        PlanItem(programme_id=programme.id, stage_id=s2.id, position=3, number="2.1",
                 activity="Семинар по комьюнити", planned_start=date(2027, 8, 1), planned_end=date(2027, 8, 31),
                 events=[e3]),
    ])
    table = event_row(programme, EventKind.ROUND_TABLE, "Итоговый онлайн круглый стол", date(2027, 6, 2))
    table.outcome_summary = "Консультанты договорились о ежемесячных супервизиях."
    group = event_row(programme, EventKind.SELF_HELP_GROUP, "Группа самопомощи: Малко Търново", date(2027, 5, 5))
    group.group = GroupDetails(community="Малко Търново")
    group.sessions[0].outcome = "Обсудили майчино и детско здраве."
    db.session.add(Session(event_id=group.id, starts_at=datetime(2027, 5, 19, 6, tzinfo=UTC),
                           ends_at=datetime(2027, 5, 19, 8, tzinfo=UTC)))
    db.session.commit()
    return programme


def _get(client, programme_id, fmt, status=200, **args):
    response = client.get(BASE.format(id=programme_id, fmt=fmt), query_string=args)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


def _docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _docx_links(body: bytes) -> set[str]:
    document = docx.Document(io.BytesIO(body))
    return {rel.target_ref for rel in document.part.rels.values() if rel.is_external}


def test_fund_docx_has_every_part_in_the_funds_words(client, login, organiser, grant, frozen):
    login(organiser)
    response = _get(client, grant.id, "docx", layout="pgf")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    text = _docx_text(response.data)
    for heading in ("Аналитический отчёт о реализации проекта", "1. Информация о проекте",
                    "2. Выполнение календарного плана", "3. Достижение контрольных точек",
                    "4. Количественные результаты", "6. Качественные результаты",
                    "7. Публикации и информационное сопровождение проекта", "«КПД НКО»"):
        assert heading in text, heading
    print("\n" + text[:1500])
    # calendar plan: planned dates, actual dates from the seminar's three sessions, the state and the deviation
    assert "1.1 | Выездной семинар-тренинг для лидеров НКО | 01.02.2027 – 28.02.2027 | 01.03.2027 – 03.03.2027 | " \
           "Семинар 1 | Проведено | +3" in text
    assert "1.2 | Выезд #ДоброВСело | 01.04.2027 – 30.04.2027 | 20.04.2027 – 20.04.2027" in text
    assert "2.1 | Семинар по комьюнити | 01.08.2027 – 31.08.2027 | — | Семинар 2 | Запланировано" in text
    # indicators: plan, fact, deviation, the note
    assert "Обучено консультантов | человек | 30 | 3 | -27 | 10 % |" in text
    assert "команда болела коронавирусом" in text
    assert "Обслужено жителей сёл | человек | 300 | 146 | -154" in text
    # qualitative results
    assert "Консультанты договорились о ежемесячных супервизиях." in text
    assert "Обсудили майчино и детско здраве." in text and "проведено встреч: 2" in text
    assert "#ДоброВСело: Пригорское (с. Пригорское)" in text
    # publications: the evidence link and the links of the note, as hyperlinks
    assert {"https://vsp-penza.ru/news/1", "https://vk.com/club94431200?w=wall-94431200_1572",
            "https://ok.ru/profile/81810905164/statuses/153179873291084"} <= _docx_links(response.data)
    assert "Дата: 15.06.2027" in text and "Ольга Миронова" in text


def test_fund_layout_names_the_fund_and_stays_russian(client, login, organiser, grant, frozen):
    login(organiser)
    organiser.locale = "en"
    db.session.commit()
    response = _get(client, grant.id, "docx", lang="en")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="analytical-report-pgf-{grant.id}.docx"; ')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "analytical-report-pgf-кпд-нко.docx"
    assert "Аналитический отчёт о реализации проекта" in _docx_text(response.data)


def test_neutral_layout_follows_the_language_and_names_no_fund(client, login, organiser, grant, frozen):
    login(organiser)
    response = _get(client, grant.id, "docx", layout="neutral", lang="en")
    disposition = response.headers["Content-Disposition"]
    assert "pgf" not in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "analytical-report-кпд-нко.docx"
    text = _docx_text(response.data)
    for heading in ("Programme report: activities and results", "Activities: planned and actual dates",
                    "Results in figures", "What the activities achieved", "Publications"):
        assert heading in text, heading
    assert "Presidential" not in text and "Аналитический" not in text
    assert "Mar 1, 2027 – Mar 3, 2027" in text


def _fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    fonts = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts.append((str(font.get("/BaseFont")),
                          any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return fonts


@pytest.mark.parametrize("layout", ["pgf", "neutral"])
def test_pdf_renders_with_cyrillic_headings_and_embedded_fonts(client, login, organiser, grant, frozen, layout):
    login(organiser)
    response = _get(client, grant.id, "pdf", layout=layout)
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    title = "Аналитический отчёт о реализации проекта" if layout == "pgf" else "Отчёт о программе: мероприятия и результаты"
    for heading in (title, "Количественные результаты" if layout == "pgf" else "Результаты в цифрах",
                    "КПД НКО", "01.03.2027" if layout == "pgf" else "1 мар. 2027"):
        assert heading in text, (heading, text[:600])
    if layout == "pgf":
        print("\n--- first page ---\n" + reader.pages[0].extract_text())
    fonts = _fonts(reader)
    assert fonts and all(embedded for _name, embedded in fonts), fonts


def test_analytical_figures_are_the_report_pages(client, login, organiser, grant, frozen):
    built = analytical.build(grant, analytical.PGF)
    page_rows = report.build(grant.id)["indicators"]
    assert [(r.name, r.plan, r.fact, r.percent, r.status) for r in built.indicators] == \
        [(r["name"], r["plan"], r["fact"], r["percent"], r["status"]) for r in page_rows]
    login(organiser)
    html = client.get(f"/manage/programmes/{grant.id}/report").get_data(as_text=True)
    for row in page_rows:
        assert row["name"] in html and f">{row['fact']}<" in html
    print("\nplan/fact:", [(r.name, r.plan, r.fact) for r in built.indicators])


def test_actual_dates_skip_cancelled_and_future_sessions(app, grant, frozen):
    seminar = next(e for e in grant.events if e.title == "Семинар 1")
    seminar.sessions[-1].cancelled_at = NOW - timedelta(days=1)
    db.session.commit()
    row = analytical.build(grant, analytical.PGF).plan[0]
    assert (row.actual_start, row.actual_end) == (date(2027, 3, 1), date(2027, 3, 2))
    assert analytical.build(grant, analytical.PGF).plan[2].actual_start is None


def test_milestones_count_items_held_and_indicators_met(app, grant, frozen):
    first, second, whole = analytical.build(grant, analytical.PGF).milestones
    assert (first.items_held, first.items_total, first.indicators_total, first.state) == (2, 2, 0, "reached")
    assert (second.items_held, second.items_total, second.state) == (0, 1, "in_progress")
    assert (whole.items_held, whole.items_total, whole.indicators_met, whole.indicators_total) == (2, 3, 0, 3)


def test_another_organisers_programme_is_404(client, login, known, grant, frozen):
    stranger = make_organiser("stranger@example.org")
    login(stranger)
    for fmt in ("docx", "pdf"):
        _get(client, grant.id, fmt, status=404)
        _get(client, grant.id, fmt, status=404, layout="neutral")


def test_unknown_layout_is_404(client, login, organiser, grant):
    login(organiser)
    _get(client, grant.id, "docx", status=404, layout="other")


def test_empty_programme_gives_a_sensible_document(client, login, organiser, frozen):
    empty = Programme(title="Пустая программа", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
                      region_codes=[])
    empty.organisers = [organiser]
    db.session.add(empty)
    db.session.commit()
    login(organiser)
    text = _docx_text(_get(client, empty.id, "docx").data)
    for expected in ("Календарный план пока пуст.", "Показателей пока нет.", "Результаты пока не внесены.",
                     "Публикации пока не указаны", "Ничего не запланировано"):
        assert expected in text, expected
    pdf = PdfReader(io.BytesIO(_get(client, empty.id, "pdf", layout="neutral").data))
    assert "Пустая программа" in pdf.pages[0].extract_text()


def test_deviation_note_is_edited_in_the_indicator_form_and_shown_on_the_report(client, login, organiser, grant):
    login(organiser)
    indicator = db.session.query(Indicator).filter_by(programme_id=grant.id, source="people_served").one()
    response = client.post(f"/manage/programmes/{grant.id}/indicators/{indicator.id}/edit", data={
        "name": indicator.name, "unit": "", "plan": 300, "source": "people_served", "description": "",
        "deviation_note": "Два выезда перенесены на осень из-за распутицы."})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    db.session.refresh(indicator)
    assert indicator.deviation_note == "Два выезда перенесены на осень из-за распутицы."
    html = client.get(f"/manage/programmes/{grant.id}/report").get_data(as_text=True)
    assert "Два выезда перенесены на осень из-за распутицы." in html
    assert "/report/analytical.docx?layout=pgf" in html and "/report/analytical.pdf?layout=neutral" in html
    form = client.get(f"/manage/programmes/{grant.id}/indicators/{indicator.id}/edit").get_data(as_text=True)
    assert 'name="deviation_note"' in form


def test_slug_keeps_letters_of_any_script():
    assert analytical.slug("«КПД НКО»: команда пациентов — в действии!") == "кпд-нко-команда-пациентов-в-действии"
    assert analytical.slug("!!!") == "programme"
