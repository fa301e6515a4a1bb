"""Watchlist export and import: round trips, merging, text with links, and hostile files refused."""

from __future__ import annotations

import json

import pytest

from petitiondesk.core.export import ExportError
from petitiondesk.core.store import FetchState, Store
from petitiondesk.core.watchlist_io import (
    FORMAT,
    PETITION_SETTINGS_KEY,
    WatchlistFileError,
    export_json,
    export_text,
    export_watchlist,
    import_text,
    import_watchlist,
    read_import_file,
)

PINNED = [(700123, 1_764_000_000.123456), (300456, 1_764_000_100.5), (701999, 1_764_000_200.987654),
          (702000, 1_764_000_300.0)]
LIVE = "https://petition.parliament.uk/petitions"
ARCHIVE = "https://petition.parliament.uk/archived/petitions"


def open_store(folder) -> Store:
    return Store.open(folder / "petitiondesk.sqlite3")


@pytest.fixture
def filled(data_dir):
    """A watchlist with a custom order, one archived petition and one petition's settings."""
    store = open_store(data_dir)
    for petition_id, pinned_at in PINNED:
        store.pin(petition_id, pinned_at)
    store.move(702000, 0)
    store.save_fetch_state(FetchState(300456, archived=True))
    store.set_setting(PETITION_SETTINGS_KEY, {"701999": {"notify_at": 100000, "colour": "#aa3300"}})
    yield store
    store.close()


def snapshot(store: Store) -> list[tuple[int, int, float]]:
    return [(e.petition_id, e.position, e.pinned_at) for e in store.watchlist()]


def assert_same_watchlist(copy: Store, original: Store) -> None:
    got, want = snapshot(copy), snapshot(original)
    assert [(pid, position) for pid, position, _ in got] == [(pid, position) for pid, position, _ in want]
    for (_, _, pinned_copy), (_, _, pinned_original) in zip(got, want, strict=True):
        assert pinned_copy == pytest.approx(pinned_original, abs=1e-6)


def test_json_export_then_import_into_an_empty_folder_reproduces_the_watchlist(filled, tmp_path):
    path = tmp_path / "watchlist.json"
    assert export_json(filled, path, now=1_764_100_000) == 4
    empty = tmp_path / "other"
    empty.mkdir()
    with open_store(empty) as copy:
        report = import_watchlist(copy, path)
        assert_same_watchlist(copy, filled)
        assert copy.fetch_state(300456).archived and not copy.fetch_state(700123).archived
        assert copy.setting(PETITION_SETTINGS_KEY) == {"701999": {"notify_at": 100000, "colour": "#aa3300"}}
    assert [entry.petition_id for entry in report.added] == [702000, 700123, 300456, 701999]
    assert report.already_pinned == () and report.skipped == ()
    assert report.summary() == "4 added, 0 already pinned, 0 skipped"


def test_the_json_file_says_what_it_is_and_reads_well(filled, tmp_path):
    path = tmp_path / "watchlist.json"
    export_json(filled, path, now=1_764_100_000)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == FORMAT and document["version"] == 1
    assert document["exported_at"] == "2025-11-25T19:46:40.000000Z"
    first, archived = document["petitions"][0], document["petitions"][2]
    assert first == {"id": 702000, "url": f"{LIVE}/702000", "position": 0,
                     "pinned_at": "2025-11-24T16:05:00.000000Z", "archived": False, "settings": {}}
    assert archived["url"] == f"{ARCHIVE}/300456" and archived["archived"] is True
    assert document["petitions"][3]["settings"] == {"notify_at": 100000, "colour": "#aa3300"}


def test_text_export_is_one_link_a_line_and_imports_back_in_order(filled, tmp_path):
    path = tmp_path / "links.txt"
    assert export_watchlist(filled, path) == 4  # .txt chooses the text format
    assert path.read_text(encoding="utf-8").splitlines() == [
        f"{LIVE}/702000", f"{LIVE}/700123", f"{ARCHIVE}/300456", f"{LIVE}/701999"]
    other = tmp_path / "other"
    other.mkdir()
    with open_store(other) as copy:
        report = import_watchlist(copy, path, now=1_765_000_000)
        assert [e.petition_id for e in copy.watchlist()] == [702000, 700123, 300456, 701999]
        assert all(e.pinned_at == 1_765_000_000 for e in copy.watchlist())  # a text file has no times
        assert copy.fetch_state(300456).archived
    assert report.kind == "text" and len(report.added) == 4


