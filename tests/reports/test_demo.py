"""seed-demo defines both demo programmes' indicators: the report shows computed facts and a snapshot."""
from sqlalchemy import select

from app.accounts import services as accounts
from app.extensions import db
from app.programmes.models import Programme
from app.reports import report
from app.reports.demo import SNAPSHOT_LABEL, TRIPS_PROGRAMME
from app.reports.models import ReportSnapshot


def test_demo_reports_are_full(app, runner, client, login):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    kpd = db.session.execute(select(Programme).where(
        Programme.title == "КПД НКО: команда пациентов в действии")).scalar_one()
    trips = db.session.execute(select(Programme).where(Programme.title == TRIPS_PROGRAMME)).scalar_one()
    data = report.build(kpd.id)
    facts = {row["name"]: (row["plan"], row["fact"]) for row in data["indicators"]}
    # the 29 leaders who came to the first seminar (the 30th cancelled, ill) and its 29 regions
    assert facts["Обучено консультантов по технологии поддерживающего консультирования"] == (30, 29)
    assert facts["Регионы, где мультиплицирована технология поддерживающего консультирования"] == (30, 29)
    assert facts["Выдано сертификатов участникам семинаров"] == (60, 29)
    assert facts["Проведено вебинаров"] == (6, 2)
    assert facts["Публикации о проекте в СМИ и социальных сетях"] == (20, 4)
    assert len(data["indicators"]) == 13 and [s["number"] for s in data["stages"]] == [1, 2]
    assert len(data["plan"]) == 10
    trips_data = report.build(trips.id)
    facts = {row["name"]: row["fact"] for row in trips_data["indicators"]}
    assert facts == {"Проведено выездов #ДоброВСело": 1, "Жители сёл, прошедшие профилактический осмотр": 64,
                     "Школьники на профориентации в медицину": 38, "Все обслуженные на выездах": 154,
                     "Волонтёры-медики в выездных командах": 10}
    snapshot = db.session.execute(select(ReportSnapshot).where(ReportSnapshot.programme_id == trips.id)).scalar_one()
    assert snapshot.label == SNAPSHOT_LABEL and snapshot.data["indicators"][1]["fact"] == 64

    organiser = accounts.find_user_by_email("organiser@example.org")
    login(organiser, "praktika-demo")
    html = client.get(f"/manage/programmes/{kpd.id}/report").get_data(as_text=True)
    assert "Лидеры пациентских НКО — участники проекта" in html and "Календарный план" in html
    html = client.get("/manage").get_data(as_text=True)
    assert "КПД НКО: команда пациентов в действии" in html and TRIPS_PROGRAMME in html

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "nothing changed" in again.output, again.output
