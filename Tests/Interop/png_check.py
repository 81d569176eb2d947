"""Describes a PNG for the statistics page test: `WIDTH HEIGHT COLOURS INKED`, where COLOURS is
the number of distinct colours and INKED the share of pixels that are not near-white, in
per mille. Uses Pillow, an independent PNG decoder.

    python3 png_check.py page.png
"""
import sys

from PIL import Image


def main() -> int:
    image = Image.open(sys.argv[1]).convert("RGB")
    width, height = image.size
    pixels = list(image.getdata())
    colours = len(set(pixels))
    inked = sum(1 for r, g, b in pixels if min(r, g, b) < 235)
    print(width, height, colours, inked * 1000 // len(pixels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
