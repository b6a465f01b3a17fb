"""Network files under hostile input: lying headers, compressed bombs, damaged archives and
random bytes end in DamagedFileError or TooLargeError, before anything large is allocated.

The hostile files are written here; each one that could cost memory is read in a child
process capped at 400 MB of address space and 20 s (tests/capped.py).
"""

from __future__ import annotations

import io
import pickle
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.book import files
from pathgrad.book.files import DamagedFileError
from pathgrad.support.errors import PathgradValueError, TooLargeError
from tests.capped import run_capped

LOAD = "pathgrad.book.network:Network.load"


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=False)
    return buffer.getvalue()


def npy_header(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    """An .npy header alone: the shape it promises need not match what follows."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def members_of(net: pg.Network) -> dict[str, bytes]:
    """The .npy members of ``net``'s file, by name, to be changed and rewritten."""
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(net.save(Path(folder) / "net.npz")) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}


def archive_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_archive(path: Path, members: dict[str, bytes],
                  compression: int = zipfile.ZIP_STORED) -> Path:
    path.write_bytes(archive_bytes(members, compression))
    return path


def test_sizes_that_claim_a_huge_layer_are_refused_before_any_allocation(tmp_path):
    """A 1.8 KB file whose sizes claim a 3·10⁸-wide layer: refused in a blink, no 2.4 GB."""
    members = members_of(pg.Network([2, 3, 1], seed=0))
    members["sizes.npy"] = npy(np.array([2, 300_000_000, 1], dtype=np.int64))
    path = write_archive(tmp_path / "liar.npz", members)
    assert path.stat().st_size < 2_500
    outcome = run_capped(LOAD, str(path))
    assert outcome.error == "TooLargeError"
    assert "[2, 300000000, 1] give 1,200,000,001 weights and biases (9.6 GB)" in outcome.message
    assert "more than max_bytes=1,073,741,824 (1.07 GB)" in outcome.message
    assert outcome.seconds < 10 and outcome.peak_mb < 200
    # With the limit lifted the arrays themselves are checked, still before any allocation.
    lifted = run_capped(LOAD, str(path), max_bytes=10**12)
    assert lifted.error == "DamagedFileError" and "activation names for" in lifted.message
    assert lifted.peak_mb < 200


def test_array_headers_that_lie_about_their_data(tmp_path):
    members = members_of(pg.Network([2, 3, 1], seed=0))
    short = dict(members, **{"w2.npy": npy_header((3, 2)) + bytes(8)})
    with pytest.raises(DamagedFileError, match="'w2' promises 48 bytes of data but the archive "
                                               "holds 8"):
        pg.Network.load(write_archive(tmp_path / "short.npz", short))
    huge = dict(members, **{"activations.npy": npy_header((10**12,), "<U7")})
    outcome = run_capped(LOAD, str(write_archive(tmp_path / "huge.npz", huge)))
    assert outcome.error == "TooLargeError" and "'activations' of shape (1000000000000,)" in (
        outcome.message)
    wrong_type = dict(members, **{"sizes.npy": npy(np.array([2.0, 3.0, 1.0]))})
    with pytest.raises(DamagedFileError, match="'sizes' must be whole numbers, got float64"):
        pg.Network.load(write_archive(tmp_path / "float-sizes.npz", wrong_type))


def test_a_member_that_inflates_far_past_its_header_is_never_inflated(tmp_path):
    """256 MB of zeros behind a header promising 48 bytes, deflated to a 260 kB file."""
    members = members_of(pg.Network([2, 3, 1], seed=0))
    members["w2.npy"] = npy_header((3, 2)) + bytes(2**28)
    path = write_archive(tmp_path / "bomb.npz", members, zipfile.ZIP_DEFLATED)
    del members
    assert path.stat().st_size < 400_000
    outcome = run_capped(LOAD, str(path))
    assert outcome.error == "DamagedFileError"
    assert "promises 48 bytes of data but the archive holds 268,435,456" in outcome.message
    assert outcome.seconds < 10 and outcome.peak_mb < 200


