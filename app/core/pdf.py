"""PDF output shared by every area that prints (certificates, the registration printables): one WeasyPrint
font set-up per process and HTML → PDF. It sits in the core so that no area imports another to print."""
import io
import logging
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError
from weasyprint import HTML
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.text.fonts import FontConfiguration

ROOT = Path(__file__).resolve().parents[2]
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per document step


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    """One font set-up per process: building it costs more than a page of layout."""
    return FontConfiguration()


DROPPED_FONT_TABLES = ("GSUB", "GPOS", "SVG ", "kern")  # kern: fontTools drops it when GPOS kerns


def _fonttools_subset(self, to_unicode, hinting):
    """WeasyPrint's fontTools subsetting (used where HarfBuzz-Subset is not installed) with the tables it drops
    removed before the subsetter opens them: fontTools decompiles GSUB and GPOS whole before dropping them,
    a fifth of a certificate batch's time. A PDF places every glyph itself, so none of these tables is read."""
    options = subset.Options(retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
                             hinting=hinting, desubroutinize=True, notdef_outline=bool(self.missing))
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=to_unicode)
    try:
        font = TTFont(io.BytesIO(self.file_content), fontNumber=self.index)
        for tag in DROPPED_FONT_TABLES:
            if tag in font:
                del font[tag]
        subsetter.subset(font)
    except TTLibError:
        weasyprint_fonts.LOGGER.warning('Unable to subset "%s" with fontTools', self.family)
        return
    subsetted = io.BytesIO()
    font.save(subsetted)
    self.file_content = subsetted.getvalue()


weasyprint_fonts.Font._fonttools_subset = _fonttools_subset


def html_to_pdf(html: str, base_url: str = str(ROOT), stylesheets=()) -> bytes:
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=list(stylesheets), font_config=font_config())
