"""Copy the front-end files the pages use from node_modules/ into static/vendor/.

Run by `make assets` after `npm ci`. Only what the pages load is copied: ECharts, htmx and the
Noto fonts (regular and bold) for Latin, Chinese, Myanmar, Lao, Khmer and Thai scripts. The
woff fallbacks are dropped from the CSS because every supported browser reads woff2.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "mekong" / "web" / "static" / "vendor"

SCRIPTS = {
    "echarts/dist/echarts.min.js": "echarts.min.js",
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
}
FONTS = [
    "noto-sans",
    "noto-sans-sc",
    "noto-sans-myanmar",
    "noto-sans-lao",
    "noto-sans-khmer",
    "noto-sans-thai",
]
WEIGHTS = ["400", "700"]
WOFF_FALLBACK = re.compile(r",\s*url\(\./files/[^)]+\.woff\) format\('woff'\)")
FILE_REF = re.compile(r"url\(\./files/([^)]+\.woff2)\)")


def main() -> int:
    if not NODE.is_dir():
        print("node_modules/ is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    (VENDOR / "fonts" / "files").mkdir(parents=True)
    for source, target in SCRIPTS.items():
        shutil.copy2(NODE / source, VENDOR / target)
    combined: list[str] = []
    copied = 0
    for family in FONTS:
        package = NODE / "@fontsource" / family
        for weight in WEIGHTS:
            css_path = package / f"{weight}.css"
            if not css_path.exists():
                continue
            css = WOFF_FALLBACK.sub("", css_path.read_text(encoding="utf-8"))
            for name in FILE_REF.findall(css):
                shutil.copy2(package / "files" / name, VENDOR / "fonts" / "files" / name)
                copied += 1
            combined.append(css)
    (VENDOR / "fonts" / "fonts.css").write_text("\n".join(combined), encoding="utf-8")
    print(
        f"vendored {len(SCRIPTS)} scripts and {copied} font files into {VENDOR.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
