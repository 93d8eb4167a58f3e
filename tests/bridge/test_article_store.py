"""The article store on SQLite and the real PostgreSQL: seed and export (byte for byte),
drafts that reach nobody, publishing with a revision, no lost update, archive, restore,
import from files, and the bad input that must change nothing."""

import asyncio
import dataclasses
from pathlib import Path

import pytest

from bridge.db import articles as repo
from bridge.services import article_files
from bridge.services.article_store import (
    ArticleExists,
    ArticleInvalid,
    ArticleStore,
    EditConflict,
    NotAllowed,
)
from tests.articles import SEED, fields, with_store


@pytest.fixture
def seeded(database_url: str) -> str:
    assert with_store(database_url, lambda store: article_files.seed(store, SEED)) == 88
    return database_url


def test_seed_publishes_the_files_once_and_export_writes_them_back_byte_for_byte(
    seeded: str, tmp_path: Path
) -> None:
    assert with_store(seeded, lambda store: article_files.seed(store, SEED)) == 0  # not twice
    assert with_store(seeded, lambda store: article_files.export(store, tmp_path)) == 88
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.md"))
    assert written == sorted(p.relative_to(SEED) for p in SEED.rglob("*.md"))
    for path in written:
        assert (tmp_path / path).read_bytes() == (SEED / path).read_bytes(), path


def test_two_processes_seeding_at_once_add_each_article_once(database_url: str) -> None:
    async def both(store: ArticleStore) -> list[int]:
        return list(
            await asyncio.gather(article_files.seed(store, SEED), article_files.seed(store, SEED))
        )

    added = with_store(database_url, both)
    assert sorted(added) == [0, 88]
    library = with_store(database_url, lambda store: store.library())
    assert len(library.articles) == 88


