"""Name any missing system library with the apt-get line that installs it (instead of a traceback)."""
import ctypes.util
import sys

REQUIRED = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "fontconfig": "libfontconfig1",
}
FONT_PACKAGE = "fonts-dejavu-core"


def main() -> int:
    missing = sorted({package for library, package in REQUIRED.items() if ctypes.util.find_library(library) is None})
    try:
        import subprocess

        fonts = subprocess.run(["fc-list", ":lang=ru"], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        fonts = ""
    if not fonts.strip():
        missing.append(FONT_PACKAGE)
    if missing:
        print("Praktika needs system packages that are not installed (WeasyPrint renders PDFs with Pango):",
              file=sys.stderr)
        print(f"    sudo apt-get install -y {' '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