def with_claimed_size(archive: bytes, name: str, claim: int, stored: int | None = None) -> bytes:
    """``archive`` with the member ``name`` claiming ``claim`` bytes once inflated, and
    ``stored`` (default: ``claim``) as they are in the file, in its local header and in the
    central directory (the data and the file stay as they were)."""
    data = bytearray(archive)
    for signature, sizes_at, name_length_at, name_at in ((b"PK\x03\x04", 18, 26, 30),
                                                          (b"PK\x01\x02", 20, 28, 46)):
        at = data.find(signature)
        while at >= 0:
            (length,) = struct.unpack_from("<H", data, at + name_length_at)
            if data[at + name_at : at + name_at + length] == name.encode():
                if stored is None:
                    stored = claim
                struct.pack_into("<II", data, at + sizes_at, stored, claim)
            at = data.find(signature, at + 4)
    return bytes(data)


def test_a_member_that_claims_more_than_the_file_holds_is_refused_before_reading(tmp_path):
    """A 1.5 MB file whose w2 claims 1.2 GB (in its .npy header and in the zip's sizes): once
    a 1.2 GB read was allocated before anything noticed; now the sizes are checked first."""
    rows, cols = 15_000, 10_000
    members = members_of(pg.Network([2, 3, 1], seed=0))
    del members["w3.npy"], members["b3.npy"]
    members["sizes.npy"] = npy(np.array([cols, rows], dtype=np.int64))
    members["activations.npy"] = npy(np.array(["sigmoid"] * rows))
    members["b2.npy"] = npy(np.zeros((rows, 1)))
    members["w2.npy"] = npy_header((rows, cols)) + bytes(1_000_000)
    claim = len(npy_header((rows, cols))) + 8 * rows * cols
    path = tmp_path / "liar.npz"
    path.write_bytes(with_claimed_size(archive_bytes(members), "w2.npy", claim))
    assert path.stat().st_size < 1_600_000
    outcome = run_capped(LOAD, str(path), max_bytes=None)
    assert outcome.error == "DamagedFileError", outcome
    assert "'w2' says it stores 1.2 GB in a file of 1.54 MB" in outcome.message
    assert outcome.peak_mb < 200
    # Deflated, a member may promise at most what deflate can inflate its bytes to.
    members["w2.npy"] = npy_header((rows, cols)) + np.random.default_rng(0).bytes(1_000)
    deflated = archive_bytes(members, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(io.BytesIO(deflated)) as archive:
        stored = archive.getinfo("w2.npy").compress_size
    path.write_bytes(with_claimed_size(deflated, "w2.npy", claim, stored))
    outcome = run_capped(LOAD, str(path), max_bytes=None)
    assert outcome.error == "DamagedFileError", outcome
    assert f"'w2' promises 1.2 GB from {stored / 1000:.3g} kB of deflated data, more than " \
           "deflate can give (1032-fold)" in outcome.message
    assert outcome.peak_mb < 200


def test_a_members_sizes_must_fit_how_it_is_stored(tmp_path):
    """Stored uncompressed, a member holds exactly the bytes it promises; compressed by
    anything but deflate (numpy writes nothing else), it is refused."""
    members = members_of(pg.Network([2, 3, 1], seed=0))
    with zipfile.ZipFile(io.BytesIO(archive_bytes(members))) as archive:
        whole = archive.getinfo("w2.npy").file_size
    path = tmp_path / "short.npz"
    path.write_bytes(with_claimed_size(archive_bytes(members), "w2.npy", whole, whole - 8))
    with pytest.raises(DamagedFileError, match=f"'w2' is stored uncompressed yet says it takes "
                                               f"{whole - 8:,} bytes for {whole:,}"):
        pg.Network.load(path)
    bz = tmp_path / "bz.npz"
    bz.write_bytes(archive_bytes(members, zipfile.ZIP_BZIP2))
    with pytest.raises(DamagedFileError, match="'format' is compressed by method 12; numpy "
                                               "writes 0 or 8"):
        pg.Network.load(bz)
    deflated = tmp_path / "deflated.npz"
    deflated.write_bytes(archive_bytes(members, zipfile.ZIP_DEFLATED))
    assert pg.Network.load(deflated).sizes == [2, 3, 1]  # savez_compressed's files are fine


def damaged_files(good: bytes) -> dict[str, tuple[bytes, str]]:
    """Damaged versions of a good file and what the error should say about each."""
    w2_data = good.index(b"\x93NUMPY", good.index(b"w2.npy")) + 130  # past its 128-byte header
    flipped = bytearray(good)
    flipped[w2_data] ^= 0xFF
    return {
        "empty": (b"", "it is empty"),
        "text": (b"weights: 1 2 3\n", "it is a text file"),
        "pickle": (pickle.dumps({"w2": [1.0]}), "it looks like a Python pickle"),
        "npy": (npy(np.zeros(3)), r"it holds a single array \(.npy\), not the .npz archive"),
        "gzip": (b"\x1f\x8b\x08\x00" + bytes(20), "it is gzip-compressed"),
        "truncated": (good[: len(good) // 2], "it is a damaged or truncated zip archive"),
        "bad crc": (bytes(flipped), r"it is damaged \(BadZipFile: Bad CRC-32 for file 'w2.npy'"),
        "random": (bytes(range(200, 256)) * 3, "it is not a zip archive .* c8 c9 ca"),
    }


@pytest.mark.parametrize("kind", ["empty", "text", "pickle", "npy", "gzip", "truncated",
                                  "bad crc", "random"])
def test_damaged_files_say_what_is_wrong(tmp_path, kind):
    good = pg.Network([2, 3, 1], seed=0).save(tmp_path / "good.npz").read_bytes()
    data, message = damaged_files(good)[kind]
    path = tmp_path / f"{kind}.npz"
    path.write_bytes(data)
    with pytest.raises(DamagedFileError, match=f"not a pathgrad network file: {message}"):
        pg.Network.load(path)


def test_a_corrupt_compressed_stream_is_a_damaged_file(tmp_path):
    members = members_of(pg.Network([2, 30, 1], seed=0))
    data = bytearray(write_archive(tmp_path / "z.npz", members, zipfile.ZIP_DEFLATED).read_bytes())
    start = data.index(b"w2.npy") + 40
    data[start : start + 64] = bytes(64)
    (tmp_path / "z.npz").write_bytes(bytes(data))
    with pytest.raises(DamagedFileError, match=r"it is damaged \((error|BadZipFile)"):
        pg.Network.load(tmp_path / "z.npz")


def read_or_refuse(data: bytes) -> None:
    """Read ``data`` as a network file: a valid result, or one of the documented errors."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.npz"
        path.write_bytes(data)
        try:
            saved = files.read(path, max_bytes=10**6)
        except (DamagedFileError, TooLargeError, PathgradValueError):
            return
        assert len(saved.weights) == len(saved.sizes) - 1
        assert all(np.all(np.isfinite(w)) for w in saved.weights)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3_000))
def test_fuzz_random_bytes_are_refused_with_the_documented_error(data):
    read_or_refuse(data)


GOOD_MEMBERS = members_of(pg.Network([2, 3, 1], seed=0))
GOOD = archive_bytes(GOOD_MEMBERS)
changes = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4)


def changed(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in edits:
        out[position % len(out)] = value
    return bytes(out)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes, st.one_of(st.none(), st.integers(1, len(GOOD))))
def test_fuzz_damaged_archives_give_a_network_or_the_documented_error(edits, length):
    read_or_refuse(changed(GOOD, edits)[:length])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(GOOD_MEMBERS)), changes)
def test_fuzz_damaged_arrays_in_a_sound_archive_give_a_network_or_the_documented_error(
    name, edits
):
    """The zip is sound (so its checksums pass) and one .npy member is damaged: the array
    headers, types, shapes and values are what get fuzzed."""
    read_or_refuse(archive_bytes(dict(GOOD_MEMBERS, **{name: changed(GOOD_MEMBERS[name], edits)})))


def test_save_writes_no_pickle_and_never_through_a_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "net.npz").symlink_to(victim)
    with pytest.raises(pg.PathgradError, match="is a symbolic link"):
        pg.Network([2, 2], seed=0).save(tmp_path / "net.npz")
    assert victim.read_text() == "precious"
