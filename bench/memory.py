"""Peak memory of `coder` importing large inputs, beside the file's size, and of refusing
oversized ones (issue 12): memory follows what is kept, not what a file claims.

Each figure is the peak resident size (`ru_maxrss`) of one `coder` process, read with
`os.wait4` when that process ends (by a small launcher, see `LAUNCHER`), so one import's peak
never hides another's. Each command's baseline row is the same command on a one-paragraph
file: Python, click and the importers loaded.

    python bench/memory.py [--quick]       # also a part of `python -m bench`
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

Row = tuple[str, str, str]
MB = 1024 * 1024
WORDS = ("care", "placement", "support", "worker", "school", "family", "moved", "never",
         "trust", "housing", "college", "believe", "money", "friends", "eighteen", "home")


@dataclass
class Peak:
    exit_code: int
    seconds: float
    peak_mb: float
    stderr: str


# Linux keeps a process's peak across exec, and a child spawned straight from this process
# would start from this process's own peak (the files built for the measures); so a small
# launcher spawns `coder` and reports the peak of that grandchild alone.
LAUNCHER = """
import os, sys
pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "coder", *sys.argv[1:]],
                     os.environ, file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull,
                                                os.O_WRONLY, 0)])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak(args: list[str], folder: Path) -> Peak:
    """Run `coder ARGS` as a process of its own and measure it alone."""
    err_path = folder / "stderr.txt"
    with open(err_path, "wb") as err:
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", LAUNCHER, *args], stdout=subprocess.PIPE,
                              stderr=err, cwd=folder, check=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        seconds = time.perf_counter() - t0
    code, maxrss = (int(v) for v in done.stdout.split())
    # ru_maxrss is in KiB on Linux, in bytes on macOS
    scale = 1 if sys.platform == "darwin" else 1024
    return Peak(code, seconds, maxrss * scale / MB, err_path.read_text(errors="replace").strip())


def _paragraphs(size: int, seed: int = 1) -> Iterable[str]:
    rng = random.Random(seed)
    written = 0
    n = 0
    while written < size:
        n += 1
        line = f"P{n % 7 + 1}: " + " ".join(rng.choices(WORDS, k=rng.randint(8, 40))) + "."
        written += len(line) + 2
        yield line


def big_text(path: Path, size: int) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for line in _paragraphs(size):
            out.write(line + "\n\n")
    return path


def big_docx(path: Path, size: int) -> Path:
    """A real .docx (python-docx's template) whose body is `size` bytes of paragraphs; the
    XML is written directly, since building it paragraph by paragraph takes minutes."""
    import docx
    from xml.sax.saxutils import escape

    template = io.BytesIO()
    docx.Document().save(template)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w",
                                                          zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                head, tail = data.decode("utf-8").split("<w:body>", 1)
                body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>"
                               for p in _paragraphs(size))
                data = (head + "<w:body>" + body + tail.split("<w:sectPr", 1)[0]
                        + "<w:sectPr" + tail.split("<w:sectPr", 1)[1]).encode("utf-8")
            dst.writestr(item, data)
    return path


def big_qdpx(path: Path, folder: Path, size: int) -> Path:
    """A .qdpx written by coder's own exporter from a project holding one `size`-byte text."""
    from coder.export.refi import project_qdpx
    from coder.project import import_files
    from coder.store import Store

    source = big_text(folder / f"{path.stem}-source.txt", size)
    with Store(folder / f"{path.stem}-source.db") as store:
        import_files(store, [source])
        project_qdpx(store, path)
    return path


