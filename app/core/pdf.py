"""PDF output shared by every area that prints (certificates, the registration printables): one WeasyPrint
font set-up per process and HTML → PDF. It sits in the core so that no area imports another to print."""
import logging
from functools import lru_cache
from pathlib import Path

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

ROOT = Path(__file__).resolve().parents[2]
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per document step


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    """One font set-up per process: building it costs more than a page of layout."""
    return FontConfiguration()


def html_to_pdf(html: str, base_url: str = str(ROOT), stylesheets=()) -> bytes:
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=list(stylesheets), font_config=font_config())
