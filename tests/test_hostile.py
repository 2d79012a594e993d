"""The hostile corpus (../shared/corpora/hostile) end to end: extraction through the real
worker pool, the ``extract`` / ``index`` / ``search`` CLI, and what its README expects
of every file (Skip / Degrade / Never).

The generated big/deep/special cases live in ``test_hostile_big.py``.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from barcamp_search.archive import ArchiveOptions
from barcamp_search.cli.output import BOLD, DIM, RESET, YELLOW
from barcamp_search.errors import ExtractError
from barcamp_search.model import Post
from barcamp_search.read.assemble import MAX_TAG_LENGTH, MAX_TAGS
from barcamp_search.read.extract import extract_archive, find_sources, read_post
from barcamp_search.read.people import MAX_NAME_LENGTH

from .conftest import CORPORA

HOSTILE = CORPORA / "hostile"
OPTIONS = ArchiveOptions("hostile")

# Text docutils puts in its system messages: never indexed, only in warnings.
DOCUTILS_MESSAGES = (
    "Unknown directive",
    "Unknown interpreted text role",
    "directive disabled",
    "System Message",
    "Undefined substitution",
    "Unknown target name",
    "autonumbered footnote",
    "File and URL access deactivated",
    "No directive entry",
    "No role entry",
    "(ERROR/",
    "(WARNING/",
    "(SEVERE/",
)
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
SKIPPED = {  # README "Skip" cases and the word their reason must use
    "empty.rst": "empty",
    "not-rst-binary.rst": "binary",
    "deep-quotes-250.rst": "too deeply nested",
    "deep-notes-200.rst": "too deeply nested",
}


def _require_corpus() -> None:
    if not HOSTILE.is_dir():
        pytest.skip("../shared/corpora/hostile is not beside the checkout")


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BARCAMP_SEARCH_")}


def run_cli(*args: object, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "barcamp_search", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(),
        timeout=timeout,
    )


def canaries() -> dict[str, str]:
    """canary word -> source (relative to the hostile folder) that carries it."""
    found: dict[str, str] = {}
    for path in sorted(HOSTILE.rglob("*.rst")):
        for word in re.findall(rb"motcanari-[a-z0-9-]*[a-z0-9]", path.read_bytes()):
            found[word.decode()] = path.relative_to(HOSTILE).as_posix()
    return found


def local_secrets() -> list[str]:
    """What the hostile posts try to pull in: /etc/passwd lines and path fields, the values
    of /proc/self/environ (the forked parse workers share them) and the host name."""
    secrets: list[str] = []
    try:
        for line in Path("/etc/passwd").read_text(errors="replace").splitlines():
            if line.strip():
                secrets.append(line)
                # csv-table with ":delim: :" would turn the fields into cells
                secrets += [f for f in line.split(":") if len(f) > 6 and "/" in f]
    except OSError:
        pass
    try:
        raw = Path("/proc/self/environ").read_bytes().decode(errors="replace")
        for item in raw.split("\0"):
            value = item.partition("=")[2]
            if len(value) > 6:
                secrets.append(value)
    except OSError:
        pass
    try:
        hostname = Path("/etc/hostname").read_text().strip()
        if len(hostname) > 4:
            secrets.append(hostname)
    except OSError:
        pass
    return sorted(set(secrets))


def post_json(post: Post) -> str:
    return json.dumps(post.to_json(), ensure_ascii=False)


def text_fields(post: Post) -> list[str]:
    """Every stored string a reader or the index can see (warnings excepted)."""
    values = [
        post.title,
        post.slug,
        post.summary,
        post.text,
        post.lang,
        post.status,
        *post.tags,
        *post.authors,
        *post.categories,
        *post.speakers,
    ]
    for section in post.sections:
        values += [section.anchor, section.title, section.text, *section.speakers]
    for link in post.links:
        values += [link.url, link.text]
    values += [person.name for person in post.people]
    return values


def all_strings(value: object) -> list[str]:
    """Every string inside a JSON-like value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in all_strings(k) + all_strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in all_strings(v)]
    return []


