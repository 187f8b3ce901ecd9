"""Material forms: shape only (lengths, a file was chosen); app/materials/services.py judges the rest."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.materials import services
from app.materials.models import Visibility

ACCEPT = ".pdf,.pptx,.odp,.docx,.odt,.epub,.png,.jpg,.jpeg,.webp"


class MaterialForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=services.TITLE_MAX)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=services.DESCRIPTION_MAX)])
    session_id = SelectField(_l("Belongs to"), validate_choice=False)
    visibility = SelectField(_l("Who may see it"), validate_choice=False)
    submit = SubmitField(_l("Save"))

    def setup(self, event):
        self.session_id.choices = [("", _l("The whole event"))] + [
            (str(s.id), s.title or _l("Session %(number)d", number=n)) for n, s in enumerate(event.sessions, start=1)]
        self.visibility.choices = [(v.value, v.label) for v in Visibility]
        return self

    def data_for_service(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "submit")}


class FileMaterialForm(MaterialForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))],
                     render_kw={"accept": ACCEPT})

    def data_for_service(self) -> dict:
        data = super().data_for_service()
        data.pop("file")
        return data


class LinkMaterialForm(MaterialForm):
    url = StringField(_l("Link"), validators=[DataRequired(), Length(max=services.URL_MAX)],
                      description=_l("A recording, an e-book or any page, starting with https://."))
    available_after_event = BooleanField(
        _l("Show it only after the event"),
        description=_l("For a recording: it appears on the event page once the last session has ended."))
