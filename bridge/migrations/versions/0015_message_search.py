"""Full-text search over transcript messages (conversations view).

Both databases find the same messages (bridge/db/conversation_search.py): words typed without
accents find accented ones ("szamla" finds "számlámat"), case does not matter, and every word
of the query is a prefix of a word of the message (so a Hungarian stem finds its suffixed
forms). Words are runs of letters and digits; everything else separates them.

- SQLite: `messages_fts`, an FTS5 table over `messages.text` that keeps no copy of the text
  (external content, `content='messages'`), tokenised by unicode61 with diacritics removed.
  Triggers keep it in step with every insert, update and delete of a message, so text that a
  privacy erasure empties or deletes (bridge/db/privacy.py) is no longer found. The existing
  rows are indexed here (`rebuild`).
  A later migration that rebuilds `messages` in batch mode (copy, drop, rename) drops these
  triggers with the old table: it has to create them again (`create_sqlite_search`).
- PostgreSQL: a GIN index on `to_tsvector('simple', message_search_text(text))`, where
  `message_search_text` lower-cases, strips accents (the `unaccent` extension) and turns every
  run of non-alphanumeric characters into a space. The function is IMMUTABLE (it names its
  dictionary by OID, through a SQL-standard body bound when it is created), as an index
  expression must be. Queries are prefix tsqueries (`'szamla':*`). Its declared cost is
  high, as it is (folding and parsing each message takes microseconds): the planner then
  intersects the index with the conversations' messages rather than folding each of them.
  Needs: `CREATE EXTENSION unaccent` (in contrib; this migration runs it, which takes a role
  allowed to create extensions, or an administrator who ran it beforehand). A database whose
  LC_CTYPE is plain `C` treats only ASCII as alphanumeric after folding; Latin text, which
  unaccent folds to ASCII, is searchable either way. The downgrade leaves the extension.

Also indexes on conversations: (updated_at, id), the view's order and page key (newest
activity first); (status, updated_at, id), so that a rare status (the live chats) is listed
without walking every conversation; (created_at), for a period of creation.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    "DROP TABLE IF EXISTS messages_fts",
)
POSTGRES_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE FUNCTION message_search_text(message text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 "
    "RETURN regexp_replace(lower(unaccent('unaccent'::regdictionary, message)), "
    "'[^[:alnum:]]+', ' ', 'g')",
    "CREATE INDEX ix_messages_text_search ON messages "
    "USING gin (to_tsvector('simple'::regconfig, message_search_text(text)))",
)
POSTGRES_DROP = (
    "DROP INDEX IF EXISTS ix_messages_text_search",
    "DROP FUNCTION IF EXISTS message_search_text(text)",
)


def create_sqlite_search() -> None:
    for statement in SQLITE_SEARCH:
        op.execute(statement)


def upgrade() -> None:
    op.create_index("ix_conversations_updated_at_id", "conversations", ["updated_at", "id"])
    op.create_index(
        "ix_conversations_status_updated_at_id", "conversations", ["status", "updated_at", "id"]
    )
    op.create_index("ix_conversations_created_at", "conversations", ["created_at"])
    if op.get_bind().dialect.name == "sqlite":
        create_sqlite_search()
    else:
        for statement in POSTGRES_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROP:
        op.execute(statement)
    op.drop_index("ix_conversations_created_at", table_name="conversations")
    op.drop_index("ix_conversations_status_updated_at_id", table_name="conversations")
    op.drop_index("ix_conversations_updated_at_id", table_name="conversations")
