"""Name any missing system package with the apt-get line that installs it (instead of a traceback).

    python scripts/check_system.py              what `make run` needs (WeasyPrint: Pango, fonts)
    python scripts/check_system.py --for-tests  also what the test suite uses (Chromium, axe-core)
"""
import ctypes.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "harfbuzz-subset": "libharfbuzz-subset0",  # WeasyPrint subsets fonts with it, several times faster than fontTools
    "fontconfig": "libfontconfig1",
}
FONT_PACKAGE = "fonts-dejavu-core"


def missing_runtime() -> list[str]:
    missing = {package for library, package in LIBRARIES.items() if ctypes.util.find_library(library) is None}
    if shutil.which("fc-list") is None or not subprocess.run(
            ["fc-list", ":lang=ru"], capture_output=True, text=True, check=False).stdout.strip():
        missing.add(FONT_PACKAGE)
    if not missing:
        probe = subprocess.run([sys.executable, "-c", "import weasyprint"], capture_output=True, text=True,
                               check=False)
        if probe.returncode != 0:
            print(f"WeasyPrint cannot load its libraries:\n{probe.stderr.strip().splitlines()[-1]}", file=sys.stderr)
            missing.update(LIBRARIES.values())
    return sorted(missing)


def missing_for_tests() -> tuple[list[str], list[str]]:
    packages, steps = [], []
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not (shutil.which(chromium) or os.path.exists(chromium)):
        packages.append("chromium")
    if not (ROOT / "node_modules" / "axe-core" / "axe.min.js").exists():
        if shutil.which("npm") is None:
            packages.extend(["nodejs", "npm"])
        steps.append("npm ci")
    return packages, steps


def main(argv: list[str]) -> int:
    status = 0
    missing = missing_runtime()
    if missing:
        print("Praktika needs system packages that are not installed (WeasyPrint renders PDFs with Pango):",
              file=sys.stderr)
        print(f"    sudo apt-get install -y {' '.join(missing)}", file=sys.stderr)
        status = 1
    if "--for-tests" in argv:
        packages, steps = missing_for_tests()
        if packages or steps:
            in_ci = os.environ.get("CI", "").lower() == "true"
            print("Browser and accessibility tests need more (they skip locally without it"
                  f"{', and fail under CI=true' if in_ci else ''}):", file=sys.stderr)
            if packages:
                print(f"    sudo apt-get install -y {' '.join(packages)}", file=sys.stderr)
            for step in steps:
                print(f"    {step}", file=sys.stderr)
            if in_ci:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
