#!/usr/bin/env python3
"""Times Pillow (libwebp, its own GIF writer) on the same frames as `bench-export`.

Each sticker is exported once by us as a lossless APNG (exact frames, identical frames already
merged, with their durations); Pillow reads those frames (not timed) and writes an animated WebP
(lossless; lossy at quality 75, the quality of our speed target, and at Pillow's default 80) and
a GIF, each timed (wall and CPU time, the CPU time of this process). Prints the medians.

    python3 benches/pillow_export.py target/release/tgs-converter STICKER.tgs...

Needs Pillow (the reference venv of ../shared/tools/setup.sh has it).
"""

import io
import statistics
import subprocess
import sys
import time

from PIL import Image


def frames_of(binary, sticker):
    apng = subprocess.run([binary, "convert", sticker, "-o", "-", "--format", "apng"],
                          check=True, capture_output=True).stdout
    im = Image.open(io.BytesIO(apng))
    frames, durations = [], []
    for k in range(im.n_frames):
        im.seek(k)
        frames.append(im.convert("RGBA"))
        durations.append(im.info.get("duration", 0))
    return frames, durations


def timed_save(frames, durations, **kw):
    out = io.BytesIO()
    t0, c0 = time.perf_counter(), time.process_time()
    frames[0].save(out, save_all=True, append_images=frames[1:], duration=durations, loop=0, **kw)
    cpu = (time.process_time() - c0) * 1000
    return (time.perf_counter() - t0) * 1000, cpu, len(out.getvalue())


def main(argv):
    binary, stickers = argv[1], argv[2:]
    cases = {
        "webp lossless": dict(format="WEBP", lossless=True),
        "webp lossy q75": dict(format="WEBP", quality=75),
        "webp lossy q80": dict(format="WEBP", quality=80),
        "gif": dict(format="GIF", disposal=2),
    }
    results = {name: ([], [], []) for name in cases}
    for sticker in stickers:
        frames, durations = frames_of(binary, sticker)
        for name, kw in cases.items():
            ms, cpu, size = timed_save(frames, durations, **kw)
            results[name][0].append(ms)
            results[name][1].append(cpu)
            results[name][2].append(size)
    for name, (ms, cpu, sizes) in results.items():
        print("%-15s %d files, median %.1f ms, median CPU %.1f ms, median %.1f KiB"
              % (name, len(ms), statistics.median(ms), statistics.median(cpu),
                 statistics.median(sizes) / 1024))


if __name__ == "__main__":
    main(sys.argv)
