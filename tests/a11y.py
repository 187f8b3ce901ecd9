"""Accessibility check with axe-core from node_modules (no CDN): serious or critical violations fail."""
from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """Run axe on the current page, under the page's real Content-Security-Policy: axe is evaluated
    through the DevTools protocol (as a console would), which the CSP does not govern, instead of a
    <script> tag the CSP would refuse. The page's own scripts therefore run exactly as in production."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `npm ci` in the project root")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in results["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail with a readable list if axe finds serious or critical violations on the current page."""
    violations = axe_violations(page)
    assert not violations, f"axe found accessibility violations on {page.url}:\n{describe(violations)}"