def bomb(path: Path, entry: str, size: int, template: Path | None = None) -> Path:
    """An archive whose `entry` unpacks to `size` bytes of zeros (a few hundred KB packed),
    the other entries taken from `template` (so the file is otherwise well formed)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        if template is not None:
            with zipfile.ZipFile(template) as src:
                for item in src.infolist():
                    if item.filename != entry:
                        dst.writestr(item, src.read(item))
        with dst.open(entry, "w", force_zip64=True) as out:
            chunk = b"\0" * MB
            for _ in range(size // MB):
                out.write(chunk)
    return path


def rows(corpus: object = None, *, quick: bool = False) -> list[Row]:
    """The table's rows; `python -m bench --quick` (a small corpus) measures small files."""
    quick = quick or getattr(corpus, "paragraphs", 100_000) < 100_000
    scale = 1 if quick else 4
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="coder-memory-") as tmp:
        folder = Path(tmp)
        small = {"text": big_text(folder / "small.txt", 100),
                 "docx": big_docx(folder / "small.docx", 100),
                 "qdpx": big_qdpx(folder / "small.qdpx", folder, 100)}
        command = {"text": ["import"], "docx": ["import"], "qdpx": ["refi", "import"]}
        base: dict[str, Peak] = {}
        for kind, file in small.items():
            base[kind] = peak([*command[kind], str(file), "--db", str(folder / f"base-{kind}.db")],
                              folder)
            out.append((f"peak memory: baseline, {' '.join(command[kind])} of a one-paragraph"
                        f" {kind}", f"{base[kind].peak_mb:.0f} MB",
                        f"Python and the modules the command loads; {base[kind].seconds:.1f} s"))

        def measured(label: str, kind: str, file: Path, held: float, *,
                     refused: bool = False) -> Row:
            r = peak([*command[kind], str(file), "--db", str(folder / f"{file.name}.db")], folder)
            above = r.peak_mb - base[kind].peak_mb
            ok = (r.exit_code != 0) if refused else (r.exit_code == 0)
            note = (f"file {file.stat().st_size / MB:.1f} MB holding {held:.0f} MB; {above:+.0f}"
                    f" MB over the baseline ({max(above, 0) / held:.2f}x what it holds); "
                    f"{r.seconds:.1f} s")
            if refused:
                note += f"; exit {r.exit_code}: {r.stderr.splitlines()[-1] if r.stderr else ''}"
            if not ok:
                note = f"UNEXPECTED exit {r.exit_code}: {r.stderr[-300:]}; " + note
            return (f"peak memory: {label}", f"{r.peak_mb:.0f} MB" if ok else "PROBLEMS", note)

        text_mb, docx_mb, qdpx_mb = 8 * scale, 2 * scale, 4 * scale
        text = big_text(folder / "large.txt", text_mb * MB)
        out.append(measured(f"import a {text_mb} MB text", "text", text, text_mb))
        document = big_docx(folder / "large.docx", docx_mb * MB)
        out.append(measured(f"import a .docx holding {docx_mb} MB of text", "docx", document,
                            docx_mb))
        qdpx = big_qdpx(folder / "large.qdpx", folder, qdpx_mb * MB)
        out.append(measured(f"refi import a .qdpx holding a {qdpx_mb} MB source", "qdpx", qdpx,
                            qdpx_mb))
        cap = 129 if quick else 1024
        out.append(measured(f"refuse a .qdpx whose project.qde unpacks to {cap} MB", "qdpx",
                            bomb(folder / "bomb.qdpx", "project.qde", cap * MB, small["qdpx"]),
                            cap, refused=True))
        out.append(measured(f"refuse a .docx whose document.xml unpacks to {cap} MB", "docx",
                            bomb(folder / "bomb.docx", "word/document.xml", cap * MB,
                                 small["docx"]), cap, refused=True))
        too_big = folder / "too-big.txt"
        with open(too_big, "wb") as f:
            f.truncate(200 * MB)  # sparse: costs no disk
        out.append(measured("refuse a 200 MB text", "text", too_big, 200, refused=True))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    table = rows(quick="--quick" in argv)
    width = max(len(m) for m, _, _ in table)
    for measure, value, note in table:
        print(f"{measure:<{width}}  {value:>8}  {note}")
    return 1 if any(v == "PROBLEMS" for _, v, _ in table) else 0


if __name__ == "__main__":
    sys.exit(main())