# --- loopback listeners -------------------------------------------------------------


class Listener:
    """TCP listeners on 127.0.0.1 that count accepted connections, in a thread."""

    def __init__(self, ports: tuple[int, ...]) -> None:
        self.counts = {port: 0 for port in ports}
        self.sockets: dict[int, socket.socket] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        for port in ports:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            deadline = time.monotonic() + 10
            while True:
                try:
                    sock.bind(("127.0.0.1", port))
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        sock.close()
                        self.close()
                        pytest.skip(f"127.0.0.1:{port} is busy (another test run?)")
                    time.sleep(0.2)
            sock.listen(16)
            sock.settimeout(0.05)
            self.sockets[port] = sock
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            for port, sock in self.sockets.items():
                try:
                    conn, _ = sock.accept()
                except OSError:  # timeout
                    continue
                self.counts[port] += 1
                conn.close()

    def total(self) -> int:
        return sum(self.counts.values())

    def self_check(self) -> None:
        """Prove the listeners count, then reset: a 0 afterwards means something."""
        for port in self.counts:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        deadline = time.monotonic() + 5
        while self.total() < len(self.counts) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert all(count == 1 for count in self.counts.values()), self.counts
        for port in self.counts:
            self.counts[port] = 0

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
        for sock in self.sockets.values():
            sock.close()


@pytest.fixture
def loopback():
    listener = Listener((8765, 8766))
    try:
        listener.self_check()
        yield listener
    finally:
        listener.close()


LISTENER_SCRIPT = r"""
import select, socket, sys
socks = []
for port in (8765, 8766):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        print("busy", flush=True)
        sys.exit(0)
    sock.listen(16)
    socks.append(sock)
print("ready", flush=True)
count = 0
while True:
    ready, _, _ = select.select(socks + [sys.stdin], [], [])
    for item in ready:
        if item is sys.stdin:
            if not sys.stdin.readline():
                sys.exit(0)
            print(count, flush=True)
        else:
            conn, _ = item.accept()
            count += 1
            conn.close()
"""


