#!/usr/bin/python3
"""Writes test/fixtures/images: one small picture in every format the image readers must load (JPEG, PNG, BMP, GIF,
WebP), with Pillow (Debian's python3-pil), so the tests read files written by an encoder other than the decoder under
test and cover BMP and GIF, which SkiaSharp does not write. The picture is 16x8: the left half gray 40, the right half
gray 200, on every format (GIF as an 8-bit palette image, JPEG at quality 95, WebP lossless)."""
from pathlib import Path

from PIL import Image

out = Path(__file__).resolve().parent / "fixtures" / "images"
out.mkdir(parents=True, exist_ok=True)
image = Image.new("L", (16, 8), 40)
image.paste(200, (8, 0, 16, 8))
rgb = image.convert("RGB")
rgb.save(out / "halves.jpg", quality=95, subsampling=0)
rgb.save(out / "halves.png")
rgb.save(out / "halves.bmp")
image.convert("P").save(out / "halves.gif")
rgb.save(out / "halves.webp", lossless=True)