def test_importing_into_a_non_empty_watchlist_merges_without_duplicates(filled, tmp_path):
    path = tmp_path / "theirs.json"
    with open_store(tmp_path) as theirs:
        for petition_id in (710001, 700123, 710002, 702000):
            theirs.pin(petition_id, 1_700_000_000)
        export_json(theirs, path)
    before = snapshot(filled)
    report = import_watchlist(filled, path)
    after = snapshot(filled)
    assert after[: len(before)] == before  # existing pins keep their place and pin time
    assert [(pid, position) for pid, position, _ in after[len(before):]] == [(710001, 4), (710002, 5)]
    assert [e.petition_id for e in report.added] == [710001, 710002]
    assert [e.petition_id for e in report.already_pinned] == [700123, 702000]
    again = import_watchlist(filled, path)
    assert again.added == () and snapshot(filled) == after


def test_json_positions_decide_the_order_of_new_pins(data_dir, tmp_path):
    path = tmp_path / "shuffled.json"
    items = [{"id": 3, "position": 2}, {"id": 1, "position": 0}, {"id": 2, "position": 1}, {"id": 9}]
    path.write_text(json.dumps({"format": FORMAT, "version": 1, "petitions": items}), encoding="utf-8")
    with open_store(data_dir) as store:
        import_watchlist(store, path)
        assert [e.petition_id for e in store.watchlist()] == [1, 2, 3, 9]


EMAIL = """Hi all,

Please sign https://petition.parliament.uk/petitions/700123, it closes by 2030 (honestly).
Also <www.petition.parliament.uk/petitions/700456/signatures/new> and the old one:
petition.parliament.uk/archived/petitions/300789.json
700999
See https://example.com/petitions/5 or call 020 7946 0000 for 1950s pension news.
Again: https://petition.parliament.uk/petitions/700123
0
Thanks!
"""


def test_text_with_links_among_prose_pins_the_petitions_and_says_what_was_skipped(data_dir):
    with open_store(data_dir) as store:
        store.pin(700999, 1_700_000_000)
        report = import_text(store, EMAIL, now=1_765_000_000)
        assert [e.petition_id for e in store.watchlist()] == [700999, 700123, 700456, 300789]
        assert store.fetch_state(300789).archived
    assert [(e.petition_id, e.where) for e in report.added] == [
        (700123, "line 3"), (700456, "line 4"), (300789, "line 5")]
    assert [(e.petition_id, e.where) for e in report.already_pinned] == [(700999, "line 6")]
    reasons = {(item.where, item.text): item.reason for item in report.skipped}
    assert "not petition.parliament.uk" in reasons[("line 7", "https://example.com/petitions/5")]
    assert reasons[("line 8", "700123")] == "listed again (first at line 3)"
    assert "start at 1" in reasons[("line 9", "0")]
    assert len(report.skipped) == 3  # prose, years and phone numbers are not reported
    assert any("skipped 'https://example.com/petitions/5'" in line for line in report.lines())