class ProcessListener:
    """The same listeners in a child process, so this process keeps a single thread and
    the worker pool forks from it (with a thread alive it uses forkserver)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LISTENER_SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            self.close()
            pytest.skip("127.0.0.1:8765/8766 are busy (another test run?)")

    def count(self) -> int:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


# --- the whole folder, extracted once through the worker pool ---------------------


@pytest.fixture(scope="module")
def results() -> dict[str, Post | ExtractError]:
    _require_corpus()
    started = time.perf_counter()
    found = list(extract_archive(HOSTILE, OPTIONS, workers=2))
    print(
        f"\n[hostile] extract_archive over {len(found)} files: "
        f"{time.perf_counter() - started:.2f} s"
    )
    by_source = {(r.source if isinstance(r, Post) else r.path): r for r in found}
    assert len(by_source) == len(found)
    return by_source


def post_of(results: dict, source: str) -> Post:
    result = results[source]
    assert isinstance(result, Post), f"{source} was skipped: {result}"
    return result


def test_every_file_gives_a_post_or_a_reason(results):
    on_disk = sorted(
        p.relative_to(HOSTILE).as_posix()
        for p in HOSTILE.rglob("*")
        if p.is_file() and p.suffix in (".rst", ".md")
    )
    assert sorted(results) == on_disk
    skipped = {s: r.reason for s, r in results.items() if isinstance(r, ExtractError)}
    assert set(skipped) == set(SKIPPED), skipped
    for source, reason in skipped.items():
        assert SKIPPED[source] in reason, (source, reason)
        assert "internal error" not in reason and "died" not in reason


@pytest.mark.parametrize("source", sorted(SKIPPED))
def test_skipped_files_name_their_reason(results, source):
    result = results[source]
    assert isinstance(result, ExtractError)
    assert result.path == source
    assert SKIPPED[source] in result.reason


@pytest.mark.parametrize(
    "source, canary",
    [
        ("include-local-file.rst", "motcanari-include"),
        ("raw-file.rst", "motcanari-rawfile"),
        ("csv-table-file.rst", "motcanari-csvfile"),
    ],
)
def test_no_local_file_content(results, source, canary):
    post = post_of(results, source)
    dumped = post_json(post)
    secrets = local_secrets()
    assert any("/bin" in s or "/usr" in s for s in secrets)  # the check has teeth here
    leaked = [s for s in secrets if s in dumped]
    assert not leaked, leaked
    assert "root:x:0:0" not in dumped and "/nologin" not in dumped
    assert canary in post.text or any(canary in s.text for s in post.sections)
    assert post.slug == source[:-4] and post.title
    assert post.warnings  # the ignored directives are reported
    for text in text_fields(post):
        assert ".. include::" not in text and ":file:" not in text
        assert not any(m in text for m in DOCUTILS_MESSAGES), text


def test_include_local_file_keeps_the_rest(results):
    post = post_of(results, "include-local-file.rst")
    assert post.speakers == ("Alice Dupont",)
    assert "Le texte normal de ce billet doit être indexé." in post.text
    assert sum("include" in w for w in post.warnings) == 3


def test_raw_url_opens_no_connection(loopback, tmp_path):
    _require_corpus()
    sources = [s for s in find_sources(HOSTILE, OPTIONS) if s.source == "raw-url.rst"]
    assert len(sources) == 1
    started = time.monotonic()
    found = list(extract_archive(HOSTILE, OPTIONS, sources, workers=1, timeout=15))
    in_process = read_post((HOSTILE / "raw-url.rst").read_bytes(), "raw-url.rst", OPTIONS)
    time.sleep(0.3)  # a late connection would still be counted
    assert loopback.counts == {8765: 0, 8766: 0}
    assert time.monotonic() - started < 15  # never a hang
    (post,) = found
    assert isinstance(post, Post)
    assert post == in_process
    assert "motcanari-rawurl" in post.text
    assert "127.0.0.1" not in " ".join(text_fields(post))
    assert not post.links


def test_raw_url_no_connection_from_forked_workers():
    _require_corpus()
    listener = ProcessListener()
    try:
        for port in (8765, 8766):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        deadline = time.monotonic() + 5
        while listener.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        baseline = listener.count()
        assert baseline == 2  # the listeners count
        if threading.active_count() != 1:
            pytest.skip("another thread is alive: the worker pool would not fork")
        sources = [
            s
            for s in find_sources(HOSTILE, OPTIONS)
            if s.source in ("raw-url.rst", "conf-override/post.rst")
        ]
        found = list(extract_archive(HOSTILE, OPTIONS, sources, workers=2, timeout=15))
        time.sleep(0.3)
        assert listener.count() == baseline
    finally:
        listener.close()
    assert [type(r) for r in found] == [Post, Post]
    assert "motcanari-rawurl" in found[1].text


def test_conf_override_is_ignored(tmp_path):
    _require_corpus()
    work = tmp_path / "conf-override"
    shutil.copytree(HOSTILE / "conf-override", work)
    os.chmod(work, 0o755)  # the corpus is read-only; a created file must be possible
    for item in work.iterdir():
        os.chmod(item, 0o644)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def listing() -> list[str]:
        return sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))

    before = listing()
    inside = run_cli("extract", "post.rst", "--json", "--workers", "1", cwd=work)
    assert listing() == before  # no warning_stream / record_dependencies file
    outside = run_cli("extract", work / "post.rst", "--json", "--workers", "1", cwd=elsewhere)
    assert listing() == before
    assert inside.returncode == 0, inside.stderr
    assert outside.returncode == 0, outside.stderr
    assert inside.stdout == outside.stdout  # the docutils.conf beside the post changes nothing
    (line,) = inside.stdout.splitlines()
    post = json.loads(line)
    assert post["source"] == "post.rst" and post["slug"] == "conf-override"
    assert "motcanari-conf" in post["text"]
    leaked = [s for s in local_secrets() if s in inside.stdout]
    assert not leaked, leaked
    assert "alert(" not in inside.stdout and "<script" not in inside.stdout


@pytest.mark.parametrize(
    "source, canary",
    [
        ("raw-inline-script.rst", "motcanari-rawinline"),
        ("unknown-directive-role.rst", "motcanari-unknown"),
    ],
)
def test_no_markup_or_docutils_messages_in_text(results, source, canary):
    post = post_of(results, source)
    for text in text_fields(post):
        lowered = text.lower()
        assert "<script" not in lowered and "onerror" not in lowered, text
        assert "pwned" not in lowered, text
        assert not any(m.lower() in lowered for m in DOCUTILS_MESSAGES), text
    assert canary in post.text
    assert post.warnings  # the messages go to the warnings instead


def test_raw_inline_script_text(results):
    post = post_of(results, "raw-inline-script.rst")
    assert post.text == "Texte ordinaire : motcanari-rawinline."


def test_unknown_directive_role_body_and_speaker(results):
    post = post_of(results, "unknown-directive-role.rst")
    assert post.speakers == ("Bruno Petit",)
    assert "Intervenant : Bruno Petit" in post.text
    assert "Voir" in post.text and "PEP 8" in post.text
    assert "dQw4w9WgXcQ" not in post_json(post).replace("youtube", "")  # directive body dropped
    assert any('"youtube"' in w for w in post.warnings)


def test_section_errors_degrade(results):
    post = post_of(results, "section-errors.rst")
    assert post.title == "Sections incohérentes"
    assert post.sections and post.sections[0].title == "Un"
    assert any("motcanari-sections" in s.text for s in post.sections)
    assert len(post.warnings) >= 2
    for text in text_fields(post):
        assert not any(m in text for m in DOCUTILS_MESSAGES), text


def test_bad_date(results):
    post = post_of(results, "bad-date.rst")
    assert post.date is None and post.modified is None
    assert any("date" in w and "2019-02-30" in w for w in post.warnings), post.warnings
    assert any("modified" in w for w in post.warnings), post.warnings
    assert post.title == "Date impossible" and post.tags == ("python",)
    assert "motcanari-baddate" in post.text


def test_missing_title_falls_back(results):
    post = post_of(results, "missing-title.rst")
    assert post.title.strip() and post.title in ("missing-title", post.slug)
    assert post.slug == "missing-title"
    assert post.date == "2018-03-14T00:00:00"
    assert post.tags == ("sans-titre",) and post.authors == ("Denis Roy",)
    assert any("title" in w for w in post.warnings)
    assert "motcanari-notitle" in post.text


def test_only_metadata_is_indexed_metadata_only(results):
    # Documented choice (read_post has no "no body" rule): a metadata-only post is kept.
    post = post_of(results, "only-metadata.rst")
    assert post.title == "Que des métadonnées"
    assert post.date == "2017-01-01T00:00:00"
    assert post.tags == ("vide",) and post.authors == ("Eve",)
    assert post.text == "" and post.sections == ()


def test_empty_file_is_skipped(results):
    result = results["empty.rst"]
    assert isinstance(result, ExtractError) and "empty" in result.reason


def test_duplicate_slugs_are_both_kept(results):
    a = post_of(results, "duplicate-slug-a.rst")
    b = post_of(results, "duplicate-slug-b.rst")
    assert a.slug == b.slug == "meme-slug"
    assert a.title == "Premier billet au slug partagé"
    assert b.title == "Second billet au slug partagé"
    assert any("duplicate-slug-b.rst" in w for w in a.warnings), a.warnings
    assert any("duplicate-slug-a.rst" in w for w in b.warnings), b.warnings
    assert "motcanari-dupa" in a.text and "motcanari-dupb" in b.text


def test_latin1(results):
    post = post_of(results, "latin1.rst")
    assert post.title == "Café crème à Nantes"
    assert post.authors == ("Zoé Lefèvre",)
    assert post.speakers == ("Rémi Bézier",)
    assert post.tags == ("café", "épisode")
    assert any(re.search(r"(?i)latin|1252|not utf-8|encod", w) for w in post.warnings)
    assert "\ufffd" not in post_json(post)
    assert "motcanari-latin1" in post.text


def test_invalid_utf8(results):
    post = post_of(results, "invalid-utf8.rst")
    assert "\ufffd" in post.text
    assert any(re.search(r"(?i)U\+FFFD|invalid|utf-8", w) for w in post.warnings)
    assert "motcanari-invalidutf8" in post.text
    assert post.title == "Octets invalides" and post.tags == ("python", "meetup")


def test_nul_bytes(results):
    post = post_of(results, "nul-bytes.rst")
    dumped = post_json(post)
    assert "\x00" not in dumped and "\\u0000" not in dumped
    assert not any("\x00" in s for s in all_strings(post.to_json()))
    assert post.title == "Octets nuls"
    assert any("NUL" in w for w in post.warnings)
    assert "motcanari-nul" in post.text


def test_binary_is_skipped(results):
    result = results["not-rst-binary.rst"]
    assert isinstance(result, ExtractError) and "binary" in result.reason


def test_bom_utf8(results):
    post = post_of(results, "bom-utf8.rst")
    assert post.title == "Titre précédé d'un BOM"
    assert "\ufeff" not in post_json(post)
    assert (post.date, post.tags, post.authors, post.slug) == (
        "2019-06-11T19:00:00",
        ("python", "meetup"),
        ("Camille Martin",),
        "bom-utf8",
    )


def test_bom_before_fields(results):
    post = post_of(results, "bom-before-fields.rst")
    assert (post.date, post.tags, post.authors, post.slug) == (
        "2014-04-04T00:00:00",
        ("bom",),
        ("Gaston",),
        "bom-before-fields",
    )
    assert "\ufeff" not in post_json(post)
    assert "motcanari-bomfields" in post.text


def test_crlf_tabs_same_as_lf(results):
    post = post_of(results, "crlf-tabs.rst")
    raw = (HOSTILE / "crlf-tabs.rst").read_bytes()
    assert b"\r\n" in raw and b"\t" in raw
    lf = read_post(raw.replace(b"\r\n", b"\n"), "crlf-tabs.rst", OPTIONS)
    assert post == lf  # every field but the warnings (compare=False)
    assert post.title == "Fins de ligne CRLF" and post.speakers == ("Hélène",)
    assert "\r" not in post_json(post)
    assert "motcanari-crlf" in post.text


def test_long_line_not_silently_empty(results):
    post = post_of(results, "long-line.rst")
    assert post.title == "Une ligne de douze mille caractères"
    assert (post.date, post.tags, post.authors, post.slug) == (
        "2019-06-11T19:00:00",
        ("python", "meetup"),
        ("Camille Martin",),
        "long-line",
    )
    assert "motcanari-longline" in post.text
    assert "Paragraphe normal après." in post.text
    assert len(post.text) > 12_000  # the long line itself is kept (limit raised)
    assert not any("line-length-limit" in w or "Line length" in w for w in post.warnings)


def test_huge_metadata_capped(results):
    post = post_of(results, "huge-metadata.rst")
    assert 0 < len(post.tags) <= MAX_TAGS
    assert post.tags[:3] == ("tag0", "tag1", "tag2")
    assert any("tags" in w for w in post.warnings), post.warnings
    assert all(len(t) <= MAX_TAG_LENGTH for t in post.tags)
    assert post.authors and all(len(a) <= MAX_NAME_LENGTH for a in post.authors)
    assert post.authors[0].startswith("AuteurAuteur")
    assert any("authors" in w for w in post.warnings), post.warnings
    assert post.title == "Métadonnées démesurées" and post.slug == "huge-metadata"
    assert "motcanari-hugemeta" in post.text


@pytest.mark.parametrize("source", ["deep-quotes-250.rst", "deep-notes-200.rst"])
def test_deep_nesting_skipped(results, source):
    result = results[source]
    assert isinstance(result, ExtractError)
    assert "too deeply nested" in result.reason


SPEAKERS = (
    "Alice Dupont",
    "Bob Sans-Espace",
    "Claire Insécable",
    "Damien Fine",
    "Élodie Martin",
    "Farid",
    "Gaëlle",
    "Hugo",
    "Inès Gras",
    "Jules Citation",
)  # block quote: counts (documented in people.py)


def test_speaker_variants(results):
    post = post_of(results, "speaker-variants.rst")
    *named, overlong = post.speakers
    assert tuple(named) == SPEAKERS
    assert set(overlong) == {"N"} and 0 < len(overlong) <= MAX_NAME_LENGTH
    assert any("truncated" in w for w in post.warnings), post.warnings
    names = [p.name for p in post.people] + [s for x in post.sections for s in x.speakers]
    assert not any("Karim" in n or "Luc" in n for n in names)
    assert all(n.strip() and "Intervenant" not in n for n in names)
    assert "Luc Commentaire" not in post_json(post)  # comments are not text
    assert "motcanari-speakers" in post.text


XSS_TITLE = "<script>alert('titre')</script> Rencontre"


def test_xss_metadata_stored_verbatim(results):
    post = post_of(results, "xss-metadata.rst")
    assert post.title == XSS_TITLE
    assert post.tags == ("<img src=x onerror=alert('tag')>", '"><svg onload=alert(1)>', "normal")
    assert post.summary == "</title><script>alert('summary')</script>"
    assert post.sections[0].title == "Section <script>alert('section')</script>"
    assert "Intervenant : <iframe src=javascript:alert('speaker')></iframe>" in post.text
    body = post.sections[0].text
    for template in ("{{ 7*7 }}", "{% raw %}", "${7*7}"):
        assert template in body  # never evaluated
    assert "49" not in body
    data = json.loads(post_json(post))
    assert data["title"] == XSS_TITLE  # JSON carries plain strings, not HTML entities
    assert "&lt;" not in post_json(post)


def test_xss_metadata_author_verbatim(results):
    post = post_of(results, "xss-metadata.rst")
    (author,) = post.authors
    # "(auteur)" parentheses are removed by the documented split_people rule; the rest
    # of the value is stored as written (it used to lose its outer '<' and '>').
    assert author.startswith("<b ") and author.endswith("Mallory</b>"), author


def test_xss_links_only_http(results):
    post = post_of(results, "xss-links.rst")
    assert post.links
    for link in post.links:
        assert re.match(r"https?://", link.url), link
        assert '"' not in link.url and "<" not in link.url
    urls = " ".join(link.url for link in post.links).lower()
    for scheme in ("javascript:", "data:", "vbscript:"):
        assert scheme not in urls
    assert "motcanari-xsslinks" in post.text


def test_xss_snippet_body_text_kept(results):
    post = post_of(results, "xss-snippet-body.rst")
    assert "pythonique <script>alert('snippet')</script> pythonique" in post.text
    assert "&lt;script&gt; déjà échappé &amp;lt;" in post.text  # not unescaped
    assert "<script>alert('literal')</script>" in post.text  # literal block: searchable


def test_unicode_tricks(results):
    post = post_of(results, "unicode-tricks.rst")
    assert post.title == "Titre esrever et zérolargeur"  # RLO/PDF and ZWSP removed
    assert post.tags.count("café") == 1 and "python" in post.tags
    assert "Caractères de contrôle" in post.text and "rouge" in post.text
    assert "motcanari-unicode" in post.text
    for value in all_strings(post.to_json()):
        assert unicodedata.is_normalized("NFC", value), value
        assert not BIDI.search(value), ascii(value)
        assert not CONTROL.search(value), ascii(value)
        assert "\x1b" not in value and "\u200b" not in value


def test_no_control_or_bidi_in_any_post(results):
    for source, result in results.items():
        if isinstance(result, Post):
            for value in all_strings(result.to_json()):
                assert not CONTROL.search(value), (source, ascii(value[:80]))
                assert not BIDI.search(value), (source, ascii(value[:80]))
                assert unicodedata.is_normalized("NFC", value), source


def test_cli_output_has_no_terminal_escapes_from_content(tmp_path):
    _require_corpus()
    text = run_cli("extract", HOSTILE / "unicode-tricks.rst", "--workers", "1", cwd=tmp_path)
    as_json = run_cli(
        "extract", HOSTILE / "unicode-tricks.rst", "--json", "--workers", "1", cwd=tmp_path
    )
    assert text.returncode == 0 and as_json.returncode == 0
    own = text.stdout
    for code in (BOLD, YELLOW, DIM, RESET):  # the CLI's own formatting
        own = own.replace(code, "")
    for output in (own, as_json.stdout, text.stderr, as_json.stderr):
        assert "\x1b" not in output and "\x07" not in output and "\x08" not in output
        assert not BIDI.search(output)
    assert "Titre esrever et zérolargeur" in own


# --- the whole folder through the CLI: index, then search -------------------------


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    _require_corpus()
    work = tmp_path_factory.mktemp("hostile-index")
    index_dir = work / "index"
    started = time.perf_counter()
    run = run_cli("index", HOSTILE, "--index", index_dir, "--json", "--workers", "2", cwd=work)
    print(f"\n[hostile] CLI index: {time.perf_counter() - started:.2f} s")
    assert run.returncode == 0, run.stderr
    return work, index_dir, json.loads(run.stdout), run.stderr


def search(indexed, *args):
    work, index_dir, _, _ = indexed
    run = run_cli("search", *args, "--index", index_dir, "--json", cwd=work)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_index_accounts_for_every_file(indexed):
    work, _, report, stderr = indexed
    found = find_sources(HOSTILE, OPTIONS)
    on_disk = [p for p in HOSTILE.rglob("*") if p.is_file() and p.suffix in (".rst", ".md")]
    assert len(found) == len(on_disk)
    assert report["added"] + len(report["failed"]) == len(found)
    assert report["updated"] == report["removed"] == report["unchanged"] == 0
    failed = {f["source"]: f["error"] for f in report["failed"]}
    assert set(failed) == set(SKIPPED)
    for source, error in failed.items():
        assert SKIPPED[source] in error
        assert source in stderr  # a WARNING names the file
    assert sorted(p.name for p in work.iterdir()) == ["index"]  # nothing written elsewhere


def test_search_finds_each_canary_exactly(indexed):
    # One search per canary through the real click commands, in this process (a
    # subprocess each would spend most of its time importing).
    from click.testing import CliRunner

    from barcamp_search.cli import cli

    _, index_dir, report, _ = indexed
    failed = {f["source"] for f in report["failed"]}
    words = canaries()
    assert len(words) >= 20
    runner = CliRunner()
    for word, source in words.items():
        run = runner.invoke(cli, ["search", word, "--index", str(index_dir), "--json"])
        assert run.exit_code == 0, (word, run.output, run.exception)
        data = json.loads(run.stdout)
        hits = [r["source"] for r in data["results"]]
        if source in failed:
            assert hits == [], (word, hits)  # skipped posts are not indexed
        else:
            assert hits == [source], (word, hits)
        check_snippets(data)


def check_snippets(data):
    for result in data["results"]:
        for section in result["sections"]:
            snippet = section["snippet"]
            assert all(
                re.match(r"</?mark>", snippet[i:]) for i, c in enumerate(snippet) if c == "<"
            ), snippet
            bare = re.sub(r"</?mark>", "", snippet)
            assert ">" not in bare and '"' not in bare, snippet
            for i, c in enumerate(bare):  # no entity is split
                if c == "&":
                    assert re.match(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);", bare[i:]), snippet


@pytest.mark.parametrize(
    "query", ["pythonique", "script", "alert", "onerror", "raw", "Rencontre", "iframe", "motcanari"]
)
def test_search_snippets_are_escaped(indexed, query):
    data = search(indexed, query, "--per-page", "100")
    assert data["total"] >= 1
    check_snippets(data)


def test_snippet_body_escaped_once(indexed):
    data = search(indexed, "pythonique")
    hit = next(r for r in data["results"] if r["source"] == "xss-snippet-body.rst")
    snippet = " ".join(s["snippet"] for s in hit["sections"])
    assert "<mark>pythonique</mark>" in snippet
    shown = html.unescape(re.sub(r"</?mark>", "", snippet))
    assert "<script>alert('snippet')</script>" in shown
    assert "&lt;script&gt;" in shown  # already-escaped text is shown as written
    assert "&amp;lt;" in shown


def test_xss_metadata_search_results_plain_strings(indexed):
    data = search(indexed, "motcanari-xss")
    (hit,) = data["results"]
    assert hit["title"] == XSS_TITLE
    assert "<img src=x onerror=alert('tag')>" in hit["tags"]


def test_unknown_directive_speaker_indexed(indexed):
    data = search(indexed, 'speaker:"Bruno Petit"')
    assert [r["source"] for r in data["results"]] == ["unknown-directive-role.rst"]


def test_only_metadata_searchable_by_metadata(indexed):
    data = search(indexed, "tag:vide")
    assert [r["source"] for r in data["results"]] == ["only-metadata.rst"]


def test_bad_date_sorted_last_and_out_of_date_filters(indexed):
    for sort in ("newest", "oldest"):
        data = search(indexed, "motcanari", "--sort", sort, "--per-page", "100")
        dates = [r["date"] for r in data["results"]]
        sources = [r["source"] for r in data["results"]]
        assert "bad-date.rst" in sources
        first_undated = dates.index(None)
        assert all(d is None for d in dates[first_undated:]), (sort, dates)
        assert sources.index("bad-date.rst") >= first_undated
    dated = search(indexed, "motcanari", "--from", "1990-01-01", "--per-page", "100")
    assert dated["total"] > 0
    assert "bad-date.rst" not in [r["source"] for r in dated["results"]]


def test_tag_facets_stay_usable(indexed):
    work, index_dir, _, _ = indexed
    run = run_cli("facets", "tag", "--index", index_dir, "--limit", "10000", "--json", cwd=work)
    assert run.returncode == 0, run.stderr
    values = [c["value"] for c in json.loads(run.stdout)]
    assert "python" in values
    assert all(0 < len(v) <= MAX_TAG_LENGTH for v in values)
    assert len([v for v in values if re.fullmatch(r"tag\d+", v)]) <= MAX_TAGS
    years = run_cli("facets", "year", "--index", index_dir, "--json", cwd=work)
    assert years.returncode == 0, years.stderr
    assert all(re.fullmatch(r"\d{4}", c["value"]) for c in json.loads(years.stdout))


def test_second_run_loses_nothing(indexed):
    work, index_dir, first, _ = indexed
    run = run_cli("index", HOSTILE, "--index", index_dir, "--json", "--workers", "2", cwd=work)
    assert run.returncode == 0, run.stderr
    again = json.loads(run.stdout)
    assert again["unchanged"] == first["added"]
    assert again["added"] == again["updated"] == again["removed"] == 0
    data = search(indexed, "motcanari-dupa")
    assert [r["source"] for r in data["results"]] == ["duplicate-slug-a.rst"]
