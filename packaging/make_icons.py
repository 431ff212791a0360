"""Render the app icon from its one source, ``leaddesk/resources/icons/leaddesk.svg``.

Writes into a folder (default ``build/icons``): PNGs at the hicolor sizes for Linux,
``leaddesk.ico`` for Windows and ``leaddesk.icns`` for macOS. Qt draws the SVG; Pillow writes
the multi-size ``.ico`` and ``.icns`` containers (Qt's writers hold one size per file).

    python packaging/make_icons.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "leaddesk" / "resources" / "icons" / "leaddesk.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 256)  # what Windows shows, from list views to tiles


def render(size: int):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SOURCE)).render(painter)
    painter.end()
    return image


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    app = QGuiApplication([])  # noqa: F841 (image plugins need an application)
    for size in PNG_SIZES:
        render(size).save(str(out / f"leaddesk-{size}.png"))
    render(1024).save(str(out / "leaddesk-1024.png"))
    from PIL import Image

    with Image.open(out / "leaddesk-1024.png") as large:
        large.save(out / "leaddesk.ico", sizes=[(size, size) for size in ICO_SIZES])
        large.save(out / "leaddesk.icns")  # Pillow derives the icns sizes from the 1024 px image
    print(f"icons written to {out}")


if __name__ == "__main__":
    main()