def test_a_json_list_of_links_named_txt_is_read_as_text(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("[1] https://petition.parliament.uk/petitions/700123\n", encoding="utf-8")
    assert [e.petition_id for e in read_import_file(path).entries] == [700123]


def watchlist_json(*items, **top) -> str:
    return json.dumps({"format": FORMAT, "version": 1, "petitions": list(items)} | top)


HOSTILE = {
    "deeply nested": ('{"format": "petitiondesk-watchlist", "version": 1, "petitions": [{"id": 1, "settings": '
                      + '{"a": ' * 50 + "1" + "}" * 50 + "}]}", "nested too deeply"),
    "absurdly nested": ("[" * 200_000 + "]" * 200_000, "nested"),
    "a list at the top": ("[700123, 700124]", "not a PetitionDesk watchlist"),
    "another program's JSON": ('{"petitions": [{"id": 1}]}', "not a PetitionDesk watchlist"),
    "a newer format": (watchlist_json({"id": 1}, version=2), "newer PetitionDesk"),
    "petitions as an object": (watchlist_json().replace("[]", '{"id": 1}'), "must be a list"),
    "an item that is a list": (watchlist_json([700123]), "expected an object"),
    "id as a string": (watchlist_json({"id": "700123"}), '"id" must be a whole number'),
    "id as a float": (watchlist_json({"id": 700123.0}), '"id" must be a whole number'),
    "a negative id": (watchlist_json({"id": -5}), '"id" must be a whole number'),
    "id true": (watchlist_json({"id": True}), '"id" must be a whole number'),
    "a ten-digit id": (watchlist_json({"id": 1_000_000_000}), '"id" must be a whole number'),
    "NaN": ('{"format": "petitiondesk-watchlist", "version": 1, "petitions": [{"id": 1, "pinned_at": NaN}]}',
            "NaN is not a number JSON allows"),
    "Infinity": ('{"format": "petitiondesk-watchlist", "version": 1, "petitions": [{"id": 1, "pinned_at": '
                 "Infinity}]}", "Infinity"),
    "a pin time in words": (watchlist_json({"id": 1, "pinned_at": "yesterday"}), '"pinned_at" must be a time'),
    "a negative position": (watchlist_json({"id": 1, "position": -1}), '"position"'),
    "settings as a list": (watchlist_json({"id": 1, "settings": [1]}), '"settings" must be an object'),
    "huge settings": (watchlist_json({"id": 1, "settings": {"note": "x" * 5000}}), "settings are larger"),
    "too many petitions": (watchlist_json(*({"id": i} for i in range(1, 10_002))), "more than 10,000"),
    "not JSON at all": ('{"format": "petitiondesk-watchlist", "version": 1, petitions: []}', "not valid JSON"),
    "a cut-off file": (watchlist_json({"id": 1})[:-10], "not valid JSON"),
}


@pytest.mark.parametrize("content, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_malformed_or_hostile_json_file_is_refused_whole(filled, tmp_path, content, message):
    path = tmp_path / "watchlist.json"
    path.write_text(content, encoding="utf-8")
    before = snapshot(filled)
    with pytest.raises(WatchlistFileError, match="nothing was imported|update to import") as refused:
        import_watchlist(filled, path)
    assert message in str(refused.value)
    assert snapshot(filled) == before


def test_a_file_over_5_mb_is_refused_without_reading_it_all(filled, tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes((f"{LIVE}/700001\n" * 200_000)[: 6_000_000].encode())
    with pytest.raises(WatchlistFileError, match="larger than 5 MB"):
        import_watchlist(filled, path)
    assert len(filled.watchlist()) == 4


def test_binary_and_missing_files_are_refused_with_a_message(filled, tmp_path):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    with pytest.raises(WatchlistFileError, match="not a text file"):
        import_watchlist(filled, binary)
    with pytest.raises(WatchlistFileError, match="does not exist"):
        import_watchlist(filled, tmp_path / "nowhere.json")
    with pytest.raises(WatchlistFileError, match="folder"):
        import_watchlist(filled, tmp_path)


def test_a_text_naming_too_many_petitions_is_refused(data_dir):
    text = "".join(f"{LIVE}/{700000 + i}\n" for i in range(10_001))
    with open_store(data_dir) as store:
        with pytest.raises(WatchlistFileError, match="more than 10,000"):
            import_text(store, text)
        assert store.watchlist() == []


def test_export_to_a_missing_folder_is_a_clear_error(filled, tmp_path):
    with pytest.raises(ExportError, match="folder does not exist"):
        export_json(filled, tmp_path / "missing" / "watchlist.json")
    with pytest.raises(ExportError, match="folder does not exist"):
        export_text(filled, tmp_path / "missing" / "links.txt")
