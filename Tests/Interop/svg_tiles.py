"""Reads the borough tile map relayctl writes, with Python's own XML parser: one line per tile,
`TITLE<TAB>FILL`, where TITLE is the tile's tooltip ("Hackney: 6") and FILL its fill.

    python3 svg_tiles.py map.svg
"""
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def main() -> int:
    root = ET.parse(sys.argv[1]).getroot()
    assert root.tag == SVG + "svg", root.tag
    for group in root.iter(SVG + "g"):
        title = group.find(SVG + "title")
        rect = group.find(SVG + "rect")
        if title is not None and rect is not None:
            print(f"{title.text}\t{rect.get('fill')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