def test_a_draft_reaches_nobody_until_it_is_published(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        created = await store.create(fields("gift-wrapping"), author="ann@example.com")
        assert (created.state, created.version, created.has_draft) == ("draft", 1, True)
        assert "gift-wrapping" not in (await store.library()).articles
        assert await store.revisions("gift-wrapping") == []
        done = await store.publish(
            "gift-wrapping", version=1, fields=fields("gift-wrapping"), author="ann@example.com"
        )
        assert (done.version, done.revision) == (2, 1)
        article = (await store.library()).articles["gift-wrapping"]
        assert article.url == "/kb/gift-wrapping" and article.title == "About gift-wrapping"
        [revision] = await store.revisions("gift-wrapping")
        assert (revision.action, revision.author) == ("publish", "ann@example.com")

    with_store(seeded, work)


def test_an_edit_of_a_published_article_is_a_draft_beside_the_live_text(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        current = await store.open("password-reset")
        edited = dataclasses.replace(current.fields(), title="Reset it")
        saved = await store.save_draft(
            "password-reset", version=current.version, fields=edited, author="ann@example.com"
        )
        assert saved.state == "published" and saved.has_draft
        assert (await store.library()).articles["password-reset"].title != "Reset it"
        assert saved.fields().title == "Reset it"

    with_store(seeded, work)


def test_the_second_of_two_writers_gets_a_conflict_with_the_first_ones_text(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        opened = await store.open("password-reset")
        mine = dataclasses.replace(opened.fields(), title="Mine")
        theirs = dataclasses.replace(opened.fields(), title="Theirs")
        await store.save_draft("password-reset", version=opened.version, fields=theirs, author="b")
        with pytest.raises(EditConflict) as conflict:
            await store.save_draft(
                "password-reset", version=opened.version, fields=mine, author="a"
            )
        assert conflict.value.current.fields().title == "Theirs"
        assert conflict.value.current.updated_by == "b"
        with pytest.raises(EditConflict):
            await store.publish("password-reset", version=opened.version, fields=mine, author="a")
        assert (await store.open("password-reset")).fields().title == "Theirs"

    with_store(seeded, work)


def test_of_two_publishes_at_once_exactly_one_wins(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        opened = await store.open("password-reset")

        async def publish(title: str) -> str:
            try:
                await store.publish(
                    "password-reset",
                    version=opened.version,
                    fields=dataclasses.replace(opened.fields(), title=title),
                    author=title,
                )
            except EditConflict:
                return "conflict"
            return "won"

        outcomes = await asyncio.gather(publish("One"), publish("Two"))
        assert sorted(outcomes) == ["conflict", "won"]
        numbers = [r.number for r in await store.revisions("password-reset")]
        assert numbers == [2, 1]

    with_store(seeded, work)


def test_archive_takes_an_article_out_and_restore_brings_an_old_text_back(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        opened = await store.open("hu-password-reset")
        first_text = opened.published_text
        await store.publish(
            "hu-password-reset",
            version=opened.version,
            fields=dataclasses.replace(opened.fields(), title="Új jelszó"),
            author="ann",
        )
        archived = await store.archive("hu-password-reset", version=opened.version + 1, author="b")
        assert "hu-password-reset" not in (await store.library()).articles
        assert (await store.open("hu-password-reset")).state == "archived"
        done = await store.restore("hu-password-reset", 1, version=archived.version, author="c")
        restored = await store.open("hu-password-reset")
        assert restored.state == "published" and restored.published_text == first_text
        newest = (await store.revisions("hu-password-reset"))[0]
        assert (newest.number, newest.action, newest.restored_from) == (done.revision, "restore", 1)
        assert [r.action for r in await store.revisions("hu-password-reset")] == [
            "restore",
            "archive",
            "publish",
            "seed",
        ]

    with_store(seeded, work)


def test_a_source_with_a_translation_cannot_be_archived(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        opened = await store.open("password-reset")
        with pytest.raises(NotAllowed, match="hu-password-reset translate"):
            await store.archive("password-reset", version=opened.version, author="a")

    with_store(seeded, work)


def _unchanged(store: ArticleStore, article_id: str) -> "asyncio.Future[tuple[int, int]]":
    async def state() -> tuple[int, int]:
        return (await store.open(article_id)).version, len(await store.revisions(article_id))

    return asyncio.ensure_future(state())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"translation_of": "no-such-article"}, "translation_of 'no-such-article': no such"),
        ({"translation_of": "hu-delivery-times"}, "is in the same language"),
        ({"translation_of": "password-reset"}, "already has a hu translation"),
        ({"title": ""}, "missing required field 'title'"),
        ({"body": "   "}, "no text after the front matter"),
        ({"body": "x" * (1024 * 1024)}, "too big"),
    ],
)
def test_a_publish_with_problems_is_refused_and_writes_nothing(
    seeded: str, change: dict[str, object], message: str
) -> None:
    async def work(store: ArticleStore) -> None:
        before = await _unchanged(store, "hu-account-locked")
        opened = await store.open("hu-account-locked")
        broken = dataclasses.replace(opened.fields(), **change)  # type: ignore[arg-type]
        with pytest.raises(ArticleInvalid, match=message):
            await store.publish(
                "hu-account-locked", version=opened.version, fields=broken, author="a"
            )
        assert await _unchanged(store, "hu-account-locked") == before
        assert (await store.open("hu-account-locked")).published_text == opened.published_text

    with_store(seeded, work)


def test_a_new_article_cannot_take_an_existing_slug(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        with pytest.raises(ArticleExists, match="choose another URL slug"):
            await store.create(fields("password-reset"), author="a")
        assert (await store.open("password-reset")).state == "published"

    with_store(seeded, work)


def test_import_publishes_changed_files_as_revisions_and_skips_broken_ones(
    seeded: str, tmp_path: Path
) -> None:
    (tmp_path / "en").mkdir()
    original = (SEED / "en" / "cookies.md").read_text(encoding="utf-8")
    (tmp_path / "en" / "cookies.md").write_text(
        original.replace("title:", "title: New"), encoding="utf-8"
    )
    (tmp_path / "en" / "account-locked.md").write_bytes(
        (SEED / "en" / "account-locked.md").read_bytes()
    )
    (tmp_path / "en" / "broken.md").write_text("---\nid: broken\n---\n")
    (tmp_path / "en" / "unparsable.md").write_text("---\nid: [unclosed\n---\nText.\n")
    report = with_store(
        seeded, lambda store: article_files.import_files(store, tmp_path, author="cli")
    )
    assert (report.added, report.changed, report.unchanged) == ([], ["cookies"], 1)
    assert [str(p.path.name) for p in report.problems] == ["broken.md", "unparsable.md"]
    assert "front matter is not valid YAML" in report.problems[1].reason
    assert report.problems[1].line == 2  # the file line of `id: [unclosed`
    revisions = with_store(seeded, lambda store: store.revisions("cookies"))
    assert [(r.number, r.action, r.author) for r in revisions] == [
        (2, "import", "cli"),
        (1, "seed", "seed"),
    ]
    assert revisions[1].text == original  # the replaced text can be restored


def test_the_generation_moves_only_when_what_is_published_changes(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        start = await store.generation()
        opened = await store.open("cookies")
        await store.save_draft(
            "cookies", version=opened.version, fields=opened.fields(), author="a"
        )
        assert await store.generation() == start
        await store.publish(
            "cookies", version=opened.version + 1, fields=opened.fields(), author="a"
        )
        assert await store.generation() > start

    with_store(seeded, work)


def test_questions_added_from_a_gap_are_published_or_kept_in_the_draft(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        copy, done = await store.add_questions(
            "cookies", ["Do you track me?", "do you track me?", "  "], author="a"
        )
        assert done is not None and "Do you track me?" in copy.fields().questions
        assert sum(q.casefold() == "do you track me?" for q in copy.fields().questions) == 1
        published = (await store.library()).articles["cookies"]
        assert "Do you track me?" in published.questions
        await store.save_draft("cookies", version=copy.version, fields=copy.fields(), author="a")
        copy, done = await store.add_questions("cookies", ["What is a cookie?"], author="a")
        assert done is None and copy.has_draft
        assert "What is a cookie?" not in (await store.library()).articles["cookies"].questions

    with_store(seeded, work)


def test_revision_numbers_are_per_article(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        async with store._sessions() as session:
            assert await repo.revision(session=session, article_id="cookies", number=1)
            assert await repo.revision(session=session, article_id="cookies", number=2) is None

    with_store(seeded, work)


def test_an_unfinished_draft_is_kept_but_not_published(seeded: str) -> None:
    async def work(store: ArticleStore) -> None:
        unfinished = fields("half-done", title="", body="")
        created = await store.create(unfinished, author="a")
        assert created.state == "draft" and created.fields().title == ""
        with pytest.raises(ArticleInvalid, match="missing required field 'title'"):
            await store.publish("half-done", version=created.version, fields=unfinished, author="a")
        for slug in ("../up", "a/b", "Upper", "end\n"):
            with pytest.raises(ArticleInvalid, match="URL slug"):
                await store.create(fields(slug), author="a")

    with_store(seeded, work)
