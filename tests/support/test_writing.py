"""Files are written where asked, whole, with the usual permissions, and never through a link,
not even one planted between the check and the write."""

from __future__ import annotations

import os
import stat
import tempfile

import pytest

import pathgrad as pg
from pathgrad.cli import main
from pathgrad.support.errors import PathgradOSError
from pathgrad.support.writing import (
    check_output,
    check_output_folder,
    write_file,
    write_fresh_file,
    write_new_file,
)


def test_a_file_is_written_whole_with_the_umask_and_replaces_the_old_one(tmp_path):
    target = tmp_path / "out.bin"
    old = os.umask(0o027)
    try:
        assert write_file(target, b"old contents, longer than the new") == target
        assert stat.S_IMODE(target.stat().st_mode) == 0o640  # new: the umask's
        target.chmod(0o604)
        assert write_file(target, b"new") == target
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o604  # replaced: its own, not the umask's
    old = os.umask(0)
    try:
        write_file(tmp_path / "open.bin", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "open.bin").stat().st_mode) == 0o666  # as open() would
    assert sorted(p.name for p in tmp_path.iterdir()) == ["open.bin", "out.bin"]  # no temporary


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_a_replaced_file_keeps_its_mode_whoever_writes_it(tmp_path, mode):
    """A private 0600 file overwritten by net.save or draw -o once came back 0644."""
    for name, write in (("net.npz", lambda p: pg.Network([2, 2], seed=0).save(p)),
                        ("paths.svg", lambda p: main(["draw", "-o", str(p)]))):
        target = tmp_path / name
        target.write_bytes(b"private")
        target.chmod(mode)
        write(target)
        assert target.read_bytes() != b"private"
        assert stat.S_IMODE(target.stat().st_mode) == mode, name


def test_a_link_planted_after_the_check_is_replaced_never_followed(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "out.svg"
    real_mkstemp = tempfile.mkstemp

    def plant_then_mkstemp(*args, **kwargs):
        target.symlink_to(victim)  # the attacker wins the race after check_output
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", plant_then_mkstemp)
    write_file(target, b"<svg/>")
    assert victim.read_text() == "precious"
    assert not target.is_symlink() and target.read_bytes() == b"<svg/>"


def test_a_failed_write_leaves_neither_a_temporary_nor_a_half_file(tmp_path, monkeypatch):
    target = tmp_path / "out.bin"
    target.write_bytes(b"kept")

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_file(target, b"new")
    assert target.read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_bad_places_are_refused_with_what_is_wrong(tmp_path):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    for path, message in [
        (tmp_path / "missing" / "x", "the folder .*missing does not exist"),
        (tmp_path / "a-file" / "x", "a-file is a file, not a folder"),
        (tmp_path / "a-folder", "a-folder is a folder"),
        (tmp_path / "link", "link is a symbolic link"),
    ]:
        with pytest.raises(PathgradOSError, match=message):
            check_output(path)
    with pytest.raises(PathgradOSError, match="a-file exists and is not a folder"):
        check_output_folder(tmp_path / "a-file")
    assert check_output_folder(tmp_path / "new-folder") == tmp_path / "new-folder"
    with pytest.raises(PathgradOSError, match="does not exist"):
        check_output_folder(tmp_path / "missing" / "new-folder")


def test_a_fresh_file_is_new_and_private(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first = write_fresh_file(b"a", "pathgrad-demo-", ".svg")
    second = write_fresh_file(b"b", "pathgrad-demo-", ".svg")
    assert first != second and first.read_bytes() == b"a" and second.read_bytes() == b"b"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600


def test_a_new_file_never_replaces_one_and_never_follows_a_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "paths.svg").write_text("mine")
    (tmp_path / "paths-2.svg").symlink_to(victim)  # a planted link takes a name, no more
    first = write_new_file(tmp_path / "paths.svg", b"one")
    second = write_new_file(tmp_path / "paths.svg", b"two")
    assert (first.name, second.name) == ("paths-3.svg", "paths-4.svg")
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert (tmp_path / "paths.svg").read_text() == "mine" and victim.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "paths-2.svg", "paths-3.svg", "paths-4.svg", "paths.svg", "victim.txt"]  # no leftovers
    assert write_new_file(tmp_path / "new.html", b"x").name == "new.html"
    with pytest.raises(PathgradOSError, match="and the next 1 names like it are taken"):
        write_new_file(tmp_path / "paths.svg", b"three", tries=2)


def test_a_new_file_tries_exactly_as_many_names_as_it_says_with_the_usual_mode(tmp_path):
    for name in ("a.svg", "a-2.svg", "a-3.svg", "a-4.svg"):
        (tmp_path / name).write_text("taken")
    with pytest.raises(PathgradOSError, match="and the next 3 names like it are taken"):
        write_new_file(tmp_path / "a.svg", b"x", tries=4)  # a-5.svg is free, but not tried
    assert not (tmp_path / "a-5.svg").exists()
    assert write_new_file(tmp_path / "a.svg", b"x", tries=5).name == "a-5.svg"  # the fifth
    mask = os.umask(0o027)
    try:
        made = write_new_file(tmp_path / "b.svg", b"y")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(made.stat().st_mode) == 0o640
