#!/usr/bin/env python3
"""Regenerates the reference PNGs in golden-images/ from tests/fixtures/ with the reference engines.

    PY=$(../shared/tools/setup.sh | tail -n1)
    $PY golden-images/generate.py                 # every fixture listed in references.tsv
    $PY golden-images/generate.py masks/add ...    # only these fixtures

For each fixture, `references.tsv` names the engine whose render is the reference (rlottie unless a
human looked at the disagreement and decided otherwise, see README.md) and the output size. The
frames are the 4 evenly spaced frames `lottie_ref.py golden --frames 4` picks; every reference is
re-encoded at maximum PNG compression (pixels unchanged) and written to
golden-images/<topic>/<case>/f<NNN>.png. Run it with the reference venv's python (it needs Pillow).
"""

import csv
import os
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "golden-images")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
TOOL = os.path.join(os.path.dirname(ROOT), "shared", "tools", "lottie_ref.py")
FRAMES = 4


def main(argv):
    tool = os.environ.get("LOTTIE_REF", TOOL)
    with open(os.path.join(GOLDEN, "references.tsv")) as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")]
    only = set(argv[1:])
    rows = [r for r in rows if not only or r["fixture"] in only]
    for r in rows:
        if r["engine"] == "ours":
            # No engine draws this case right (see README.md): the reference is our render,
            # written by `GOLDEN_UPDATE=<topic>_<case> cargo test --release --test integration`.
            print("%s\tours\tskipped (update with GOLDEN_UPDATE)" % r["fixture"])
            continue
        src = None
        for ext in (".json", ".tgs"):
            p = os.path.join(FIXTURES, r["fixture"] + ext)
            if os.path.exists(p):
                src = p
        if src is None:
            sys.exit("missing fixture for %s" % r["fixture"])
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, tool, "golden", src, tmp, "--engine", r["engine"],
                            "--frames", str(FRAMES), "--size", r["size"]], check=True,
                           stdout=subprocess.DEVNULL)
            with open(os.path.join(tmp, "index.tsv")) as f:
                index = list(csv.DictReader(f, delimiter="\t"))
            out = os.path.join(GOLDEN, r["fixture"])
            if os.path.isdir(out):
                shutil.rmtree(out)
            os.makedirs(out)
            frames = []
            for row in index:
                k = int(row["frame"])
                frames.append(k)
                im = Image.open(os.path.join(tmp, row["png"]))
                im.load()
                im.save(os.path.join(out, "f%03d.png" % k), optimize=True, compress_level=9)
        print("%s\t%s\tframes = %s" % (r["fixture"], r["engine"], frames))


if __name__ == "__main__":
    main(sys.argv)
