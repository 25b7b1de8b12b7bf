"""Decodes the PGM frames named on stdin with zxing-cpp (Debian's python3-zxing-cpp) and
prints one JSON line per frame: the texts found and the milliseconds the decode took."""
import json
import sys
import time

import numpy
import zxingcpp


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, w, h, maxval = data[:64].split()[:4]
    assert magic == b"P5" and maxval == b"255", path
    w, h = int(w), int(h)
    return numpy.frombuffer(data[len(data) - w * h:], dtype=numpy.uint8).reshape(h, w)


for line in sys.stdin:
    img = read_pgm(line.strip())
    start = time.perf_counter()
    found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    ms = (time.perf_counter() - start) * 1000
    print(json.dumps({"texts": [r.text for r in found if r.valid], "ms": ms}), flush=True)
